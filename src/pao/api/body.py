"""Reading request bodies: size cap, content type, JSON, schema.

The cap is enforced while the body streams in: a declared
``Content-Length`` above it is refused before anything is read, and a
chunked body is refused as soon as the bytes received pass it, so an
oversized upload never sits in memory whole.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from starlette.requests import Request

from pao.api.errors import (
    BadRequest,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationFailed,
)

__all__ = [
    "check_content_type",
    "parse_json",
    "read_body",
    "validate_model",
]

M = TypeVar("M", bound=BaseModel)


async def read_body(request: Request, *, limit: int) -> bytes:
    """The body of *request*; :class:`PayloadTooLarge` past *limit* bytes."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise _too_large(limit)

    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise _too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> PayloadTooLarge:
    return PayloadTooLarge(
        f"the request body is larger than {limit} bytes",
        details={"limit": limit},
    )


def check_content_type(request: Request, accepted: Sequence[str]) -> str:
    """The media type of *request* if it is one of *accepted*, else 415.

    ``application/json`` also admits ``application/<anything>+json``.
    """
    raw = request.headers.get("content-type", "")
    media_type = raw.split(";", 1)[0].strip().lower()
    for wanted in accepted:
        if media_type == wanted or (
            wanted == "application/json"
            and media_type.startswith("application/")
            and media_type.endswith("+json")
        ):
            return media_type
    message = f"content type must be one of {list(accepted)}, got {raw or 'none'!r}"
    raise UnsupportedMediaType(message, details={"accepted": list(accepted)})


def parse_json(body: bytes) -> Any:
    """*body* decoded as UTF-8 JSON; :class:`BadRequest` when it is not."""
    try:
        return json.loads(body)
    except UnicodeDecodeError:
        raise BadRequest("the body is not UTF-8", code="invalid_json") from None
    except json.JSONDecodeError as exc:
        message = f"the body is not valid JSON: {exc.msg} at line {exc.lineno}"
        raise BadRequest(
            message,
            code="invalid_json",
            details={"line": exc.lineno, "column": exc.colno},
        ) from None


def validate_model(model: type[M], data: Any) -> M:
    """*data* as *model*; :class:`ValidationFailed` lists every problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problems = [
            {
                "location": list(error["loc"]),
                "message": error["msg"],
                "type": error["type"],
            }
            for error in exc.errors(include_url=False, include_input=False)
        ]
        raise ValidationFailed(
            f"the body does not match the {model.__name__} schema",
            details={"errors": problems},
        ) from None
