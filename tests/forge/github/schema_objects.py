"""Objects that satisfy GitHub's OpenAPI schemas, for the fake server.

``answer`` builds the least object a response schema allows (every required
property, filled by type) and lays the values a test cares about over it;
the fake server then checks the result against the same description, so a
wrong override fails the test instead of slipping through.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from openapi_check import operation

_STRINGS = {
    "date-time": "2024-01-02T03:04:05Z",
    "uri": "https://github.example/x",
    "uri-template": "https://github.example/x{/y}",
    "email": "someone@acme.example",
    "uuid": "00000000-0000-4000-8000-000000000000",
}


def _resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        node: Any = doc
        for part in schema["$ref"].removeprefix("#/").split("/"):
            node = node[part]
        schema = node
    return schema


def least(doc: dict[str, Any], schema: dict[str, Any]) -> Any:
    """The smallest value *schema* accepts, with every required field."""
    schema = _resolve(doc, schema)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged |= least(doc, part)
        return merged
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if _resolve(doc, o).get("type") != "null"]
            return least(doc, options[0])
    if schema.get("enum"):
        return next(value for value in schema["enum"] if value is not None)
    kind = schema.get("type", "object")
    if isinstance(kind, list):
        kind = next(k for k in kind if k != "null")
    if kind == "object":
        properties = schema.get("properties", {})
        return {
            name: least(doc, properties.get(name, {}))
            for name in schema.get("required", [])
        }
    return {
        "array": [],
        "integer": 1,
        "number": 1,
        "boolean": False,
        "string": _STRINGS.get(schema.get("format", ""), "x"),
    }[kind]


def overlay(base: Any, values: Any) -> Any:
    """*values* laid over *base*, dictionaries merged key by key."""
    if isinstance(base, dict) and isinstance(values, dict):
        merged = dict(base)
        for key, value in values.items():
            merged[key] = overlay(base.get(key), value)
        return merged
    return values


def answer(
    doc: dict[str, Any],
    method: str,
    template: str,
    status: int,
    values: Any,
    *,
    item: bool = False,
    component: str | None = None,
) -> Any:
    """The response body of *method template* with *values* laid over the
    least body its schema allows (*item*: one element of a list body;
    *component*: the schema of that name, where the body is one of several).
    """
    response = operation(doc, method, template)["responses"][str(status)]
    schema = _resolve(doc, response["content"]["application/json"]["schema"])
    if component is not None:
        schema = doc["components"]["schemas"][component]
    if item:
        schema = schema["items"]
    return overlay(least(doc, schema), values)


def sha_of(*parts: Any) -> str:
    """A stable 40-hex id for *parts*, as git would give a tree or commit."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()
