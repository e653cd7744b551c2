"""Reading an HTTP answer into a bounded, masked record, and judging it.

Free of I/O but for draining an already open response: the retry loop and
the executors build on these pieces.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import httpx

from pao.actions.errors import (
    ActionAuthError,
    ActionError,
    PermanentActionError,
    TransientActionError,
)
from pao.actions.http.retry_after import parse_retry_after
from pao.actions.masking import Masker, mask_data, mask_headers
from pao.actions.results import ResponseRecord

__all__ = [
    "EXCERPT_CHARS",
    "MAX_BODY_BYTES",
    "HttpReply",
    "StatusCheck",
    "expect_statuses",
    "is_success",
    "judge_reply",
    "read_reply",
]

# Bodies past this size are cut and kept as text: enough for any API answer
# worth picking outputs from, small enough to keep in the store.
MAX_BODY_BYTES = 256 * 1024
# Error messages quote this much of a response body.
EXCERPT_CHARS = 500

StatusCheck = Callable[[int], bool]

# Statuses worth another try: the target is overloaded, restarting or slow.
_TRANSIENT_4XX = frozenset({408, 425, 429})
# 5xx answers that will not change by asking again.
_PERMANENT_5XX = frozenset({501, 505})


@dataclass(frozen=True, slots=True, kw_only=True)
class HttpReply:
    """A target's answer: masked, the body parsed when JSON and bounded."""

    method: str
    url: str
    status: int
    headers: dict[str, str]
    body: Any
    truncated: bool
    attempts: int = 1

    def record(self) -> ResponseRecord:
        return {
            "status": self.status,
            "headers": dict(self.headers),
            "body": self.body,
            "truncated": self.truncated,
        }

    def excerpt(self) -> str:
        """The start of the body as text, for an error message."""
        text = self.body if isinstance(self.body, str) else _compact(self.body)
        if len(text) <= EXCERPT_CHARS:
            return text
        return text[:EXCERPT_CHARS] + "…"


def is_success(status: int) -> bool:
    return 200 <= status < 300


def expect_statuses(statuses: Collection[int] | None) -> StatusCheck:
    """A check accepting *statuses*, or any 2xx when there are none."""
    if not statuses:
        return is_success
    allowed = frozenset(statuses)
    return allowed.__contains__


def read_reply(
    response: httpx.Response,
    *,
    masked_url: str,
    masker: Masker,
    limit: int = MAX_BODY_BYTES,
) -> HttpReply:
    """Drain at most *limit* bytes of *response* into a masked reply."""
    raw, truncated = _read_bounded(response, limit)
    text = raw.decode(response.encoding or "utf-8", errors="replace")
    body: Any = text
    if not truncated and _is_json(response):
        body = _parse_json(text)
    headers = mask_headers(response.headers.multi_items(), masker)
    return HttpReply(
        method=response.request.method,
        url=masked_url,
        status=response.status_code,
        headers=headers,
        body=mask_data(body, masker),
        truncated=truncated,
    )


def judge_reply(reply: HttpReply, expected: StatusCheck) -> None:
    """Raise the error *reply* amounts to, unless its status is expected."""
    if expected(reply.status):
        return
    raise _error_for(reply)


def _error_for(reply: HttpReply) -> ActionError:
    status = reply.status
    fields: dict[str, Any] = {
        "method": reply.method,
        "url": reply.url,
        "status": status,
        "body_excerpt": reply.excerpt(),
    }
    head = f"{reply.method} {reply.url} answered {status} {_reason(status)}"
    if status in _TRANSIENT_4XX or (status >= 500 and status not in _PERMANENT_5XX):
        delay = parse_retry_after(reply.headers.get("retry-after"))
        return TransientActionError(head, retry_after=delay, **fields)
    if status in (401, 403):
        hint = "the target rejected the credentials; check the action's auth"
        return ActionAuthError(f"{head}: {hint}", **fields)
    return PermanentActionError(f"{head}, which the action does not expect", **fields)


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "(non-standard status)"


def _read_bounded(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return b"".join(chunks)[:limit], True
    return b"".join(chunks), False


def _is_json(response: httpx.Response) -> bool:
    content_type = str(response.headers.get("content-type", ""))
    media = content_type.partition(";")[0].strip().lower()
    return media == "application/json" or media.endswith("+json")


def _parse_json(text: str) -> Any:
    # A body that claims to be JSON but is not stays text: the response is
    # still recorded, and output templates that need JSON fail by name.
    try:
        return json.loads(text)
    except ValueError:
        return text


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, default=str)
