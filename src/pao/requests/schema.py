"""The JSON Schema of an item's requests, and its compiled validator.

The schema is built from the item's form: one property per field, the
form's rules as keywords, and each conditional field's rules under an
``if``/``then`` whose ``if`` says when the field is shown (following
:mod:`pao.requests.conditions`). Editors get the whole request document
(:func:`request_schema`); pao validates ``fields`` with a validator
compiled once per item version and content (:func:`compiled_form`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from jsonschema.protocols import Validator

from pao.catalog import syntax
from pao.catalog.fieldschema import FORMAT_CHECKER, FieldValidator, field_schema
from pao.catalog.models import API_VERSION, CatalogItem, Conditional, FormField
from pao.requests.conditions import condition_holds

__all__ = [
    "DRAFT_2020_12",
    "SCHEMA_BASE_URL",
    "CompiledForm",
    "compiled_form",
    "fields_schema",
    "request_schema",
]

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_BASE_URL = "https://pao.dev/schemas/v1"
# Enough for every version of every item of a large catalog.
_CACHE_SIZE = 4096


def fields_schema(item: CatalogItem) -> dict[str, Any]:
    """The schema of a request's ``fields`` mapping for *item*."""
    by_id = {field.id: field for field in item.fields}
    properties: dict[str, Any] = {}
    required: list[str] = []
    conditionals: list[dict[str, Any]] = []
    for field in item.fields:
        schema = field_schema(field)
        if field.conditional is None:
            properties[field.id] = schema
            if field.required:
                # A default fills the form in a UI; a file must still say it.
                required.append(field.id)
            continue
        # Only the annotations stay unconditional: a hidden field's value
        # is ignored, not validated.
        properties[field.id] = _annotations(schema)
        then: dict[str, Any] = {"properties": {field.id: schema}}
        if field.required:
            then["required"] = [field.id]
        conditionals.append({"if": _shown_when(field, by_id, set()), "then": then})
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = required
    schema["additionalProperties"] = False
    if conditionals:
        schema["allOf"] = conditionals
    return schema


def _annotations(schema: dict[str, Any]) -> dict[str, Any]:
    keys = ("title", "description", "default")
    return {key: schema[key] for key in keys if key in schema}


def _shown_when(
    field: FormField, by_id: dict[str, FormField], seen: set[str]
) -> dict[str, Any]:
    """A schema that holds exactly when *field* is shown."""
    conditional = field.conditional
    if conditional is None:
        return {}
    dependency = by_id.get(conditional.depends_on)
    if dependency is None or field.id in seen:
        return {"not": {}}  # never shown; the catalog check reports why
    test = _holds_for(conditional, dependency)
    upstream = _shown_when(dependency, by_id, seen | {field.id})
    return {"allOf": [upstream, test]} if upstream else test


def _holds_for(conditional: Conditional, dependency: FormField) -> dict[str, Any]:
    name, expected = dependency.id, conditional.value
    tests = {
        "equals": {"const": expected},
        "notEquals": {"not": {"const": expected}},
        "in": {"enum": expected if isinstance(expected, list) else []},
        "notIn": {"not": {"enum": expected if isinstance(expected, list) else []}},
    }
    given = {"required": [name], "properties": {name: tests[conditional.condition]}}
    # An absent dependency stands at its default.
    if condition_holds(conditional, dependency.default):
        return {"anyOf": [given, {"not": {"required": [name]}}]}
    return given


def request_schema(item: CatalogItem) -> dict[str, Any]:
    """The schema of a whole request file for *item*, for editors."""
    fields = fields_schema(item)
    required = ["apiVersion", "kind", "catalogItem", "team"]
    if fields.get("required"):
        required.append("fields")
    return {
        "$schema": DRAFT_2020_12,
        "$id": f"{SCHEMA_BASE_URL}/requests/{item.id}.json",
        "title": f"Request for {item.metadata.name}",
        "description": item.metadata.description or item.metadata.name,
        "type": "object",
        "properties": {
            "apiVersion": {"const": API_VERSION},
            "kind": {"const": "Request"},
            "catalogItem": {"const": item.id},
            "team": {
                "description": "The requesting team, org/team-slug",
                "type": "string",
                "pattern": syntax.TEAM.pattern,
            },
            "fields": fields,
        },
        "required": required,
        "additionalProperties": False,
    }


@dataclass(frozen=True, slots=True)
class CompiledForm:
    """An item's form, ready to validate the ``fields`` of many requests."""

    schema: dict[str, Any]
    validator: Validator
    fields: dict[str, FormField]


_cache: OrderedDict[tuple[str, str, str], CompiledForm] = OrderedDict()
_cache_lock = threading.Lock()


def compiled_form(item: CatalogItem) -> CompiledForm:
    """The compiled form of *item*, built once per id, version and content."""
    key = (item.id, item.metadata.version, item.fingerprint)
    with _cache_lock:
        compiled = _cache.get(key)
        if compiled is not None:
            _cache.move_to_end(key)
            return compiled
    compiled = _compile(item)
    with _cache_lock:
        _cache[key] = compiled
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return compiled


def _compile(item: CatalogItem) -> CompiledForm:
    schema = fields_schema(item)
    validator = FieldValidator(schema, format_checker=FORMAT_CHECKER)
    return CompiledForm(schema, validator, {field.id: field for field in item.fields})
