"""The ``rest-api`` action: one HTTP call to any JSON API.

Config (see docs/formats.md): ``method``, ``url``, ``headers``, ``query``,
``body`` (any JSON, sent as JSON), ``auth`` and ``expectedStatus`` (default:
any 2xx). A string ``body`` with a non-JSON ``Content-Type`` header is sent
as it is. Every call carries ``Idempotency-Key`` — the same on each retry of
a run — unless the config sets that header itself.

Outputs: ``status``. External reference: the ``Location`` the target
answered with (else the URL called) and the body's ``id`` when it has one.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Annotated, Any
from urllib.parse import urljoin

import httpx
from pydantic import AfterValidator, Field, JsonValue, field_validator

from pao.actions.auth import AuthConfig, OAuth2Auth, auth_secrets, static_auth_headers
from pao.actions.configs import (
    ConfigModel,
    check_config,
    parse_config,
    require_http_url,
)
from pao.actions.context import ActionContext
from pao.actions.errors import ActionAuthError
from pao.actions.executor import BaseExecutor, ConfigProblem
from pao.actions.http import (
    IDEMPOTENCY_HEADER,
    HttpReply,
    HttpSender,
    OutgoingRequest,
    default_sender,
    expect_statuses,
)
from pao.actions.oauth2 import OAuth2Tokens
from pao.actions.results import ActionResult

__all__ = ["RestApiConfig", "RestApiExecutor"]

# An HTTP method is a token (RFC 9110, section 9.1).
_METHOD = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


def _check_status(value: int) -> int:
    if not 100 <= value <= 599:
        raise ValueError(f"{value} is not an HTTP status (100-599)")
    return value


HttpStatus = Annotated[int, AfterValidator(_check_status)]


class RestApiConfig(ConfigModel):
    """A rendered ``rest-api`` config."""

    method: str = "GET"
    url: str
    headers: dict[str, str] = Field(default_factory=dict)
    query: dict[str, str | list[str]] = Field(default_factory=dict)
    body: JsonValue = None
    auth: AuthConfig | None = None
    expected_status: list[HttpStatus] | None = Field(
        default=None, alias="expectedStatus"
    )

    @field_validator("method")
    @classmethod
    def _method_is_token(cls, value: str) -> str:
        if not _METHOD.match(value):
            raise ValueError("must be an HTTP method such as GET or POST")
        return value.upper()

    @field_validator("url")
    @classmethod
    def _url_is_http(cls, value: str) -> str:
        return require_http_url(value)


class RestApiExecutor(BaseExecutor):
    """Carries out ``rest-api`` actions."""

    type_name = "rest-api"

    def __init__(
        self,
        *,
        sender: HttpSender | None = None,
        tokens: OAuth2Tokens | None = None,
    ) -> None:
        self._sender = sender
        self._tokens = tokens or OAuth2Tokens(sender=self._http)

    def execute(self, config: Mapping[str, Any], ctx: ActionContext) -> ActionResult:
        parsed = parse_config(RestApiConfig, self.type_name, config)
        ctx = ctx.with_secrets(auth_secrets(parsed.auth))
        reply = self._call(parsed, ctx)
        return ActionResult(
            outputs={"status": reply.status},
            response=reply.record(),
            external_ref=_external_ref(parsed, reply),
            attempts=reply.attempts,
        )

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        return check_config(RestApiConfig, config)

    def _http(self) -> HttpSender:
        return self._sender or default_sender()

    def _call(self, parsed: RestApiConfig, ctx: ActionContext) -> HttpReply:
        if not isinstance(parsed.auth, OAuth2Auth):
            headers = static_auth_headers(parsed.auth) if parsed.auth else {}
            return self._send(parsed, headers, ctx)
        issued = self._tokens.token(parsed.auth, ctx)
        try:
            return self._send_with_token(parsed, issued.value, ctx)
        except ActionAuthError as exc:
            # A cached token the server no longer accepts (revoked, or its
            # clock ran ahead of ours): fetch a fresh one and call once more.
            if not issued.cached or exc.status != 401:
                raise
            self._tokens.invalidate(parsed.auth, issued.value)
            fresh = self._tokens.token(parsed.auth, ctx)
            reply = self._send_with_token(parsed, fresh.value, ctx)
            return replace(reply, attempts=reply.attempts + exc.attempts)

    def _send_with_token(
        self,
        parsed: RestApiConfig,
        token: str,
        ctx: ActionContext,
    ) -> HttpReply:
        ctx = ctx.with_secrets([token])
        return self._send(parsed, {"Authorization": f"Bearer {token}"}, ctx)

    def _send(
        self,
        parsed: RestApiConfig,
        auth_headers: Mapping[str, str],
        ctx: ActionContext,
    ) -> HttpReply:
        return self._http().send(
            _request_builder(parsed, auth_headers, ctx),
            ctx=ctx,
            expected=expect_statuses(parsed.expected_status),
        )


def _request_builder(
    parsed: RestApiConfig,
    auth_headers: Mapping[str, str],
    ctx: ActionContext,
) -> Callable[[], OutgoingRequest]:
    headers = _headers(parsed, auth_headers, ctx)
    request = OutgoingRequest(
        method=parsed.method,
        url=parsed.url,
        headers=headers,
        params=parsed.query,
        content=_encode_body(parsed.body, headers),
    )
    return lambda: request


def _headers(
    parsed: RestApiConfig,
    auth_headers: Mapping[str, str],
    ctx: ActionContext,
) -> dict[str, str]:
    merged = httpx.Headers({"Accept": "application/json"})
    if parsed.body is not None:
        merged["Content-Type"] = "application/json"
    merged.update(parsed.headers)
    merged.update(auth_headers)
    # The config may name its own key (the target may want a specific
    # format); otherwise the run's key makes retries safe to repeat.
    merged.setdefault(IDEMPOTENCY_HEADER, ctx.idempotency_key)
    merged.setdefault(ctx.correlation_header, ctx.correlation_id)
    return dict(merged.items())


def _encode_body(body: JsonValue, headers: Mapping[str, str]) -> bytes | None:
    # *headers* come from httpx.Headers, so their names are lower-case.
    if body is None:
        return None
    content_type = headers.get("content-type", "")
    if isinstance(body, str) and "json" not in content_type.lower():
        return body.encode("utf-8")
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


def _external_ref(parsed: RestApiConfig, reply: HttpReply) -> dict[str, Any]:
    ref: dict[str, Any] = {"method": parsed.method, "url": reply.url}
    location = reply.headers.get("location")
    if location:
        ref["url"] = urljoin(reply.url, location)
    body = reply.body
    if isinstance(body, dict) and isinstance(body.get("id"), str | int):
        ref["id"] = body["id"]
    return ref
