"""Signing of outgoing webhooks, and its check for receivers.

pao signs ``"<timestamp>.<body>"`` with HMAC-SHA256 and sends the result as
``X-Pao-Signature-256: sha256=<hex>`` beside ``X-Pao-Timestamp: <unix
seconds>``. Receivers verify over the raw bytes they got, then reject
stale timestamps to stop replays. Pure functions: no I/O.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

__all__ = [
    "SIGNATURE_HEADER",
    "SIGNATURE_PREFIX",
    "TIMESTAMP_HEADER",
    "encode_webhook_body",
    "sign_webhook",
    "verify_webhook_signature",
]

SIGNATURE_HEADER = "X-Pao-Signature-256"
TIMESTAMP_HEADER = "X-Pao-Timestamp"
SIGNATURE_PREFIX = "sha256="

# How far a timestamp may be from the receiver's clock by default: five
# minutes, as most webhook senders allow for delivery and clock skew.
DEFAULT_TOLERANCE = 300.0


def encode_webhook_body(payload: Any) -> bytes:
    """The exact bytes pao sends for *payload*: compact UTF-8 JSON, sorted keys.

    Sorted keys make the same payload always give the same bytes, so a
    receiver can compare deliveries; it must still verify the raw bytes.
    """
    text = json.dumps(
        payload, separators=(",", ":"), sort_keys=True, ensure_ascii=False
    )
    return text.encode("utf-8")


def sign_webhook(secret: str, timestamp: str, body: bytes) -> str:
    """The ``X-Pao-Signature-256`` value for *body* sent at *timestamp*."""
    message = timestamp.encode("ascii") + b"." + body
    digest = hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return SIGNATURE_PREFIX + digest


def verify_webhook_signature(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    *,
    tolerance: float | None = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> bool:
    """Whether *signature* is pao's for *body* at *timestamp*.

    The comparison takes constant time. With a *tolerance* (seconds), a
    timestamp further than that from *now* fails too; ``None`` skips the
    freshness check.
    """
    if tolerance is not None and not _is_fresh(timestamp, tolerance, now):
        return False
    try:
        expected = sign_webhook(secret, timestamp, body)
    except UnicodeEncodeError:
        return False
    return hmac.compare_digest(expected.encode(), signature.strip().encode())


def _is_fresh(timestamp: str, tolerance: float, now: float | None) -> bool:
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    current = time.time() if now is None else now
    return abs(current - sent) <= tolerance
