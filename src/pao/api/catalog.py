"""The catalog: browse items, read one item and its form, see what is broken.

Everything here reads the catalog index the controller keeps, through the
cache (:class:`~pao.store.CacheKeys`: listings and items for five
minutes, forms for an hour). The controller drops every ``catalog:*`` key
when the catalog changes, so a cached answer never outlives the commit it
came from by more than the local layer's few seconds.

Cached items and forms are kept as their rendered JSON text: a hit is
answered without decoding and re-encoding the item.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import structlog
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pao.api.auth import principal_of
from pao.api.errors import BadRequest, Forbidden, NotFound
from pao.api.operations import ApiModule, Operation, Parameter, Reply
from pao.api.pagination import PAGE_PARAMETERS, page_response, read_page
from pao.api.rendering import (
    ERROR_SCHEMA,
    Diagnostic,
    json_text,
    json_text_response,
    read_through,
)
from pao.api.services import services_of
from pao.catalog import CatalogItem as ItemModel
from pao.catalog import build_form
from pao.store import CacheKeys, CatalogItem, CatalogVersion, cached

__all__ = [
    "MODULE",
    "CatalogItemDetail",
    "CatalogItemSummary",
    "FormResponse",
    "ValidationErrorEntry",
]

log = structlog.get_logger(__name__)

LIFECYCLE_STATUSES = ("active", "deprecated", "retired")


class CatalogItemSummary(BaseModel):
    """One item as the catalog lists it."""

    id: str
    name: str
    description: str
    version: str | None
    category: str
    tags: list[str]
    owner_team: str | None
    lifecycle_status: str
    stale: bool
    path: str
    commit: str
    updated_at: datetime


class CatalogItemDetail(CatalogItemSummary):
    """One item with its whole definition, as written in its file."""

    indexed_at: datetime
    item: dict[str, Any]


class FormOption(BaseModel):
    value: int | float | str
    label: str


class FormConditional(BaseModel):
    dependsOn: str  # the file format's name
    condition: str
    value: Any


class FormFieldOut(BaseModel):
    id: str
    name: str
    type: str
    component: str
    required: bool
    description: str | None
    default: Any
    placeholder: str | None
    options: list[FormOption]
    validation: dict[str, Any]
    conditional: FormConditional | None


class FormGroupOut(BaseModel):
    id: str
    name: str
    description: str | None
    fields: list[FormFieldOut]


class FormValidation(BaseModel):
    endpoint: str


class FormResponse(BaseModel):
    """What a UI needs to draw an item's request form."""

    item_id: str
    name: str
    description: str
    version: str
    groups: list[FormGroupOut]
    validation: FormValidation


class ValidationErrorEntry(BaseModel):
    """An item whose newest file version is invalid."""

    item_id: str
    path: str
    commit: str
    indexed_at: datetime
    #: Whether an older valid version keeps serving.
    serving_version: str | None
    diagnostics: list[Diagnostic]


class RefreshAccepted(BaseModel):
    status: str


# -- listing -----------------------------------------------------------------


def _list_items(request: Request) -> Response:
    filters = _list_filters(request)
    page = read_page(request, listing="catalog")
    summaries: list[dict[str, Any]] = cached(
        services_of(request).cache,
        CacheKeys.catalog_list(filters),
        ttl=CacheKeys.CATALOG_LIST_TTL,
        load=lambda: _load_summaries(request, filters),
    )
    after = str(page.after[0]) if page.after else None
    rows = [row for row in summaries if after is None or row["id"] > after]
    shown = rows[: page.limit]
    return page_response(
        request,
        shown,
        page=page,
        render=lambda row: row,
        has_more=len(rows) > page.limit,
        next_keys=(shown[-1]["id"],) if shown else None,
        total_count=len(summaries),
    )


