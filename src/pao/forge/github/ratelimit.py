"""How long GitHub asks pao to wait, read from a response's headers.

Pure functions over status, headers and body, following GitHub's rules for
its two kinds of limit:

- primary: the hourly quota. A 403 or 429 with ``x-ratelimit-remaining: 0``
  means waiting until ``x-ratelimit-reset`` (epoch seconds);
- secondary: abuse protection. ``retry-after`` says how many seconds to
  wait; a secondary-limit message without it means at least a minute.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["SECONDARY_DEFAULT_WAIT", "Quota", "quota_from_headers", "wait_for"]

# GitHub: without retry-after, "wait for at least one minute".
SECONDARY_DEFAULT_WAIT = 60.0
# The reset instant is whole seconds; a request in that same second may
# still be refused.
_RESET_SLACK = 1.0
_LIMIT_STATUSES = frozenset({403, 429})


@dataclass(frozen=True, slots=True)
class Quota:
    """The primary rate limit as of one response."""

    limit: int
    remaining: int
    reset: float
    resource: str = "core"


def _number(headers: Mapping[str, str], name: str) -> float | None:
    value = headers.get(name)
    if value is None:
        return None
    try:
        return float(value)
    except ValueError:
        return None


def quota_from_headers(headers: Mapping[str, str]) -> Quota | None:
    """The quota a response reports, or ``None`` (lower-case *headers*)."""
    limit = _number(headers, "x-ratelimit-limit")
    remaining = _number(headers, "x-ratelimit-remaining")
    reset = _number(headers, "x-ratelimit-reset")
    if limit is None or remaining is None or reset is None:
        return None
    resource = headers.get("x-ratelimit-resource", "core")
    return Quota(int(limit), int(remaining), reset, resource)


def _says_rate_limit(body: Any) -> bool:
    message = body.get("message") if isinstance(body, Mapping) else body
    return isinstance(message, str) and "rate limit" in message.lower()


def wait_for(
    status: int, headers: Mapping[str, str], body: Any, *, now: float
) -> float | None:
    """Seconds to wait before sending again, or ``None`` when *status* is no
    rate limit (a plain 403 is a permission problem and is not retried)."""
    if status not in _LIMIT_STATUSES:
        return None
    retry_after = _number(headers, "retry-after")
    if retry_after is not None:
        return max(retry_after, 0.0)
    quota = quota_from_headers(headers)
    if quota is not None and quota.remaining == 0:
        return max(quota.reset - now, 0.0) + _RESET_SLACK
    if status == 429 or _says_rate_limit(body):
        return SECONDARY_DEFAULT_WAIT
    return None
