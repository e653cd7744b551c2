"""Who is calling the GitHub stand-in: tokens, app JWTs, installation tokens.

GitHub accepts three credentials here. A personal access token acts as its
user. An app JWT (RS256, signed with the app's private key, ``iss`` the
app id, ``exp`` at most ten minutes ahead) may only call the ``/app``
endpoints and ``/repos/{owner}/{repo}/installation``; it is exchanged for
an installation token, which acts as the app's bot user for an hour.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

import jwt

from pao.standins.github_state import App, GithubState, IssuedToken

__all__ = [
    "AuthFailure",
    "Principal",
    "identify",
    "issue_installation_token",
    "needs_app_jwt",
]

_DOCS = "https://docs.github.com/rest"
_APP_DOCS = (
    "https://docs.github.com/apps/creating-github-apps/"
    "authenticating-with-a-github-app/generating-a-json-web-token-jwt-for-a-github-app"
)
# GitHub refuses app JWTs that expire more than ten minutes after issue.
_MAX_JWT_SECONDS = 600
# Allowed clock drift between the client and GitHub, in seconds.
_LEEWAY = 60
_TOKEN_HOURS = 1


class AuthFailure(Exception):
    """The request's credentials were missing, malformed or wrong."""

    def __init__(self, message: str, status: int = 401, docs: str = _DOCS) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.docs = docs


@dataclass(frozen=True)
class Principal:
    """The caller: a user (PAT), the app (JWT) or an installation's bot."""

    kind: Literal["user", "app", "installation", "anonymous"]
    login: str
    installation_id: int | None = None

    @property
    def bucket(self) -> str:
        """The rate-limit bucket this caller draws from."""
        if self.kind == "installation":
            return f"installation:{self.installation_id}"
        return f"{self.kind}:{self.login.lower()}"


ANONYMOUS = Principal(kind="anonymous", login="")


def needs_app_jwt(path: str) -> bool:
    """Whether GitHub answers *path* only for an app JWT."""
    if path == "/app" or path.startswith("/app/"):
        return True
    parts = path.strip("/").split("/")
    return len(parts) == 4 and parts[0] == "repos" and parts[3] == "installation"


def _credential(header: str) -> str | None:
    scheme, _, value = header.partition(" ")
    if scheme.lower() not in {"bearer", "token"} or not value.strip():
        return None
    return value.strip()


def identify(
    state: GithubState, app: App, *, path: str, authorization: str
) -> Principal:
    """The caller of *path*, or raise ``AuthFailure`` as GitHub would."""
    credential = _credential(authorization) if authorization else None
    if needs_app_jwt(path):
        if credential is None:
            raise AuthFailure("A JSON web token could not be decoded", docs=_APP_DOCS)
        return _verify_jwt(app, credential)
    if credential is None:
        if path == "/rate_limit" and not authorization:
            return ANONYMOUS
        raise AuthFailure(
            "Requires authentication" if not authorization else "Bad credentials"
        )
    return _token_principal(state, app, credential)


def _token_principal(state: GithubState, app: App, token: str) -> Principal:
    with state.lock:
        login = state.tokens.get(token)
        if login is not None:
            return Principal(kind="user", login=login)
        issued = state.issued.get(token)
    if issued is None or issued.expires_at <= datetime.now(UTC):
        raise AuthFailure("Bad credentials")
    return Principal(
        kind="installation",
        login=app.bot_login,
        installation_id=issued.installation_id,
    )


def _verify_jwt(app: App, token: str) -> Principal:
    try:
        claims = jwt.decode(
            token,
            app.public_key_pem,
            algorithms=["RS256"],
            options={"require": ["iat", "exp", "iss"], "verify_iat": True},
            leeway=_LEEWAY,
        )
    except jwt.ExpiredSignatureError as exc:
        message = (
            "'Expiration time' claim ('exp') must be a numeric value representing "
            "the future time at which the assertion expires"
        )
        raise AuthFailure(message, docs=_APP_DOCS) from exc
    except jwt.ImmatureSignatureError as exc:
        message = (
            "'Issued at' claim ('iat') must be an Integer representing the time "
            "that the assertion was issued"
        )
        raise AuthFailure(message, docs=_APP_DOCS) from exc
    except jwt.PyJWTError as exc:
        raise AuthFailure(
            "A JSON web token could not be decoded", docs=_APP_DOCS
        ) from exc
    if claims["exp"] - max(claims["iat"], time.time() - _LEEWAY) > _MAX_JWT_SECONDS:
        message = "'Expiration time' claim ('exp') is too far in the future"
        raise AuthFailure(message, docs=_APP_DOCS)
    if str(claims["iss"]) != str(app.id):
        raise AuthFailure("Integration not found", docs=_APP_DOCS)
    return Principal(kind="app", login=app.bot_login)


def issue_installation_token(
    state: GithubState, installation_id: int
) -> tuple[str, datetime]:
    """A new installation token and when it expires (an hour from now)."""
    token = "ghs_" + secrets.token_urlsafe(27)
    expires_at = (datetime.now(UTC) + timedelta(hours=_TOKEN_HOURS)).replace(
        microsecond=0
    )
    with state.lock:
        state.issued[token] = IssuedToken(installation_id, expires_at)
    return token, expires_at