def _list_filters(request: Request) -> dict[str, str]:
    query = request.query_params
    status = query.get("status")
    if status is not None and status not in LIFECYCLE_STATUSES:
        message = (
            f"status must be one of {', '.join(LIFECYCLE_STATUSES)}, got {status!r}"
        )
        raise BadRequest(
            message, code="invalid_parameter", details={"parameter": "status"}
        )
    found = {
        "category": query.get("category"),
        "tag": query.get("tag"),
        "lifecycle_status": status,
        "search": query.get("q"),
        # Both texts must match when both are given.
        "also": query.get("search"),
    }
    if not found["search"]:
        found["search"], found["also"] = found["also"], None
    return {name: value for name, value in found.items() if value}


def _load_summaries(request: Request, filters: dict[str, str]) -> list[dict[str, Any]]:
    query = dict(filters)
    also = query.pop("also", "").lower()
    items = services_of(request).store.list_catalog_items(**query)
    return [_summary(item) for item in items if also in _search_text(item)]


def _search_text(item: CatalogItem) -> str:
    # What the index searches: id, name, description and tags.
    current = item.current
    words = [item.item_id, current.name, current.description, *current.tags]
    return " ".join(words).lower()


def _summary(item: CatalogItem) -> dict[str, Any]:
    current = item.current
    return {
        "id": item.item_id,
        "name": current.name,
        "description": current.description,
        "version": current.version,
        "category": current.category,
        "tags": current.tags,
        "owner_team": current.owner_team,
        "lifecycle_status": current.lifecycle_status,
        "stale": item.stale,
        "path": current.path,
        "commit": current.commit_sha,
        "updated_at": item.updated_at.isoformat(),
    }


# -- one item ----------------------------------------------------------------


async def _get_item(request: Request) -> Response:
    item_id = request.path_params["item_id"]
    text = await read_through(
        services_of(request).cache,
        CacheKeys.catalog_item(item_id),
        ttl=CacheKeys.CATALOG_ITEM_TTL,
        load=lambda: _render_item(request, item_id),
    )
    if text is None:
        raise _no_item(item_id)
    return json_text_response(text)


def _render_item(request: Request, item_id: str) -> str | None:
    item = services_of(request).store.get_catalog_item(item_id)
    if item is None:
        return None
    detail = {
        **_summary(item),
        "indexed_at": item.current.indexed_at.isoformat(),
        "item": item.current.data,
    }
    return json_text(detail)


async def _get_form(request: Request) -> Response:
    item_id = request.path_params["item_id"]
    text = await read_through(
        services_of(request).cache,
        CacheKeys.catalog_schema(item_id),
        ttl=CacheKeys.CATALOG_SCHEMA_TTL,
        load=lambda: _render_form(request, item_id),
    )
    if text is None:
        raise _no_item(item_id)
    return json_text_response(text)


def _render_form(request: Request, item_id: str) -> str | None:
    item = services_of(request).store.get_catalog_item(item_id)
    if item is None or item.current.data is None:
        return None
    model = ItemModel.model_validate(item.current.data)
    return json_text(build_form(model))


def _no_item(item_id: str) -> NotFound:
    return NotFound(f"no catalog item {item_id!r}", code="catalog_item_not_found")


# -- operations --------------------------------------------------------------


def _refresh(request: Request) -> Response:
    principal = principal_of(request)
    if not principal.admin:
        raise Forbidden(
            "only admins may trigger a catalog refresh", code="admin_required"
        )
    services_of(request).refresh_catalog()
    log.info("catalog_refresh_requested", user=principal.user)
    return JSONResponse({"status": "accepted"}, status_code=202)


def _validation_errors(request: Request) -> Response:
    page = read_page(request, listing="catalog-validation-errors")
    versions = sorted(
        services_of(request).store.list_validation_errors(),
        key=lambda version: (version.path, version.item_id),
    )
    after = tuple(str(key) for key in page.after) if page.after else None
    rows = [v for v in versions if after is None or (v.path, v.item_id) > after]
    shown = rows[: page.limit]
    serving = _serving_versions(request, shown)
    return page_response(
        request,
        shown,
        page=page,
        render=lambda version: _error_entry(version, serving.get(version.item_id)),
        has_more=len(rows) > page.limit,
        next_keys=(shown[-1].path, shown[-1].item_id) if shown else None,
        total_count=len(versions),
    )


