"""Credentials an HTTP action can send, as its config spells them.

``bearer``, ``api-key`` and ``basic`` become headers directly; ``oauth2``
(client-credentials grant) needs a token first, which
:mod:`pao.actions.oauth2` fetches and caches.
"""

from __future__ import annotations

import base64
from typing import Annotated, Literal

from pydantic import Field, field_validator

from pao.actions.configs import ConfigModel

__all__ = [
    "ApiKeyAuth",
    "AuthConfig",
    "BasicAuth",
    "BearerAuth",
    "OAuth2Auth",
    "auth_secrets",
    "static_auth_headers",
]


class BearerAuth(ConfigModel):
    """``Authorization: Bearer <token>``."""

    type: Literal["bearer"]
    token: str = Field(min_length=1)


class ApiKeyAuth(ConfigModel):
    """A key sent in a header of the target's choosing."""

    type: Literal["api-key"]
    header: str = Field(min_length=1, pattern=r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
    value: str = Field(min_length=1)


class BasicAuth(ConfigModel):
    """HTTP Basic authentication (RFC 7617)."""

    type: Literal["basic"]
    username: str
    password: str


class OAuth2Auth(ConfigModel):
    """A bearer token from an OAuth2 client-credentials grant (RFC 6749, 4.4)."""

    type: Literal["oauth2"]
    token_url: str = Field(alias="tokenUrl", min_length=1)
    client_id: str = Field(alias="clientId", min_length=1)
    client_secret: str = Field(alias="clientSecret", min_length=1)
    scope: str | list[str] | None = None

    @field_validator("token_url")
    @classmethod
    def _token_url_is_http(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError("must be an http:// or https:// URL")
        return value

    def scope_text(self) -> str | None:
        """The scopes as the token request sends them: space-separated."""
        if isinstance(self.scope, list):
            return " ".join(self.scope) or None
        return self.scope or None


AuthConfig = Annotated[
    BearerAuth | ApiKeyAuth | BasicAuth | OAuth2Auth,
    Field(discriminator="type"),
]


def basic_credentials(username: str, password: str) -> str:
    """The value of an ``Authorization: Basic`` header."""
    pair = f"{username}:{password}".encode()
    return "Basic " + base64.b64encode(pair).decode("ascii")


def static_auth_headers(
    auth: BearerAuth | ApiKeyAuth | BasicAuth,
) -> dict[str, str]:
    """The headers carrying *auth*'s credentials."""
    if isinstance(auth, BearerAuth):
        return {"Authorization": f"Bearer {auth.token}"}
    if isinstance(auth, ApiKeyAuth):
        return {auth.header: auth.value}
    return {"Authorization": basic_credentials(auth.username, auth.password)}


def auth_secrets(
    auth: BearerAuth | ApiKeyAuth | BasicAuth | OAuth2Auth | None,
) -> list[str]:
    """The credential values in *auth*, for masking."""
    if isinstance(auth, BearerAuth):
        return [auth.token]
    if isinstance(auth, ApiKeyAuth):
        return [auth.value]
    if isinstance(auth, BasicAuth):
        basic = basic_credentials(auth.username, auth.password)
        return [auth.password, basic.removeprefix("Basic ")]
    if isinstance(auth, OAuth2Auth):
        return [auth.client_secret]
    return []
