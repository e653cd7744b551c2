"""Webhook protocol code: verify and parse deliveries, no I/O.

Plain functions from ``(headers, body, secret)`` to a :class:`Delivery`
or an exception, so they are tested without a server and reused by any
HTTP adapter (:mod:`pao.api.webhooks` is the Starlette one). Signatures
are always checked over the raw body before anything in it is parsed, and
compared in constant time. With no secret configured every delivery is
refused: an unsigned webhook would let anyone on the network trigger
reconciles.

Sources:

* GitHub — ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the body>``
  (docs.github.com, "Validating webhook deliveries"); ``X-GitHub-Event``,
  ``X-GitHub-Delivery``; JSON or form-encoded (``payload=``) bodies.
* Jira — Jira Cloud admin webhooks with a secret send
  ``X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>``. Jira Data
  Center cannot sign, so it may instead carry the shared secret in the
  URL, ``?secret=<secret>``. The delivery id is
  ``X-Atlassian-Webhook-Identifier`` (stable across Jira's retries).
* Terraform Cloud/Enterprise — ``X-TFE-Notification-Signature: <hex
  HMAC-SHA512 of the body>`` keyed with the notification token. A
  ``verification`` notification is the endpoint check, answered like a
  GitHub ``ping``.

Where the sender gives no delivery id, the SHA-256 of the body stands in:
a retry of the same body is then recognised as the same delivery.

Exception tree::

    WebhookError
    ├── WebhookNotConfigured   no secret: every delivery refused
    ├── SignatureMissing
    ├── SignatureInvalid
    └── PayloadInvalid         verified, but not a delivery we can read
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

__all__ = [
    "Delivery",
    "PayloadInvalid",
    "SignatureInvalid",
    "SignatureMissing",
    "WebhookError",
    "WebhookNotConfigured",
    "parse_github",
    "parse_jira",
    "parse_terraform",
    "sign_github",
    "sign_terraform",
]

_MAX_ID_CHARS = 200


class WebhookError(Exception):
    """A delivery cannot be accepted."""


class WebhookNotConfigured(WebhookError):
    """No secret is configured for this source, so nothing is accepted."""


class SignatureMissing(WebhookError):
    """The delivery carries no signature or secret."""


class SignatureInvalid(WebhookError):
    """The delivery's signature or secret does not match."""


class PayloadInvalid(WebhookError):
    """The delivery is authentic but malformed."""


@dataclass(frozen=True, slots=True)
class Delivery:
    """One verified webhook delivery."""

    source: str
    delivery_id: str
    event: str
    payload: Any
    body_sha256: str
    # Endpoint checks (GitHub ping, Terraform verification): nothing to do.
    is_ping: bool = False


def sign_github(body: bytes, secret: str) -> str:
    """The ``X-Hub-Signature-256`` value for *body* (also Jira's format)."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def sign_terraform(body: bytes, token: str) -> str:
    """The ``X-TFE-Notification-Signature`` value for *body*."""
    return hmac.new(token.encode(), body, hashlib.sha512).hexdigest()


def parse_github(
    headers: Mapping[str, str], body: bytes, *, secret: str | None
) -> Delivery:
    """Verify and read a GitHub delivery; *headers* keys are lower-case."""
    _require_secret(secret, "github")
    assert secret is not None
    _check_signature(headers.get("x-hub-signature-256"), sign_github(body, secret))

    event = _required_header(headers, "x-github-event")
    delivery_id = _required_header(headers, "x-github-delivery")
    payload = _github_payload(headers.get("content-type", ""), body)
    return Delivery(
        source="github",
        delivery_id=delivery_id,
        event=event,
        payload=payload,
        body_sha256=_sha256(body),
        is_ping=event == "ping",
    )


def parse_jira(
    headers: Mapping[str, str],
    body: bytes,
    *,
    secret: str | None,
    url_secret: str | None = None,
) -> Delivery:
    """Verify and read a Jira delivery (signed, or secret in the URL)."""
    _require_secret(secret, "jira")
    assert secret is not None
    signature = headers.get("x-hub-signature")
    if signature is not None or url_secret is None:
        _check_signature(signature, sign_github(body, secret))
    elif not hmac.compare_digest(url_secret.encode(), secret.encode()):
        raise SignatureInvalid("the secret in the URL does not match")

    payload = _json_object(body)
    event = payload.get("webhookEvent")
    if not isinstance(event, str) or not event:
        raise PayloadInvalid("the Jira payload has no 'webhookEvent'")
    given_id = headers.get("x-atlassian-webhook-identifier")
    return Delivery(
        source="jira",
        delivery_id=_delivery_id(given_id, body),
        event=event,
        payload=payload,
        body_sha256=_sha256(body),
    )


def parse_terraform(
    headers: Mapping[str, str], body: bytes, *, token: str | None
) -> Delivery:
    """Verify and read a Terraform Cloud/Enterprise notification."""
    _require_secret(token, "terraform")
    assert token is not None
    _check_signature(
        headers.get("x-tfe-notification-signature"), sign_terraform(body, token)
    )

    payload = _json_object(body)
    triggers = [
        n.get("trigger")
        for n in payload.get("notifications") or []
        if isinstance(n, dict)
    ]
    event = next((t for t in triggers if isinstance(t, str) and t), "")
    if not event:
        raise PayloadInvalid("the notification names no trigger")
    return Delivery(
        source="terraform",
        delivery_id=_delivery_id(None, body),
        event=event,
        payload=payload,
        body_sha256=_sha256(body),
        is_ping=event == "verification",
    )


def _require_secret(secret: str | None, source: str) -> None:
    if not secret:
        message = (
            f"no {source} webhook secret is configured;"
            " unsigned deliveries are never accepted"
        )
        raise WebhookNotConfigured(message)


def _check_signature(given: str | None, expected: str) -> None:
    if not given:
        raise SignatureMissing("the delivery is not signed")
    if not hmac.compare_digest(given.strip().encode(), expected.encode()):
        raise SignatureInvalid("the signature does not match the body")


def _required_header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name, "").strip()
    if not value or len(value) > _MAX_ID_CHARS:
        raise PayloadInvalid(f"header {name} is missing or too long")
    return value


def _github_payload(content_type: str, body: bytes) -> Any:
    media_type = content_type.split(";", 1)[0].strip().lower()
    if media_type == "application/x-www-form-urlencoded":
        fields = parse_qs(body.decode("utf-8", errors="replace"))
        if "payload" not in fields:
            raise PayloadInvalid("the form body has no 'payload' field")
        body = fields["payload"][0].encode()
    return _json_object(body)


def _json_object(body: bytes) -> dict[str, Any]:
    try:
        payload = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PayloadInvalid("the body is not JSON") from None
    if not isinstance(payload, dict):
        raise PayloadInvalid("the body is not a JSON object")
    return payload


def _delivery_id(given: str | None, body: bytes) -> str:
    if given and given.strip() and len(given) <= _MAX_ID_CHARS:
        return given.strip()
    return f"sha256:{_sha256(body)}"


def _sha256(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()
