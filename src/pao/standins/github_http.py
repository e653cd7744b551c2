"""How the GitHub stand-in's handlers read requests and answer, GitHub-style.

Handlers are plain functions from a ``Call`` to a ``Reply``, run in a
worker thread (they shell out to git and take the state lock), and raise
``ApiError`` for GitHub's error answers: ``message``,
``documentation_url`` and, for 422, ``errors``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pao.standins.github_auth import ANONYMOUS, Principal
from pao.standins.github_objects import github_error

__all__ = [
    "ApiError",
    "Call",
    "Reply",
    "endpoint",
    "invalid",
    "not_found",
    "paginate",
]

DOCS = "https://docs.github.com/rest"
_MAX_PER_PAGE = 100


class ApiError(Exception):
    """A GitHub error answer raised from inside a handler.

    *bare* answers with the status alone, for the answers GitHub documents
    without a body (membership checks, for instance).
    """

    def __init__(
        self,
        message: str,
        status: int = 404,
        *,
        errors: list[dict[str, Any]] | None = None,
        docs: str = DOCS,
        bare: bool = False,
    ) -> None:
        super().__init__(f"{status} {message}")
        self.message = message
        self.status = status
        self.errors = errors
        self.docs = docs
        self.bare = bare

    def response(self) -> Response:
        if self.bare:
            return Response(status_code=self.status)
        body = github_error(self.message, self.status, self.docs)
        if self.errors is not None:
            body["errors"] = self.errors
        return JSONResponse(body, status_code=self.status)


def not_found(docs: str = DOCS) -> ApiError:
    return ApiError("Not Found", 404, docs=docs)


def invalid(
    resource: str, field_name: str, message: str, *, code: str = "custom"
) -> ApiError:
    """GitHub's 422 ``Validation Failed`` for one field."""
    error = {"resource": resource, "code": code, "field": field_name}
    if message:
        error["message"] = message
    return ApiError("Validation Failed", 422, errors=[error])


@dataclass
class Call:
    """One request as a handler sees it."""

    request: Request
    body: bytes
    principal: Principal

    @property
    def params(self) -> dict[str, Any]:
        return dict(self.request.path_params)

    @property
    def query(self) -> QueryParams:
        return self.request.query_params

    def json(self) -> dict[str, Any]:
        """The body as a JSON object, or GitHub's 400/422."""
        try:
            value = json.loads(self.body or b"{}")
        except ValueError:
            raise ApiError("Problems parsing JSON", 400) from None
        if not isinstance(value, dict):
            message = "Invalid request.\n\nThe request body must be a JSON object."
            raise ApiError(message, 422)
        return value

    def number(self, name: str) -> int:
        try:
            return int(self.request.path_params[name])
        except ValueError:
            raise not_found() from None


@dataclass
class Reply:
    body: Any = None
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)

    def response(self) -> Response:
        if self.body is None:
            return Response(status_code=self.status, headers=self.headers)
        return JSONResponse(self.body, status_code=self.status, headers=self.headers)


Handler = Callable[[Call], Reply]


def endpoint(handler: Handler) -> Callable[[Request], Awaitable[Response]]:
    """An ASGI endpoint running *handler* in a worker thread."""

    async def serve(request: Request) -> Response:
        body = await request.body()
        principal = request.scope.get("state", {}).get("principal", ANONYMOUS)
        call = Call(request=request, body=body, principal=principal)
        try:
            reply = await run_in_threadpool(handler, call)
        except ApiError as error:
            return error.response()
        return reply.response()

    return serve


def paginate(call: Call, items: Sequence[Any], *, wrap: str | None = None) -> Reply:
    """One page of *items* (``per_page``, ``page``) with GitHub's Link header.

    With *wrap*, the page is ``{"total_count": n, wrap: [...]}``.
    """
    try:
        per_page = min(_MAX_PER_PAGE, max(1, int(call.query.get("per_page", 30))))
        page = max(1, int(call.query.get("page", 1)))
    except ValueError:
        raise ApiError("Invalid pagination parameters", 422) from None
    shown = list(items[(page - 1) * per_page :][:per_page])
    body: Any = {"total_count": len(items), wrap: shown} if wrap else shown
    return Reply(body, headers=_links(call, page, per_page, len(items)))


def _links(call: Call, page: int, per_page: int, total: int) -> dict[str, str]:
    last = max(1, -(-total // per_page))
    if last == 1:
        return {}
    base = str(call.request.url).split("?", 1)[0]
    query = dict(call.query)

    def link(number: int, rel: str) -> str:
        params = {**query, "per_page": str(per_page), "page": str(number)}
        return f'<{base}?{urlencode(params)}>; rel="{rel}"'

    parts = []
    if page < last:
        parts += [link(page + 1, "next"), link(last, "last")]
    if page > 1:
        parts += [link(1, "first"), link(page - 1, "prev")]
    return {"Link": ", ".join(parts)}
