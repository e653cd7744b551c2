"""Errors the API answers with, and the handlers that render them.

Every error leaves the API as ``{"error": {"code", "message", "details"}}``
with a stable, snake_case ``code``. Endpoints raise :class:`ApiError` (or
one of its subclasses); Starlette's own ``HTTPException`` (unknown path,
wrong method) is rendered the same way. Unexpected exceptions never reach
these handlers: the request middleware logs them and answers a generic
500, so internals never leak into a response.

Exception tree::

    ApiError
    ├── BadRequest            400
    ├── Unauthorized          401  (with WWW-Authenticate: Bearer)
    ├── Forbidden             403  (admin-only actions; never for requests)
    ├── NotFound              404
    ├── PayloadTooLarge       413
    ├── UnsupportedMediaType  415
    ├── ValidationFailed      422
    └── ServiceUnavailable    503
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus
from typing import Any, ClassVar

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

__all__ = [
    "ApiError",
    "BadRequest",
    "Forbidden",
    "NotFound",
    "PayloadTooLarge",
    "ServiceUnavailable",
    "Unauthorized",
    "UnsupportedMediaType",
    "ValidationFailed",
    "error_body",
    "error_response",
    "exception_handlers",
]

# Codes for the statuses Starlette raises by itself.
_CODES_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    500: "internal_error",
    503: "service_unavailable",
}


class ApiError(Exception):
    """A request failed in a way the caller should be told about."""

    status: ClassVar[int] = 400
    default_code: ClassVar[str] = "bad_request"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        details: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code or self.default_code
        self.details = details
        self.headers = dict(headers or {})

    def __str__(self) -> str:
        return f"{self.status} {self.code}: {self.message}"

    def __repr__(self) -> str:
        name = type(self).__name__
        return f"{name}(message={self.message!r}, code={self.code!r})"


class BadRequest(ApiError):
    """The request is malformed: unknown parameter, bad value, bad JSON."""


class Unauthorized(ApiError):
    """The caller gave no credentials, or credentials pao does not accept."""

    status = 401
    default_code = "unauthorized"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        super().__init__(
            message, code=code, headers={"WWW-Authenticate": 'Bearer realm="pao"'}
        )


class Forbidden(ApiError):
    """The caller is known but may not perform this action."""

    status = 403
    default_code = "forbidden"


class NotFound(ApiError):
    """The resource does not exist, or the caller may not see it."""

    status = 404
    default_code = "not_found"


class PayloadTooLarge(ApiError):
    """The request body is larger than the configured limit."""

    status = 413
    default_code = "payload_too_large"


class UnsupportedMediaType(ApiError):
    """The request body has a content type the endpoint does not take."""

    status = 415
    default_code = "unsupported_media_type"


class ValidationFailed(ApiError):
    """The body is well-formed JSON but does not match the schema."""

    status = 422
    default_code = "validation_failed"


class ServiceUnavailable(ApiError):
    """A dependency pao needs to answer is not available right now."""

    status = 503
    default_code = "service_unavailable"


def error_body(code: str, message: str, details: Any = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details}}


def error_response(
    status: int,
    *,
    code: str,
    message: str,
    details: Any = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    return JSONResponse(
        error_body(code, message, details), status_code=status, headers=headers
    )


async def _handle_api_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error_response(
        exc.status,
        code=exc.code,
        message=exc.message,
        details=exc.details,
        headers=exc.headers,
    )


async def _handle_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    code = _CODES_BY_STATUS.get(exc.status_code, f"http_{exc.status_code}")
    message = _describe_status(exc.status_code, exc.detail)
    return error_response(
        exc.status_code, code=code, message=message, headers=exc.headers
    )


def _describe_status(status: int, detail: str) -> str:
    # Starlette's default detail is the bare reason phrase ("Not Found");
    # a sentence tells the caller a little more.
    phrase = HTTPStatus(status).phrase
    if detail and detail != phrase:
        return detail
    return _SENTENCES.get(status, phrase)


_SENTENCES = {
    404: "no such endpoint",
    405: "method not allowed on this endpoint",
}


def exception_handlers() -> dict[Any, Any]:
    """The handlers :func:`pao.api.create_app` installs."""
    return {
        ApiError: _handle_api_error,
        HTTPException: _handle_http_exception,
    }
