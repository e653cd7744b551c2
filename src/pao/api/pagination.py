"""Cursor pagination for list endpoints.

A list is read in keyset order (for example ``created_at, id``). The
cursor handed out with a page carries the sort keys of its last row and
the name of the list it belongs to, serialised as JSON, prefixed with a
truncated HMAC-SHA256 and encoded base64url. Callers cannot forge or alter
one, and a cursor from one list (``catalog``) is refused by another
(``requests``); a list whose filters change its order should put them in
its name, e.g. ``f"requests?status={status}"``. Every such mistake is a
400, never a 500.

Usage in an endpoint over a store listing that pages itself::

    page = read_page(request, listing="requests")
    after = SortKey(datetime.fromisoformat(page.after[0]), page.after[1])
    result = store.list_requests(after=after if page.after else None,
                                 limit=page.limit)
    key = result.next_key
    return page_response(
        request, result.items, page=page, render=render_request,
        has_more=result.has_more, total_count=result.total_count,
        next_keys=(key.created_at.isoformat(), key.id) if key else None)

For a plain query, fetch ``page.limit + 1`` rows and :func:`trim_page`.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse

from pao.api.errors import BadRequest
from pao.api.operations import Parameter

__all__ = [
    "DEFAULT_LIMIT",
    "MAX_LIMIT",
    "PAGE_PARAMETERS",
    "CursorCodec",
    "CursorKey",
    "PageRequest",
    "page_body",
    "page_response",
    "read_page",
    "trim_page",
]

DEFAULT_LIMIT = 50
MAX_LIMIT = 200

# Far above any real cursor; keeps garbage from costing a decode.
_MAX_CURSOR_CHARS = 2048
_MAC_BYTES = 16

CursorKey = str | int | float | bool | None

#: The query parameters of every paginated list operation.
PAGE_PARAMETERS = (
    Parameter(
        "limit",
        f"Rows per page, 1 to {MAX_LIMIT}.",
        schema={
            "type": "integer",
            "minimum": 1,
            "maximum": MAX_LIMIT,
            "default": DEFAULT_LIMIT,
        },
    ),
    Parameter("cursor", "`pagination.next_cursor` of the previous page."),
)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageRequest:
    """The page a caller asked for: at most *limit* rows after *after*."""

    listing: str
    limit: int
    after: tuple[CursorKey, ...] | None


class CursorCodec:
    """Signs and checks cursors with one key (random when not given)."""

    def __init__(self, key: bytes | None = None) -> None:
        self._key = key if key else secrets.token_bytes(32)

    def encode(self, *, listing: str, keys: Sequence[CursorKey]) -> str:
        payload = json.dumps(
            {"l": listing, "k": list(keys)}, separators=(",", ":")
        ).encode()
        raw = self._mac(payload) + payload
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

    def decode(self, cursor: str, *, listing: str) -> tuple[CursorKey, ...]:
        """The sort keys in *cursor*; :class:`BadRequest` if it is not one
        of ours or belongs to another list."""
        raw = _b64decode(cursor)
        mac, payload = raw[:_MAC_BYTES], raw[_MAC_BYTES:]
        if len(mac) < _MAC_BYTES or not hmac.compare_digest(mac, self._mac(payload)):
            raise _invalid_cursor("it was not issued by this API or was altered")

        data = json.loads(payload)
        if data.get("l") != listing:
            raise _invalid_cursor(
                f"it belongs to the list {data.get('l')!r}, not {listing!r}"
            )
        return tuple(data["k"])

    def _mac(self, payload: bytes) -> bytes:
        return hmac.new(self._key, payload, hashlib.sha256).digest()[:_MAC_BYTES]


def _b64decode(cursor: str) -> bytes:
    if len(cursor) > _MAX_CURSOR_CHARS:
        raise _invalid_cursor("it is too long")
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return base64.urlsafe_b64decode(padded.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise _invalid_cursor("it is not base64url") from None


def _invalid_cursor(reason: str) -> BadRequest:
    return BadRequest(
        f"invalid cursor: {reason}; start again without a cursor",
        code="invalid_cursor",
        details={"parameter": "cursor"},
    )


def read_page(request: Request, *, listing: str) -> PageRequest:
    """Read ``limit`` and ``cursor`` from the query of *request*."""
    limit = _parse_limit(request.query_params.get("limit"))
    cursor = request.query_params.get("cursor")
    after = None
    if cursor:
        after = _codec(request).decode(cursor, listing=listing)
    return PageRequest(listing=listing, limit=limit, after=after)


def _parse_limit(value: str | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
        message = f"limit must be an integer from 1 to {MAX_LIMIT}, got {value!r}"
        raise BadRequest(
            message, code="invalid_parameter", details={"parameter": "limit"}
        )
    return int(value)


def trim_page(rows: Sequence[T], page: PageRequest) -> tuple[list[T], bool]:
    """Split ``page.limit + 1`` fetched rows into the page and ``has_more``."""
    return list(rows[: page.limit]), len(rows) > page.limit


def page_body(
    items: Sequence[T],
    *,
    page: PageRequest,
    codec: CursorCodec,
    render: Callable[[T], Any],
    has_more: bool,
    next_keys: Sequence[CursorKey] | None,
    total_count: int | None = None,
) -> dict[str, Any]:
    """The ``{"data", "pagination"}`` body of one page of *items*.

    *next_keys* are the sort keys of the last item shown; they become the
    cursor when *has_more*.
    """
    next_cursor = None
    if has_more and next_keys is not None:
        next_cursor = codec.encode(listing=page.listing, keys=next_keys)
    return {
        "data": [render(item) for item in items],
        "pagination": {
            "has_more": has_more,
            "next_cursor": next_cursor,
            "total_count": total_count,
        },
    }


def page_response(
    request: Request,
    items: Sequence[T],
    *,
    page: PageRequest,
    render: Callable[[T], Any],
    has_more: bool,
    next_keys: Sequence[CursorKey] | None,
    total_count: int | None = None,
) -> JSONResponse:
    """:func:`page_body` as a response, signed with the app's cursor key."""
    body = page_body(
        items,
        page=page,
        codec=_codec(request),
        render=render,
        has_more=has_more,
        next_keys=next_keys,
        total_count=total_count,
    )
    return JSONResponse(body)


def _codec(request: Request) -> CursorCodec:
    codec = request.app.state.cursor_codec
    assert isinstance(codec, CursorCodec)
    return codec
