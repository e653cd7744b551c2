"""Parsing of the ``Retry-After`` header (RFC 9110, section 10.2.3)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = ["parse_retry_after"]

_SECONDS = re.compile(r"^[0-9]+(?:\.[0-9]+)?$")


def parse_retry_after(
    value: str | None,
    *,
    now: datetime | None = None,
) -> float | None:
    """Seconds to wait as *value* asks, or ``None`` when it asks nothing.

    The header holds either a number of seconds or an HTTP-date; a date in
    the past means "now" (zero). Fractional seconds, which some servers
    send, are accepted; unreadable values count as absent.
    """
    if value is None:
        return None
    text = value.strip()
    if _SECONDS.match(text):
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        # RFC 9110 dates are always GMT; a naive result means GMT too.
        when = when.replace(tzinfo=UTC)
    current = now or datetime.now(UTC)
    return max(0.0, (when - current).total_seconds())
