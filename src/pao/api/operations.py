"""Operations: one endpoint with everything said about it in one place.

Each feature module declares its endpoints as :class:`Operation` values in
an :class:`ApiModule`. The same declaration drives both the route and the
OpenAPI document, so the two cannot drift apart:

* ``access`` decides authentication (see :mod:`pao.api.auth`);
* ``parameters`` are the only query parameters accepted — any other
  (or a repeated one) is a 400 naming it;
* ``body`` makes the route read the body under the size cap, check its
  content type and, for JSON bodies with a model, validate it (422);
* ``responses`` document what the endpoint answers.

Endpoints are plain Starlette endpoints, ``(Request) -> Response``, sync
or async; sync ones run in the threadpool, which suits the sync store.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from pydantic import BaseModel
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from pao.api.auth import Access, Authenticator
from pao.api.body import check_content_type, parse_json, read_body, validate_model
from pao.api.config import ApiConfig
from pao.api.errors import BadRequest

__all__ = [
    "API_PREFIX",
    "ApiModule",
    "Body",
    "Endpoint",
    "Operation",
    "Parameter",
    "Reply",
    "body_bytes",
    "body_json",
    "body_model",
    "build_routes",
]

API_PREFIX = "/api/v1"

Endpoint = Callable[[Request], Response | Awaitable[Response]]
Schema = Mapping[str, Any]
M = TypeVar("M", bound=BaseModel)

_BODY_KEY = "pao.body"
_JSON_KEY = "pao.json"


@dataclass(frozen=True, slots=True)
class Parameter:
    """A query or path parameter."""

    name: str
    description: str
    schema: Schema = field(default_factory=lambda: {"type": "string"})
    location: Literal["query", "path", "header"] = "query"
    required: bool = False


@dataclass(frozen=True, slots=True)
class Body:
    """The request body an operation takes."""

    description: str
    content_types: tuple[str, ...] = ("application/json",)
    model: type[BaseModel] | None = None
    schema: Schema | None = None
    # Webhooks verify signatures over the raw bytes and parse themselves.
    parse_json: bool = True
    limit: Literal["api", "webhook"] = "api"
    # Per content type, where one schema cannot describe them all (text
    # next to JSON).
    media_schemas: Mapping[str, Schema] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Reply:
    """One documented response."""

    description: str
    model: type[BaseModel] | None = None
    schema: Schema | None = None
    content_type: str = "application/json"
    paginated: bool = False
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Operation:
    """One endpoint: method, path (below ``/api/v1``), handler, contract."""

    method: str
    path: str
    endpoint: Endpoint
    operation_id: str
    summary: str
    description: str = ""
    tags: tuple[str, ...] = ()
    access: Access = Access.USER
    parameters: tuple[Parameter, ...] = ()
    body: Body | None = None
    responses: Mapping[int, Reply] = field(default_factory=dict)

    @property
    def full_path(self) -> str:
        return API_PREFIX + self.path


@dataclass(frozen=True, slots=True)
class ApiModule:
    """The operations of one feature, and the models they mention."""

    name: str
    description: str
    operations: tuple[Operation, ...]
    # Models to publish even when no operation names them directly.
    models: tuple[type[BaseModel], ...] = ()


def build_routes(
    modules: Sequence[ApiModule], *, authenticator: Authenticator, config: ApiConfig
) -> list[Route]:
    """Starlette routes for every operation of *modules*."""
    return [
        Route(
            operation.full_path,
            _guarded(operation, authenticator=authenticator, config=config),
            methods=[operation.method],
            name=operation.operation_id,
        )
        for module in modules
        for operation in module.operations
    ]


def _guarded(
    operation: Operation, *, authenticator: Authenticator, config: ApiConfig
) -> Callable[[Request], Awaitable[Response]]:
    allowed = frozenset(p.name for p in operation.parameters if p.location == "query")
    is_async = inspect.iscoroutinefunction(operation.endpoint)

    async def endpoint(request: Request) -> Response:
        authenticator.authorize(request, operation.access)
        _check_query(request, allowed)
        if operation.body is not None:
            await _load_body(request, operation.body, config)
        if is_async:
            result = await operation.endpoint(request)  # type: ignore[misc]
        else:
            result = await run_in_threadpool(operation.endpoint, request)
        assert isinstance(result, Response)
        return result

    endpoint.__name__ = operation.operation_id
    return endpoint


def _check_query(request: Request, allowed: frozenset[str]) -> None:
    if not request.scope.get("query_string"):
        return
    names = [name for name, _ in request.query_params.multi_items()]
    unknown = sorted(set(names) - allowed)
    if unknown:
        message = f"unknown query parameter(s): {', '.join(unknown)}"
        raise BadRequest(
            message,
            code="unknown_parameter",
            details={"unknown": unknown, "allowed": sorted(allowed)},
        )
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        message = f"query parameter(s) given more than once: {', '.join(repeated)}"
        raise BadRequest(
            message, code="repeated_parameter", details={"repeated": repeated}
        )


async def _load_body(request: Request, body: Body, config: ApiConfig) -> None:
    check_content_type(request, body.content_types)
    limit = config.max_body_bytes
    if body.limit == "webhook":
        limit = config.max_webhook_body_bytes
    raw = await read_body(request, limit=limit)
    request.scope[_BODY_KEY] = raw
    if not body.parse_json:
        return
    data = parse_json(raw)
    if body.model is not None:
        data = validate_model(body.model, data)
    request.scope[_JSON_KEY] = data


def body_bytes(request: Request) -> bytes:
    """The raw body an operation with a :class:`Body` received."""
    raw = request.scope.get(_BODY_KEY)
    if not isinstance(raw, bytes):
        raise RuntimeError("body_bytes() called for an operation without a Body")
    return raw


def body_json(request: Request) -> Any:
    """The parsed JSON body (a model instance when the Body names one)."""
    if _JSON_KEY not in request.scope:
        raise RuntimeError("body_json() called for an operation without JSON")
    return request.scope[_JSON_KEY]


def body_model(request: Request, model: type[M]) -> M:
    """The validated body, typed as *model*."""
    data = body_json(request)
    if not isinstance(data, model):
        message = f"the operation's Body does not declare model {model.__name__}"
        raise RuntimeError(message)
    return data
