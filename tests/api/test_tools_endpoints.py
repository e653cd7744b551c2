"""The platform-team tools: validate items and requests, preview forms,
render templates."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from pao.store import Store

from .conftest import AppFactory
from .seeding import (
    ALICE,
    BROKEN_ITEM,
    EXAMPLES,
    TEAM_CONFIG,
    Seeded,
    copied_store,
    seeded_template,
)

ClientFactory = Callable[..., TestClient]
ITEM = (EXAMPLES / "catalog-repo/catalog/caches/redis-cache.yaml").read_text()
REQUEST = (
    EXAMPLES / "requests-repo/requests/redis-cache/search-sessions.yaml"
).read_text()


@pytest.fixture(scope="module")
def template(
    tmp_path_factory: pytest.TempPathFactory, migrated_database: Path
) -> tuple[Path, Seeded]:
    return seeded_template(tmp_path_factory.mktemp("seeded"), migrated_database)


@pytest.fixture
def store(template: tuple[Path, Seeded], tmp_path: Path) -> Iterator[Store]:
    with copied_store(template[0], tmp_path) as opened:
        yield opened


@pytest.fixture
def api(make_app: AppFactory, make_client: ClientFactory) -> Any:
    return make_client(make_app(config=TEAM_CONFIG))


def post_text(
    api: TestClient, url: str, text: str, content_type: str = "application/yaml"
) -> Any:
    headers = {**ALICE, "Content-Type": content_type}
    return api.post(url, content=text.encode(), headers=headers)


def codes(findings: list[dict[str, Any]]) -> list[str]:
    return [finding["code"] for finding in findings]


class TestValidateCatalogItem:
    URL = "/api/v1/validate/catalog-item"

    @pytest.mark.parametrize(
        "content_type", ["application/yaml", "text/yaml", "text/plain; charset=utf-8"]
    )
    def test_a_valid_item_as_text(self, api: TestClient, content_type: str) -> None:
        response = post_text(api, self.URL, ITEM, content_type)

        assert response.status_code == 200
        assert response.json() == {"valid": True, "errors": [], "warnings": []}

    def test_a_valid_item_as_json(self, api: TestClient) -> None:
        response = api.post(self.URL, json={"content": ITEM}, headers=ALICE)

        assert response.json()["valid"] is True

    def test_errors_have_line_column_and_key_path(self, api: TestClient) -> None:
        text = ITEM.replace("team: acme/data-platform", "team: data-platform")

        body = post_text(api, self.URL, text).json()

        assert body["valid"] is False
        [error] = body["errors"]
        line = text.splitlines().index("    team: data-platform") + 1
        assert error["line"] == line
        assert error["column"] == 11
        assert error["path"] == "metadata.owner.team"
        assert error["code"] == "bad-team"
        assert "org/team-slug" in error["message"]
        assert "file" not in error

    def test_unknown_template_variable_is_named(self, api: TestClient) -> None:
        text = ITEM.replace("{{fields.cacheName}}", "{{fields.cacheNmae}}", 1)

        body = post_text(api, self.URL, text).json()

        assert body["valid"] is False
        assert any("fields.cacheNmae" in e["message"] for e in body["errors"])

    def test_yaml_syntax_error_is_located(self, api: TestClient) -> None:
        body = post_text(api, self.URL, "metadata: [unclosed\n").json()

        [error] = body["errors"]
        assert error["code"] == "yaml"
        assert error["line"] >= 1
        assert error["path"] is None

    def test_filename_checks_id_and_category(self, api: TestClient) -> None:
        body = api.post(
            self.URL,
            json={"content": ITEM, "filename": "catalog/databases/redis-cache.yaml"},
            headers=ALICE,
        ).json()

        assert body["valid"] is False
        assert any("databases" in error["message"] for error in body["errors"])


class TestBadInput:
    URL = "/api/v1/validate/catalog-item"

    def test_wrong_content_type_is_415(self, api: TestClient) -> None:
        response = post_text(api, self.URL, ITEM, "application/xml")

        assert response.status_code == 415
        assert response.json()["error"]["code"] == "unsupported_media_type"

    def test_malformed_json_is_400(self, api: TestClient) -> None:
        response = post_text(api, self.URL, '{"content": ', "application/json")

        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_json"

    @pytest.mark.parametrize("body", [{}, {"content": 3}, [ITEM], "text"])
    def test_json_of_the_wrong_shape_is_422(self, api: TestClient, body: Any) -> None:
        response = api.post(self.URL, json=body, headers=ALICE)

        assert response.status_code == 422
        assert response.json()["error"]["code"] == "validation_failed"

    def test_oversized_body_is_413(self, api: TestClient) -> None:
        response = post_text(api, self.URL, "#" * (1024 * 1024 + 1))

        assert response.status_code == 413

    def test_text_that_is_not_utf8_is_400(self, api: TestClient) -> None:
        headers = {**ALICE, "Content-Type": "text/plain"}

        response = api.post(self.URL, content=b"\xff\xfe\x00", headers=headers)

        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_text"

    def test_unknown_query_parameter_is_400(self, api: TestClient) -> None:
        response = api.post(
            f"{self.URL}?strict=1", json={"content": ITEM}, headers=ALICE
        )

        assert response.status_code == 400
        assert response.json()["error"]["code"] == "unknown_parameter"

    def test_tools_need_a_caller(self, api: TestClient) -> None:
        assert api.post(self.URL, json={"content": ITEM}).status_code == 401


class TestValidateRequest:
    URL = "/api/v1/validate/request"

    def test_a_valid_request(self, api: TestClient) -> None:
        body = post_text(api, self.URL, REQUEST).json()

        assert body == {"valid": True, "errors": [], "warnings": []}

    def test_field_errors_are_located(self, api: TestClient) -> None:
        text = REQUEST.replace("memoryMb: 2048", "memoryMb: 3")

        body = post_text(api, self.URL, text).json()

        assert body["valid"] is False
        assert {error["path"] for error in body["errors"]} == {"fields.memoryMb"}
        assert {error["line"] for error in body["errors"]} == {7}

    def test_a_misspelt_item_gets_a_suggestion(self, api: TestClient) -> None:
        text = REQUEST.replace("catalogItem: redis-cache", "catalogItem: redis-cahce")

        body = post_text(api, self.URL, text).json()

        [error] = body["errors"]
        assert error["code"] == "unknown-item"
        assert "did you mean 'redis-cache'?" in error["message"]
        assert error["path"] == "catalogItem"

    def test_an_item_with_no_valid_file_is_named_as_broken(
        self, api: TestClient
    ) -> None:
        text = REQUEST.replace(
            "catalogItem: redis-cache", f"catalogItem: {BROKEN_ITEM}"
        )

        body = post_text(api, self.URL, text).json()

        [error] = body["errors"]
        assert error["code"] == "invalid-item"
        assert "catalog/misc/broken-item.yaml" in error["message"]

    def test_a_password_literal_is_rejected_without_echoing_it(
        self, api: TestClient
    ) -> None:
        path = EXAMPLES / "requests-repo/requests/postgres-database/orders-db.yaml"
        text = path.read_text().replace(
            "vault:secret/payments/orders-db#password", "hunter2-literal"
        )

        response = post_text(api, self.URL, text)

        assert response.json()["valid"] is False
        assert "hunter2-literal" not in response.text


class TestPreviewForm:
    URL = "/api/v1/preview/form"

    def test_preview_is_the_form_the_catalog_would_serve(self, api: TestClient) -> None:
        preview = post_text(api, self.URL, ITEM)
        served = api.get(
            "/api/v1/catalog/items/postgres-database/schema", headers=ALICE
        )
        database = EXAMPLES / "catalog-repo/catalog/databases/postgres-database.yaml"

        again = post_text(api, self.URL, database.read_text())

        assert preview.status_code == 200
        assert preview.json()["item_id"] == "redis-cache"
        assert again.json() == served.json()

    def test_an_invalid_item_is_422_with_its_errors(self, api: TestClient) -> None:
        text = ITEM.replace("type: select", "type: dropdown", 1)

        response = post_text(api, self.URL, text)

        error = response.json()["error"]
        assert response.status_code == 422
        assert error["code"] == "invalid_catalog_item"
        assert error["details"]["valid"] is False
        assert error["details"]["errors"][0]["path"].endswith(".type")


class TestTemplateVariables:
    URL = "/api/v1/test/variables"

    def test_renders_with_secrets_masked(self, api: TestClient) -> None:
        body = {
            "template": "{{upper(fields.name)}} key={{secrets.apiKey}}",
            "variables": {
                "fields": {"name": "orders"},
                "secrets": {"apiKey": "vault:secret/orders#key"},
            },
        }

        response = api.post(self.URL, json=body, headers=ALICE).json()

        assert response["ok"] is True
        assert response["output"] == "ORDERS key=***"
        assert [ref["path"] for ref in response["references"]] == [
            "fields.name",
            "secrets.apiKey",
        ]
        assert "vault:secret/orders#key" not in str(response)

    def test_an_unset_variable_is_named_with_its_line(self, api: TestClient) -> None:
        body = {"template": "line one\n{{fields.size.gb}}", "variables": {}}

        response = api.post(self.URL, json=body, headers=ALICE).json()

        assert response["ok"] is False
        assert response["output"] is None
        assert response["error"]["path"] == "fields.size.gb"
        assert response["error"]["line"] == 2

    def test_an_unknown_scope_is_an_error(self, api: TestClient) -> None:
        body = {"template": "x", "variables": {"galaxy": {}}}

        response = api.post(self.URL, json=body, headers=ALICE).json()

        assert response["ok"] is False
        assert "galaxy" in response["error"]["message"]

    def test_a_missing_template_is_422(self, api: TestClient) -> None:
        response = api.post(self.URL, json={"variables": {}}, headers=ALICE)

        assert response.status_code == 422
