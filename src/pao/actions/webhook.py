"""The ``webhook`` action: a signed JSON POST to a receiver.

Config: ``url``, ``secret`` (the signing key — the engine resolves the
catalog's secret reference and passes the value as a string), ``headers``
and ``payload`` (any JSON; default ``{}``). The body is
:func:`~pao.actions.signing.encode_webhook_body` of the payload; each
attempt is signed afresh with the current time, and every attempt of a
run carries the same ``Idempotency-Key``. Any 2xx answer is success.

Outputs: ``status``. External reference: the URL called.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import Any

import httpx
from pydantic import Field, JsonValue, field_validator

from pao.actions.configs import (
    ConfigModel,
    check_config,
    parse_config,
    require_http_url,
)
from pao.actions.context import ActionContext
from pao.actions.executor import BaseExecutor, ConfigProblem
from pao.actions.http import (
    IDEMPOTENCY_HEADER,
    HttpSender,
    OutgoingRequest,
    default_sender,
)
from pao.actions.results import ActionResult
from pao.actions.signing import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    encode_webhook_body,
    sign_webhook,
)

__all__ = ["WebhookConfig", "WebhookExecutor"]


class WebhookConfig(ConfigModel):
    """A rendered ``webhook`` config."""

    url: str
    secret: str = Field(min_length=1)
    headers: dict[str, str] = Field(default_factory=dict)
    payload: JsonValue = Field(default_factory=dict)

    @field_validator("url")
    @classmethod
    def _url_is_http(cls, value: str) -> str:
        return require_http_url(value)


class WebhookExecutor(BaseExecutor):
    """Carries out ``webhook`` actions."""

    type_name = "webhook"

    def __init__(
        self,
        *,
        sender: HttpSender | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._sender = sender
        self._clock = clock

    def execute(self, config: Mapping[str, Any], ctx: ActionContext) -> ActionResult:
        parsed = parse_config(WebhookConfig, self.type_name, config)
        ctx = ctx.with_secrets([parsed.secret])
        sender = self._sender or default_sender()
        reply = sender.send(self._request_builder(parsed, ctx), ctx=ctx)
        return ActionResult(
            outputs={"status": reply.status},
            response=reply.record(),
            external_ref={"url": reply.url},
            attempts=reply.attempts,
        )

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        return check_config(WebhookConfig, config)

    def _request_builder(
        self,
        parsed: WebhookConfig,
        ctx: ActionContext,
    ) -> Callable[[], OutgoingRequest]:
        body = encode_webhook_body(parsed.payload)

        def build() -> OutgoingRequest:
            timestamp = str(int(self._clock()))
            signature = sign_webhook(parsed.secret, timestamp, body)
            headers = _headers(parsed, ctx, timestamp=timestamp, signature=signature)
            return OutgoingRequest(
                method="POST", url=parsed.url, headers=headers, content=body
            )

        return build


def _headers(
    parsed: WebhookConfig,
    ctx: ActionContext,
    *,
    timestamp: str,
    signature: str,
) -> dict[str, str]:
    headers = httpx.Headers(parsed.headers)
    headers.setdefault(ctx.correlation_header, ctx.correlation_id)
    # Custom headers may add to the standard ones but not replace them:
    # the receiver relies on the body being JSON, on the run's key and on
    # the signature.
    headers["Content-Type"] = "application/json"
    headers[IDEMPOTENCY_HEADER] = ctx.idempotency_key
    headers[TIMESTAMP_HEADER] = timestamp
    headers[SIGNATURE_HEADER] = signature
    return dict(headers.items())
