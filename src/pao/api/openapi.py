"""The OpenAPI 3.1 document, assembled from the operations of every module.

Component schemas come from the pydantic models that operations name
(``model_json_schema`` through :func:`pydantic.json_schema.models_json_schema`,
so shared sub-models appear once), plus ``Error`` and ``Pagination``. The
errors every operation can answer (400 for unknown parameters, 401 unless
public, 413/415/422 with a body, 500) are added here rather than repeated
in each declaration.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from pao.api.auth import Access
from pao.api.operations import ApiModule, Body, Operation, Parameter, Reply

__all__ = ["build_openapi"]

_REF = "#/components/schemas/{model}"
_ERROR_REF = {"$ref": "#/components/schemas/Error"}

_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message", "details"],
            "properties": {
                "code": {"type": "string", "description": "Stable, snake_case."},
                "message": {"type": "string"},
                "details": {"description": "Structured context, or null."},
            },
        }
    },
}

_PAGINATION_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["has_more", "next_cursor", "total_count"],
    "properties": {
        "has_more": {"type": "boolean"},
        "next_cursor": {
            "type": ["string", "null"],
            "description": "Pass as `cursor` to get the next page.",
        },
        "total_count": {"type": ["integer", "null"]},
    },
}

_SECURITY_SCHEMES = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "description": "A token whose SHA-256 is in the configuration.",
    },
    "trustedProxy": {
        "type": "apiKey",
        "in": "header",
        "name": "X-Forwarded-User",
        "description": "Set by a trusted reverse proxy (header names "
        "configurable), with teams in X-Forwarded-Groups.",
    },
}

_STANDARD_ERRORS = {
    400: "Malformed request: unknown or invalid parameter, bad JSON.",
    401: "Missing or invalid credentials.",
    413: "The body is larger than the configured limit.",
    415: "The body has an unsupported content type.",
    422: "The body does not match the schema.",
    500: "Unexpected error; the message is generic, the log has details.",
}


def build_openapi(
    modules: Sequence[ApiModule], *, title: str, version: str, description: str
) -> dict[str, Any]:
    """The OpenAPI 3.1 document describing every operation of *modules*."""
    refs, schemas = _component_schemas(modules)
    paths: dict[str, dict[str, Any]] = {}
    for module in modules:
        for operation in module.operations:
            item = paths.setdefault(operation.full_path, {})
            item[operation.method.lower()] = _operation(operation, refs)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": description},
        "tags": [
            {"name": module.name, "description": module.description}
            for module in modules
        ],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": _SECURITY_SCHEMES,
        },
        "security": [{"bearer": []}, {"trustedProxy": []}],
    }


_Refs = dict[tuple[type[BaseModel], JsonSchemaMode], dict[str, Any]]


def _component_schemas(
    modules: Sequence[ApiModule],
) -> tuple[_Refs, dict[str, Any]]:
    wanted = sorted(set(_models(modules)), key=lambda pair: pair[0].__name__)
    refs: _Refs = {}
    defs: dict[str, Any] = {}
    if wanted:
        key_map, top = models_json_schema(wanted, ref_template=_REF)
        # Keys are the (model, mode) pairs passed in, all BaseModel types.
        refs = {
            (cast(type[BaseModel], model), mode): dict(value)
            for (model, mode), value in key_map.items()
        }
        defs = dict(top.get("$defs", {}))
    schemas = {"Error": _ERROR_SCHEMA, "Pagination": _PAGINATION_SCHEMA}
    return refs, {**schemas, **dict(sorted(defs.items()))}


def _models(
    modules: Iterable[ApiModule],
) -> Iterable[tuple[type[BaseModel], JsonSchemaMode]]:
    for module in modules:
        for model in module.models:
            yield model, "serialization"
        for operation in module.operations:
            if operation.body is not None and operation.body.model is not None:
                yield operation.body.model, "validation"
            for reply in operation.responses.values():
                if reply.model is not None:
                    yield reply.model, "serialization"


def _operation(operation: Operation, refs: _Refs) -> dict[str, Any]:
    document: dict[str, Any] = {
        "operationId": operation.operation_id,
        "summary": operation.summary,
        "tags": list(operation.tags),
    }
    if operation.description:
        document["description"] = operation.description
    if operation.parameters:
        document["parameters"] = [_parameter(p) for p in operation.parameters]
    if operation.body is not None:
        document["requestBody"] = _request_body(operation.body, refs)
    document["responses"] = _responses(operation, refs)
    if operation.access is Access.PUBLIC:
        document["security"] = []
    return document


def _parameter(parameter: Parameter) -> dict[str, Any]:
    return {
        "name": parameter.name,
        "in": parameter.location,
        "description": parameter.description,
        "required": parameter.required or parameter.location == "path",
        "schema": dict(parameter.schema),
    }


def _request_body(body: Body, refs: _Refs) -> dict[str, Any]:
    schema: dict[str, Any] = dict(body.schema or {})
    if body.model is not None:
        schema = refs[(body.model, "validation")]
    return {
        "description": body.description,
        "required": True,
        "content": {
            media: {"schema": dict(body.media_schemas.get(media, schema))}
            for media in body.content_types
        },
    }


def _responses(operation: Operation, refs: _Refs) -> dict[str, Any]:
    responses = {
        str(status): _reply(reply, refs)
        for status, reply in sorted(operation.responses.items())
    }
    for status in _standard_error_statuses(operation):
        responses.setdefault(
            str(status),
            {
                "description": _STANDARD_ERRORS[status],
                "content": {"application/json": {"schema": _ERROR_REF}},
            },
        )
    return dict(sorted(responses.items()))


def _standard_error_statuses(operation: Operation) -> list[int]:
    statuses = [400, 500]
    if operation.access is not Access.PUBLIC:
        statuses.append(401)
    if operation.body is not None:
        statuses += [413, 415]
        if operation.body.model is not None:
            statuses.append(422)
    return statuses


def _reply(reply: Reply, refs: _Refs) -> dict[str, Any]:
    document: dict[str, Any] = {"description": reply.description}
    if reply.headers:
        document["headers"] = {
            name: {"description": text, "schema": {"type": "string"}}
            for name, text in reply.headers.items()
        }
    schema = _reply_schema(reply, refs)
    if schema is not None:
        document["content"] = {reply.content_type: {"schema": schema}}
    return document


def _reply_schema(reply: Reply, refs: _Refs) -> dict[str, Any] | None:
    schema: dict[str, Any] | None = dict(reply.schema) if reply.schema else None
    if reply.model is not None:
        schema = refs[(reply.model, "serialization")]
    if schema is not None and reply.paginated:
        return {
            "type": "object",
            "required": ["data", "pagination"],
            "properties": {
                "data": {"type": "array", "items": schema},
                "pagination": {"$ref": "#/components/schemas/Pagination"},
            },
        }
    return schema
