"""Check bodies against an OpenAPI 3.0 description, e.g. GitHub's.

``check_response`` and ``check_request`` validate a JSON body against the
schema an operation declares, with ``$ref``s resolved inside the same
document. OpenAPI 3.0's ``nullable: true`` is translated to JSON Schema
(``null`` added to the type), since ``jsonschema`` does not know it.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft4Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

__all__ = [
    "GITHUB_OPENAPI",
    "check_request",
    "check_response",
    "load_openapi",
    "operation",
]

GITHUB_OPENAPI = Path("github-openapi") / "api.github.com.pao-subset.json"
_BASE_URI = "urn:openapi"


def load_openapi(fixtures_dir: Path, relative: Path = GITHUB_OPENAPI) -> dict[str, Any]:
    """Load an OpenAPI document from the shared fixtures, or skip the test."""
    path = fixtures_dir / relative
    if not path.is_file():
        pytest.skip(f"OpenAPI description not found at {path}")
    return _load(str(path))


@cache
def _load(path: str) -> dict[str, Any]:
    # Cached: callers share one translated document and must not change it.
    converted: dict[str, Any] = _nullable_to_type(json.loads(Path(path).read_text()))
    return converted


def _nullable_to_type(node: Any) -> Any:
    if isinstance(node, list):
        return [_nullable_to_type(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _nullable_to_type(value) for key, value in node.items()}
    if node.pop("nullable", False) is True:
        if isinstance(node.get("type"), str):
            node["type"] = [node["type"], "null"]
        if isinstance(node.get("enum"), list) and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
        if "type" not in node and (
            "$ref" in node or "allOf" in node or "oneOf" in node
        ):
            node = {"anyOf": [{"type": "null"}, node]}
    return node


def operation(
    openapi: dict[str, Any], method: str, path_template: str
) -> dict[str, Any]:
    """The operation object at ``paths[path_template][method]``."""
    try:
        found: dict[str, Any] = openapi["paths"][path_template][method.lower()]
    except KeyError:
        message = f"{method.upper()} {path_template} is not in the OpenAPI description"
        raise AssertionError(message) from None
    return found


def _validate(openapi: dict[str, Any], schema: dict[str, Any], body: Any) -> None:
    resource: Resource[Any] = DRAFT4.create_resource(openapi)
    registry: Registry[Any] = Registry().with_resource(_BASE_URI, resource)
    rooted = json.loads(json.dumps(schema).replace('"#/', f'"{_BASE_URI}#/'))
    Draft4Validator(rooted, registry=registry).validate(body)


def check_response(
    openapi: dict[str, Any], method: str, path_template: str, status: int, body: Any
) -> None:
    """Raise ``jsonschema.ValidationError`` unless *body* fits the response."""
    responses = operation(openapi, method, path_template)["responses"]
    response = responses.get(str(status)) or responses.get("default")
    if response is None:
        message = f"{method.upper()} {path_template} documents no {status} response"
        raise AssertionError(message)
    if "$ref" in response:
        # Shared answers (not_found, validation_failed…) live under
        # components/responses.
        name = response["$ref"].rsplit("/", 1)[-1]
        response = openapi["components"]["responses"][name]
    content = response.get("content")
    if content is None:
        if body not in (None, b"", ""):
            message = f"{status} has no body in the description, got {body!r}"
            raise AssertionError(message)
        return
    _validate(openapi, content["application/json"]["schema"], body)


def check_request(
    openapi: dict[str, Any], method: str, path_template: str, body: Any
) -> None:
    """Raise ``jsonschema.ValidationError`` unless *body* fits the request."""
    request_body = operation(openapi, method, path_template).get("requestBody")
    if request_body is None:
        message = f"{method.upper()} {path_template} takes no request body"
        raise AssertionError(message)
    _validate(openapi, request_body["content"]["application/json"]["schema"], body)
