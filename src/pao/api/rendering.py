"""JSON bodies kept as text, cache reads for async endpoints, and the
shapes several modules answer with."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from pao.store import Cache, cached

__all__ = [
    "ERROR_SCHEMA",
    "Diagnostic",
    "json_text",
    "json_text_response",
    "read_through",
]

#: The schema of an error body, for replies other than the standard ones.
ERROR_SCHEMA = {"$ref": "#/components/schemas/Error"}


class Diagnostic(BaseModel):
    """One problem found in one file, as the validators report it."""

    file: str
    line: int
    column: int
    severity: str
    code: str
    message: str


def json_text(value: Any) -> str:
    """*value* rendered the way :class:`~starlette.responses.JSONResponse`
    renders it, for caching the text rather than the value."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def json_text_response(text: str, *, status_code: int = 200) -> Response:
    """A JSON response whose body is already rendered."""
    return Response(
        text.encode("utf-8"), status_code=status_code, media_type="application/json"
    )


async def read_through(
    cache: Cache, key: str, *, ttl: float, load: Callable[[], Any]
) -> Any:
    """:func:`~pao.store.cached` for an async endpoint.

    A value this process holds is answered on the event loop; the shared
    cache and the store are read in the threadpool. Handing a request to
    a worker thread and back costs more than the rest of a cache hit.
    """
    value = cache.get_local(key)
    if value is not None:
        return value
    return await run_in_threadpool(cached, cache, key, ttl=ttl, load=load)
