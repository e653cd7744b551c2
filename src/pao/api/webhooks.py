"""Webhook receivers for GitHub, Jira and Terraform.

Webhooks only say "look now" (the controller is level-triggered), so a
receiver does the least that makes a delivery safe: read the body under
the cap, verify it (:mod:`pao.api.webhooks_sansio`), record it in the
store — once, keyed by source and delivery id — and only then answer 202
and hand it to the workers. A delivery answered 202 is never lost: a
replica that dies before handling it leaves it pending in the store. A
redelivery of a recorded delivery answers 202 with ``duplicate: true``
and is not queued again. Endpoint checks (GitHub ``ping``, Terraform
``verification``) answer 200 and are neither recorded nor queued.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import structlog
from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pao.api import webhooks_sansio as sansio
from pao.api.auth import Access
from pao.api.errors import ApiError, BadRequest, ServiceUnavailable, Unauthorized
from pao.api.operations import ApiModule, Body, Operation, Parameter, Reply, body_bytes
from pao.api.services import ApiServices, services_of
from pao.controller.github_events import meaning_key
from pao.core.logging import bind_context
from pao.store.errors import StoreUnavailable

__all__ = ["MODULE", "Pong", "Receipt"]

log = structlog.get_logger(__name__)

Parser = Callable[[Request, bytes, ApiServices], sansio.Delivery]


class Receipt(BaseModel):
    """A recorded delivery."""

    delivery: str
    duplicate: bool


class Pong(BaseModel):
    """An endpoint check, acknowledged."""

    delivery: str
    event: str


def _github(request: Request, body: bytes, services: ApiServices) -> sansio.Delivery:
    return sansio.parse_github(
        request.headers, body, secret=services.config.github_webhook_secret
    )


def _jira(request: Request, body: bytes, services: ApiServices) -> sansio.Delivery:
    return sansio.parse_jira(
        request.headers,
        body,
        secret=services.config.jira_webhook_secret,
        url_secret=request.query_params.get("secret"),
    )


def _terraform(request: Request, body: bytes, services: ApiServices) -> sansio.Delivery:
    return sansio.parse_terraform(
        request.headers, body, token=services.config.terraform_notification_token
    )


def _receiver(source: str, parse: Parser) -> Callable[[Request], Awaitable[Response]]:
    async def receive(request: Request) -> Response:
        services = services_of(request)
        delivery = _verified(source, parse, request, services)
        bind_context(delivery_id=delivery.delivery_id, webhook_source=source)
        if delivery.is_ping:
            _count(services, delivery.source, delivery.event, "ping")
            pong = Pong(delivery=delivery.delivery_id, event=delivery.event)
            return JSONResponse(pong.model_dump())
        return await _record_and_enqueue(services, delivery)

    receive.__name__ = f"receive_{source}"
    return receive


def _verified(
    source: str, parse: Parser, request: Request, services: ApiServices
) -> sansio.Delivery:
    try:
        return parse(request, body_bytes(request), services)
    except sansio.WebhookError as exc:
        error = _as_api_error(exc)
        _count(services, source, "unknown", error.code)
        log.warning("webhook_refused", source=source, reason=error.code)
        raise error from None


def _as_api_error(exc: sansio.WebhookError) -> ApiError:
    if isinstance(exc, sansio.WebhookNotConfigured):
        return Unauthorized(str(exc), code="webhook_not_configured")
    if isinstance(exc, sansio.SignatureMissing):
        return Unauthorized(str(exc), code="signature_missing")
    if isinstance(exc, sansio.SignatureInvalid):
        return Unauthorized(str(exc), code="signature_invalid")
    return BadRequest(str(exc), code="invalid_payload")


async def _record_and_enqueue(
    services: ApiServices, delivery: sansio.Delivery
) -> Response:
    try:
        new = await run_in_threadpool(_record, services, delivery)
    except StoreUnavailable:
        _count(services, delivery.source, delivery.event, "store_unavailable")
        raise ServiceUnavailable(
            "the delivery could not be recorded; send it again later",
            code="store_unavailable",
        ) from None

    outcome = "accepted" if new else "duplicate"
    _count(services, delivery.source, delivery.event, outcome)
    log.info("webhook_recorded", webhook_event=delivery.event, duplicate=not new)
    if new:
        _enqueue(services, delivery)
    receipt = Receipt(delivery=delivery.delivery_id, duplicate=not new)
    return JSONResponse(receipt.model_dump(), status_code=202)


def _record(services: ApiServices, delivery: sansio.Delivery) -> bool:
    return services.store.record_delivery(
        source=delivery.source,
        delivery_id=delivery.delivery_id,
        event=delivery.event,
        payload=delivery.payload,
        meaning_key=(
            meaning_key(delivery.event, delivery.payload)
            if delivery.source == "github"
            else None
        ),
    )


def _enqueue(services: ApiServices, delivery: sansio.Delivery) -> None:
    try:
        services.enqueue_delivery(delivery)
    except Exception:
        # Recorded but not queued: it stays pending in the store, where the
        # workers' sweep of unprocessed deliveries finds it.
        log.exception("webhook_enqueue_failed")


def _count(services: ApiServices, source: str, event: str, outcome: str) -> None:
    services.metrics.webhook_deliveries.labels(
        source=source, event=event, outcome=outcome
    ).inc()


def _operation(
    source: str,
    parse: Parser,
    *,
    summary: str,
    description: str,
    content_types: tuple[str, ...] = ("application/json",),
    parameters: tuple[Parameter, ...] = (),
) -> Operation:
    return Operation(
        method="POST",
        path=f"/webhooks/{source}",
        endpoint=_receiver(source, parse),
        operation_id=f"receive{source.capitalize()}Webhook",
        summary=summary,
        description=description,
        tags=("webhooks",),
        access=Access.PUBLIC,
        parameters=parameters,
        body=Body(
            "The delivery, exactly as the sender signed it.",
            content_types=content_types,
            schema={"type": "object"},
            parse_json=False,
            limit="webhook",
        ),
        responses={
            200: Reply("An endpoint check, acknowledged.", model=Pong),
            202: Reply("Recorded (or recorded before) and queued.", model=Receipt),
            401: Reply(
                "Signature missing or wrong, or no secret configured.",
                schema={"$ref": "#/components/schemas/Error"},
            ),
            503: Reply(
                "The store is unavailable; nothing was recorded.",
                schema={"$ref": "#/components/schemas/Error"},
            ),
        },
    )


MODULE = ApiModule(
    name="webhooks",
    description="Deliveries from GitHub, Jira and Terraform; verified, recorded "
    "once, then handled asynchronously.",
    operations=(
        _operation(
            "github",
            _github,
            summary="Receive a GitHub webhook delivery",
            description="Signed with `X-Hub-Signature-256` (HMAC-SHA256); "
            "de-duplicated by `X-GitHub-Delivery`; `ping` answers 200.",
            content_types=("application/json", "application/x-www-form-urlencoded"),
        ),
        _operation(
            "jira",
            _jira,
            summary="Receive a Jira webhook delivery",
            description="Signed with `X-Hub-Signature` (HMAC-SHA256, Jira Cloud), "
            "or carrying the shared secret as `?secret=` (Jira Data Center). "
            "De-duplicated by `X-Atlassian-Webhook-Identifier`, else by the "
            "SHA-256 of the body.",
            parameters=(
                Parameter(
                    "secret",
                    "The shared webhook secret, for Jira versions that "
                    "cannot sign deliveries.",
                ),
            ),
        ),
        _operation(
            "terraform",
            _terraform,
            summary="Receive a Terraform Cloud/Enterprise notification",
            description="Signed with `X-TFE-Notification-Signature` "
            "(HMAC-SHA512 with the notification token); de-duplicated by the "
            "SHA-256 of the body; `verification` answers 200.",
        ),
    ),
)
