"""The OpenAPI document and the docs page describe every route."""

from __future__ import annotations

from collections.abc import Callable
from html.parser import HTMLParser
from typing import Any

import pytest
import schemathesis
from starlette.routing import Route
from starlette.testclient import TestClient

from pao.api import ApiModule, Operation

from .conftest import ALICE_TOKEN, AppFactory, bearer
from .sample import MODULE

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def api(make_app: AppFactory, make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(make_app(modules=[MODULE]))


@pytest.fixture
def document(api: TestClient) -> dict[str, Any]:
    response = api.get("/api/v1/openapi.json", headers=bearer(ALICE_TOKEN))
    assert response.status_code == 200
    return response.json()  # type: ignore[no-any-return]


def operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    ]


def test_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"] == "3.1.0"

    schemathesis.openapi.from_dict(document).validate()


def test_every_route_is_documented(api: TestClient, document: dict[str, Any]) -> None:
    routes = {
        (method.lower(), route.path)
        for route in api.app.routes  # type: ignore[attr-defined]
        if isinstance(route, Route)
        for method in route.methods or ()
        if method != "HEAD"
    }

    documented = {(method, path) for method, path, _ in operations(document)}

    assert routes == documented
    assert ("post", "/api/v1/webhooks/github") in documented
    assert ("get", "/api/v1/items") in documented


def test_public_operations_declare_no_security(document: dict[str, Any]) -> None:
    public = {path for _, path, op in operations(document) if op.get("security") == []}

    assert public == {
        "/api/v1/health",
        "/api/v1/health/ready",
        "/api/v1/version",
        "/api/v1/webhooks/github",
        "/api/v1/webhooks/jira",
        "/api/v1/webhooks/terraform",
    }


def test_standard_errors_are_documented(document: dict[str, Any]) -> None:
    echo = document["paths"]["/api/v1/echo"]["post"]

    assert set(echo["responses"]) >= {"200", "400", "401", "413", "415", "422", "500"}
    error = echo["responses"]["422"]["content"]["application/json"]["schema"]
    assert error == {"$ref": "#/components/schemas/Error"}


def test_models_become_component_schemas(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    body = document["paths"]["/api/v1/echo"]["post"]["requestBody"]

    assert body["content"]["application/json"]["schema"]["$ref"].startswith(
        "#/components/schemas/EchoIn"
    )
    assert {"Error", "Pagination", "Health", "Readiness", "Version", "Receipt"} <= set(
        schemas
    )
    assert schemas["Health"]["properties"]["status"]["const"] == "ok"


def test_paginated_reply_wraps_items(document: dict[str, Any]) -> None:
    listing = document["paths"]["/api/v1/items"]["get"]
    schema = listing["responses"]["200"]["content"]["application/json"]["schema"]

    assert schema["properties"]["data"]["items"] == {
        "$ref": "#/components/schemas/Item"
    }
    assert schema["properties"]["pagination"] == {
        "$ref": "#/components/schemas/Pagination"
    }
    names = [p["name"] for p in listing["parameters"]]
    assert names == ["limit", "cursor"]


def test_path_parameters_are_required(document: dict[str, Any]) -> None:
    operation = document["paths"]["/api/v1/sample/requests/{name}"]["get"]

    assert operation["parameters"][0] == {
        "name": "name",
        "in": "path",
        "description": "The request.",
        "required": True,
        "schema": {"type": "string"},
    }


def test_duplicate_operations_are_refused(make_app: AppFactory) -> None:
    twice = ApiModule(name="twice", description="", operations=MODULE.operations)

    with pytest.raises(ValueError, match="declared twice"):
        make_app(modules=[MODULE, twice])


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.text: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.ids.update(value for name, value in attrs if name == "id" and value)

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_docs_page_lists_every_operation(
    api: TestClient, document: dict[str, Any]
) -> None:
    response = api.get("/api/v1/docs", headers=bearer(ALICE_TOKEN))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = _Collector()
    page.feed(response.text)
    text = " ".join(page.text)
    for method, path, operation in operations(document):
        assert operation["operationId"] in page.ids
        assert path in text
        assert method.upper() in text
    assert "script" not in page.tags
    assert "http://" not in response.text
    assert "https://" not in response.text


def test_docs_page_escapes_what_it_shows() -> None:
    from pao.api.docs import render_docs

    html = render_docs(
        {
            "info": {
                "title": "<b>x</b>",
                "version": "1",
                "description": "Send `X-Hub-Signature-256`, not <script>.",
            },
            "tags": [],
            "paths": {},
            "components": {"schemas": {}},
        }
    )

    assert "<b>x</b>" not in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html
    assert "<code>X-Hub-Signature-256</code>, not &lt;script&gt;." in html


def test_operation_full_path_is_under_api_v1() -> None:
    operation = Operation(
        method="GET",
        path="/x",
        endpoint=lambda request: None,  # type: ignore[arg-type,return-value]
        operation_id="x",
        summary="x",
    )

    assert operation.full_path == "/api/v1/x"


def test_create_app_serves_base_modules_without_features(
    make_app: AppFactory,
) -> None:
    app = make_app()

    assert {route.path for route in app.routes} >= {  # type: ignore[attr-defined]
        "/api/v1/health",
        "/api/v1/openapi.json",
        "/api/v1/docs",
    }
