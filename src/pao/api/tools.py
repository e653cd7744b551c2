"""Tools for platform teams: check an item or a request, preview a form,
try a template. The same checks ``pao catalog validate``, ``pao request
validate``, ``pao form`` and ``pao template render`` run.

Item and request text comes as the body itself (``application/yaml``,
``text/yaml``, ``text/plain``) or as ``{"content": "..."}`` in JSON.
Findings carry no file name (there is none): each has the line, column
and, where the text parsed, the path of the key it is about.
"""

from __future__ import annotations

import difflib
from typing import Any

from pydantic import BaseModel, Field, ValidationError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pao.api.body import parse_json, validate_model
from pao.api.catalog import FormResponse
from pao.api.errors import BadRequest, ValidationFailed
from pao.api.operations import ApiModule, Body, Operation, Reply, body_bytes, body_model
from pao.api.rendering import ERROR_SCHEMA
from pao.api.services import services_of
from pao.api.tool_findings import Finding, ToolVerdict, verdict
from pao.catalog import CatalogItem, CatalogLoad, build_form, validate_item_text
from pao.core.yamlio import YamlLoadError, load_yaml
from pao.requests import validate_request_text
from pao.store import Store
from pao.templates import render_for_test

__all__ = ["MODULE", "TemplateTest", "ToolText"]

_TEXT_TYPES = ("application/yaml", "text/yaml", "text/plain")
_JSON = "application/json"


class ToolText(BaseModel):
    """A document to check, when sent as JSON."""

    content: str = Field(description="The YAML (or JSON) text of the document.")
    filename: str | None = Field(
        default=None,
        description="Where the file would live, e.g. "
        "`catalog/databases/postgres-database.yaml`; its id and category "
        "are then checked against the path.",
    )


class TemplateTest(BaseModel):
    """A template and the variables to render it with."""

    template: str = Field(max_length=256 * 1024)
    variables: dict[str, Any] = Field(
        default_factory=dict,
        description="Keyed by scope: fields, metadata, request, system, "
        "environment, outputs, secrets (secret values render masked).",
    )


class TemplateError(BaseModel):
    message: str
    line: int | None
    column: int | None
    path: str | None


class TemplateReference(BaseModel):
    path: str
    line: int
    column: int


class TemplateOutcome(BaseModel):
    ok: bool
    output: str | None
    error: TemplateError | None
    references: list[TemplateReference]


# -- endpoints -----------------------------------------------------------------


def _validate_item(request: Request) -> Response:
    text, filename = _read_text(request)
    _, found = validate_item_text(text, filename=filename or "<input>")
    return JSONResponse(verdict(text, found))


def _validate_request(request: Request) -> Response:
    text, filename = _read_text(request)
    catalog = _catalog_for(services_of(request).store, text)
    _, found = validate_request_text(text, catalog, filename=filename or "<input>")
    return JSONResponse(verdict(text, found))


def _preview_form(request: Request) -> Response:
    text, filename = _read_text(request)
    item, found = validate_item_text(text, filename=filename or "<input>")
    if item is None:
        raise ValidationFailed(
            "the catalog item has errors; fix them to preview its form",
            code="invalid_catalog_item",
            details=verdict(text, found),
        )
    return JSONResponse(build_form(item))


def _test_variables(request: Request) -> Response:
    body = body_model(request, TemplateTest)
    return JSONResponse(render_for_test(body.template, body.variables).as_dict())


# -- steps ---------------------------------------------------------------------


def _read_text(request: Request) -> tuple[str, str | None]:
    raw = body_bytes(request)
    media_type = request.headers.get("content-type", "").split(";", 1)[0]
    if media_type.strip().lower() in _TEXT_TYPES:
        return _decode(raw), None
    body = validate_model(ToolText, parse_json(raw))
    return body.content, body.filename


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("the body is not UTF-8 text", code="invalid_text") from None


def _catalog_for(store: Store, text: str) -> CatalogLoad:
    """The part of the current catalog that checking *text* needs: the
    item it names, or the items its name is close to."""
    item_id = _requested_item(text)
    if item_id is None:
        return CatalogLoad()
    stored = _stored_model(store, item_id)
    if stored is not None:
        return CatalogLoad.from_items([stored])
    catalog = CatalogLoad.from_items(_near_items(store, item_id))
    for version in store.list_validation_errors():
        if version.item_id == item_id:
            catalog.broken[item_id] = version.path
    return catalog


def _requested_item(text: str) -> str | None:
    try:
        data = load_yaml(text).data
    except YamlLoadError:
        return None
    item_id = data.get("catalogItem") if isinstance(data, dict) else None
    return item_id if isinstance(item_id, str) else None


def _stored_model(store: Store, item_id: str) -> CatalogItem | None:
    stored = store.get_catalog_item(item_id)
    if stored is None or stored.current.data is None:
        return None
    try:
        return CatalogItem.model_validate(stored.current.data)
    except ValidationError:
        # Indexed by an older pao whose format this one no longer reads;
        # the next re-index reports it.
        return None


def _near_items(store: Store, item_id: str) -> list[CatalogItem]:
    ids = store.list_catalog_item_ids()
    close = difflib.get_close_matches(item_id, ids, n=3)
    models = (_stored_model(store, near) for near in close)
    return [model for model in models if model is not None]


# -- operations ----------------------------------------------------------------

_TEXT_BODY = Body(
    'The document: YAML or JSON text, or `{"content": "..."}` as JSON.',
    content_types=(_JSON, *_TEXT_TYPES),
    model=ToolText,
    parse_json=False,
    media_schemas={media: {"type": "string"} for media in _TEXT_TYPES},
)


def _tool(
    path: str, endpoint: Any, operation_id: str, summary: str, **kwargs: Any
) -> Operation:
    return Operation(
        method="POST",
        path=path,
        endpoint=endpoint,
        operation_id=operation_id,
        summary=summary,
        tags=("tools",),
        **kwargs,
    )


MODULE = ApiModule(
    name="tools",
    description="Checks and previews for people writing items and requests.",
    operations=(
        _tool(
            "/validate/catalog-item",
            _validate_item,
            "validateCatalogItem",
            "Check a catalog item",
            description="Schema, ids, owner, conditions and template variables, "
            "as `pao catalog validate` checks them.",
            body=_TEXT_BODY,
            responses={200: Reply("The verdict.", model=ToolVerdict)},
        ),
        _tool(
            "/validate/request",
            _validate_request,
            "validateRequest",
            "Check a request against the current catalog",
            description="As `pao request validate` checks it, against the "
            "catalog the index serves now.",
            body=_TEXT_BODY,
            responses={200: Reply("The verdict.", model=ToolVerdict)},
        ),
        _tool(
            "/preview/form",
            _preview_form,
            "previewForm",
            "Preview the form of a catalog item",
            description="The form response `GET /catalog/items/{id}/schema` "
            "would give once the item is merged; 422 lists the item's errors "
            "in `error.details`.",
            body=_TEXT_BODY,
            responses={
                200: Reply("The form.", model=FormResponse),
                422: Reply("The item has errors.", schema=ERROR_SCHEMA),
            },
        ),
        _tool(
            "/test/variables",
            _test_variables,
            "testVariables",
            "Render a template against variables",
            description="Secrets render masked and are never resolved. A "
            "template that fails answers `ok: false` with the error's line and "
            "variable path.",
            body=Body("The template and its variables.", model=TemplateTest),
            responses={200: Reply("The outcome.", model=TemplateOutcome)},
        ),
    ),
    models=(Finding,),
)
