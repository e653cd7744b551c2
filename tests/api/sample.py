"""A feature module built the way catalog and requests modules are."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pao.api import (
    PAGE_PARAMETERS,
    ApiModule,
    Body,
    Operation,
    Parameter,
    Reply,
    body_model,
    page_response,
    principal_of,
    read_page,
    require_visible_request,
)
from pao.api.pagination import trim_page

ITEMS = [{"id": f"item-{n:03d}", "n": n} for n in range(120)]
# A secret-looking string that must never reach a response.
INTERNAL_DETAIL = "password=hunter2 at /srv/pao/internal.py"


class EchoIn(BaseModel):
    name: str = Field(min_length=1)
    size: int = Field(ge=1, le=10)


class Item(BaseModel):
    id: str
    n: int


class Who(BaseModel):
    user: str
    teams: list[str]
    admin: bool


def echo(request: Request) -> Response:
    return JSONResponse(body_model(request, EchoIn).model_dump())


async def echo_async(request: Request) -> Response:
    return JSONResponse(body_model(request, EchoIn).model_dump())


def boom(request: Request) -> Response:
    raise RuntimeError(INTERNAL_DETAIL)


def whoami(request: Request) -> Response:
    principal = principal_of(request)
    return JSONResponse(
        {
            "user": principal.user,
            "teams": sorted(principal.teams),
            "admin": principal.admin,
        }
    )


def list_items(request: Request) -> Response:
    return _list(request, "items")


def list_others(request: Request) -> Response:
    return _list(request, "others")


def _list(request: Request, listing: str) -> Response:
    page = read_page(request, listing=listing)
    start = 0 if page.after is None else int(str(page.after[0])) + 1
    rows, has_more = trim_page(ITEMS[start : start + page.limit + 1], page)
    return page_response(
        request,
        rows,
        page=page,
        render=lambda row: row,
        has_more=has_more,
        next_keys=(rows[-1]["n"],) if rows else None,
        total_count=len(ITEMS),
    )


def get_request(request: Request) -> Response:
    # Team "acme/payments" requested it; "acme/dba" owns the item.
    require_visible_request(
        principal_of(request),
        request_team="acme/payments",
        owner_team="acme/dba",
        request_id=request.path_params["name"],
    )
    return JSONResponse({"name": request.path_params["name"]})


def _op(method: str, path: str, endpoint: Any, op_id: str, **kw: Any) -> Operation:
    return Operation(
        method=method,
        path=path,
        endpoint=endpoint,
        operation_id=op_id,
        summary=op_id,
        tags=("sample",),
        **kw,
    )


MODULE = ApiModule(
    name="sample",
    description="Operations exercising the foundations.",
    operations=(
        _op(
            "POST",
            "/echo",
            echo,
            "echo",
            body=Body("Something to echo.", model=EchoIn),
            responses={200: Reply("The same.", model=EchoIn)},
        ),
        _op(
            "POST",
            "/echo-async",
            echo_async,
            "echoAsync",
            body=Body("Something to echo.", model=EchoIn),
            responses={200: Reply("The same.", model=EchoIn)},
        ),
        _op("GET", "/boom", boom, "boom"),
        _op(
            "GET",
            "/whoami",
            whoami,
            "whoami",
            responses={200: Reply("The caller.", model=Who)},
        ),
        _op(
            "GET",
            "/items",
            list_items,
            "listItems",
            parameters=PAGE_PARAMETERS,
            responses={200: Reply("A page.", model=Item, paginated=True)},
        ),
        _op(
            "GET",
            "/others",
            list_others,
            "listOthers",
            parameters=PAGE_PARAMETERS,
            responses={200: Reply("A page.", model=Item, paginated=True)},
        ),
        _op(
            "GET",
            "/sample/requests/{name}",
            get_request,
            "getSampleRequest",
            parameters=(Parameter("name", "The request.", location="path"),),
            responses={
                200: Reply("The request.", schema={"type": "object"}),
                404: Reply(
                    "No such request, or not visible to the caller.",
                    schema={"$ref": "#/components/schemas/Error"},
                ),
            },
        ),
    ),
)
