"""JSON bodies kept as text, and the shapes several modules answer with."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel
from starlette.responses import Response

__all__ = [
    "ERROR_SCHEMA",
    "Diagnostic",
    "json_text",
    "json_text_response",
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