def _serving_versions(
    request: Request, versions: list[CatalogVersion]
) -> dict[str, str | None]:
    store = services_of(request).store
    serving: dict[str, str | None] = {}
    for version in versions:
        item = store.get_catalog_item(version.item_id)
        serving[version.item_id] = item.current.version if item else None
    return serving


def _error_entry(version: CatalogVersion, serving: str | None) -> dict[str, Any]:
    return {
        "item_id": version.item_id,
        "path": version.path,
        "commit": version.commit_sha,
        "indexed_at": version.indexed_at.isoformat(),
        "serving_version": serving,
        "diagnostics": version.diagnostics,
    }


_ITEM_ID = Parameter("item_id", "The item's id, as in its file name.", location="path")
_NOT_FOUND = Reply("No such item in the catalog.", schema=ERROR_SCHEMA)


def _op(**kwargs: Any) -> Operation:
    return Operation(tags=("catalog",), **kwargs)


MODULE = ApiModule(
    name="catalog",
    description="The service catalog: items, their forms, and broken files.",
    operations=(
        _op(
            method="GET",
            path="/catalog",
            endpoint=_list_items,
            operation_id="listCatalogItems",
            summary="List catalog items",
            description="Items are ordered by id. `q` (or `search`) matches a "
            "substring of the id, name, description or tags, ignoring case.",
            parameters=(
                *PAGE_PARAMETERS,
                Parameter("category", "Only items of this category."),
                Parameter("tag", "Only items carrying this tag."),
                Parameter(
                    "status",
                    "Only items in this lifecycle status.",
                    schema={"type": "string", "enum": list(LIFECYCLE_STATUSES)},
                ),
                Parameter("q", "Text to look for in id, name, description, tags."),
                Parameter("search", "The same as `q` (both must match if given)."),
            ),
            responses={
                200: Reply("A page of items.", model=CatalogItemSummary, paginated=True)
            },
        ),
        _op(
            method="GET",
            path="/catalog/items/{item_id}",
            endpoint=_get_item,
            operation_id="getCatalogItem",
            summary="Get one catalog item",
            description="The item's latest valid version. `stale` is true when "
            "a newer version of its file is invalid (see the validation errors).",
            parameters=(_ITEM_ID,),
            responses={
                200: Reply("The item.", model=CatalogItemDetail),
                404: _NOT_FOUND,
            },
        ),
        _op(
            method="GET",
            path="/catalog/items/{item_id}/schema",
            endpoint=_get_form,
            operation_id="getCatalogItemForm",
            summary="Get the request form of an item",
            description="Groups and fields with their UI component, validation "
            "rules and conditions; `validation.endpoint` checks a filled-in "
            "request.",
            parameters=(_ITEM_ID,),
            responses={200: Reply("The form.", model=FormResponse), 404: _NOT_FOUND},
        ),
        _op(
            method="POST",
            path="/catalog/refresh",
            endpoint=_refresh,
            operation_id="refreshCatalog",
            summary="Re-read the catalog repository now",
            description="Admins only. The re-index runs in the background; the "
            "answer only says it was asked for.",
            responses={
                202: Reply("The refresh was scheduled.", model=RefreshAccepted),
                403: Reply("The caller is not an admin.", schema=ERROR_SCHEMA),
            },
        ),
        _op(
            method="GET",
            path="/catalog/validation-errors",
            endpoint=_validation_errors,
            operation_id="listCatalogValidationErrors",
            summary="List items whose newest file version is invalid",
            description="Ordered by path. `serving_version` is the older valid "
            "version that keeps serving, if there is one.",
            parameters=PAGE_PARAMETERS,
            responses={
                200: Reply(
                    "A page of invalid items.",
                    model=ValidationErrorEntry,
                    paginated=True,
                )
            },
        ),
    ),
)
