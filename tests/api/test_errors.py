"""Every error leaves the API as {"error": {code, message, details}}."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from starlette.testclient import TestClient

from pao.api import ApiConfig

from .conftest import ALICE_TOKEN, GRANTS, AppFactory, bearer
from .sample import INTERNAL_DETAIL, MODULE

AUTH = bearer(ALICE_TOKEN)


@pytest.fixture
def api(make_app: AppFactory, make_client: Callable[..., TestClient]) -> TestClient:
    config = ApiConfig(tokens=GRANTS, max_body_bytes=1000)
    return make_client(make_app(config=config, modules=[MODULE]))


def error_of(response: Any) -> dict[str, Any]:
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert response.headers["content-type"] == "application/json"
    return body["error"]


def test_unknown_path_is_404_json(api: TestClient) -> None:
    response = api.get("/api/v1/nothing-here", headers=AUTH)

    assert response.status_code == 404
    assert error_of(response)["code"] == "not_found"


def test_wrong_method_is_405_json_with_allow(api: TestClient) -> None:
    response = api.delete("/api/v1/health")

    assert response.status_code == 405
    assert error_of(response)["code"] == "method_not_allowed"
    assert "GET" in response.headers["allow"]


def test_unknown_query_parameters_are_400_naming_them(api: TestClient) -> None:
    response = api.get("/api/v1/items?limit=5&colour=red&size=2", headers=AUTH)

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "unknown_parameter"
    assert "colour" in error["message"]
    assert "size" in error["message"]
    assert error["details"]["unknown"] == ["colour", "size"]
    assert error["details"]["allowed"] == ["cursor", "limit"]


def test_repeated_query_parameter_is_400(api: TestClient) -> None:
    response = api.get("/api/v1/items?limit=5&limit=6", headers=AUTH)

    assert response.status_code == 400
    assert error_of(response)["code"] == "repeated_parameter"


def test_endpoint_without_parameters_refuses_any(api: TestClient) -> None:
    response = api.get("/api/v1/health?verbose=1")

    assert response.status_code == 400
    assert error_of(response)["details"]["unknown"] == ["verbose"]


@pytest.mark.parametrize("path", ["/api/v1/echo", "/api/v1/echo-async"])
def test_valid_body_reaches_sync_and_async_endpoints(
    api: TestClient, path: str
) -> None:
    response = api.post(path, json={"name": "db", "size": 3}, headers=AUTH)

    assert response.status_code == 200
    assert response.json() == {"name": "db", "size": 3}


def test_malformed_json_is_400_with_position(api: TestClient) -> None:
    response = api.post(
        "/api/v1/echo",
        content=b'{"name": "db",\n "size": }',
        headers={**AUTH, "content-type": "application/json"},
    )

    assert response.status_code == 400
    error = error_of(response)
    assert error["code"] == "invalid_json"
    assert error["details"]["line"] == 2


def test_body_that_is_not_utf8_is_400(api: TestClient) -> None:
    response = api.post(
        "/api/v1/echo",
        content=b'{"name": "\xff"}',
        headers={**AUTH, "content-type": "application/json"},
    )

    assert response.status_code == 400
    assert error_of(response)["code"] == "invalid_json"


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", ""]
)
def test_wrong_content_type_is_415(api: TestClient, content_type: str) -> None:
    headers = {**AUTH, "content-type": content_type}
    response = api.post("/api/v1/echo", content=b"{}", headers=headers)

    assert response.status_code == 415
    error = error_of(response)
    assert error["code"] == "unsupported_media_type"
    assert error["details"]["accepted"] == ["application/json"]


def test_json_suffix_media_type_and_charset_are_accepted(api: TestClient) -> None:
    headers = {**AUTH, "content-type": "application/merge-patch+json; charset=utf-8"}
    body = json.dumps({"name": "db", "size": 1}).encode()

    response = api.post("/api/v1/echo", content=body, headers=headers)

    assert response.status_code == 200


def test_schema_mismatch_is_422_listing_each_problem(api: TestClient) -> None:
    response = api.post(
        "/api/v1/echo", json={"name": "", "size": 99, "extra": 1}, headers=AUTH
    )

    assert response.status_code == 422
    error = error_of(response)
    assert error["code"] == "validation_failed"
    locations = [problem["location"] for problem in error["details"]["errors"]]
    assert ["name"] in locations
    assert ["size"] in locations


def test_422_does_not_echo_the_input(api: TestClient) -> None:
    response = api.post(
        "/api/v1/echo", json={"name": "db", "size": "s3cr3t-value"}, headers=AUTH
    )

    assert response.status_code == 422
    assert "s3cr3t-value" not in response.text


def test_declared_oversized_body_is_413(api: TestClient) -> None:
    body = json.dumps({"name": "x" * 2000, "size": 1}).encode()

    response = api.post(
        "/api/v1/echo",
        content=body,
        headers={**AUTH, "content-type": "application/json"},
    )

    assert response.status_code == 413
    error = error_of(response)
    assert error["code"] == "payload_too_large"
    assert error["details"] == {"limit": 1000}


def test_oversized_body_without_length_is_413(api: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        # A generator body goes out chunked, with no Content-Length.
        for _ in range(100):
            yield b"x" * 100

    response = api.post(
        "/api/v1/echo",
        content=chunks(),
        headers={**AUTH, "content-type": "application/json"},
    )

    assert response.status_code == 413
    assert error_of(response)["code"] == "payload_too_large"


def test_unexpected_error_is_generic_500(api: TestClient) -> None:
    response = api.get("/api/v1/boom", headers=AUTH)

    assert response.status_code == 500
    error = error_of(response)
    assert error["code"] == "internal_error"
    assert "hunter2" not in response.text
    assert INTERNAL_DETAIL not in response.text
    assert response.headers["x-correlation-id"]


def test_401_is_json_with_bearer_challenge(api: TestClient) -> None:
    response = api.get("/api/v1/whoami")

    assert response.status_code == 401
    assert error_of(response)["code"] == "unauthenticated"
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_error_repr_and_str_are_readable() -> None:
    from pao.api import BadRequest

    error = BadRequest("limit must be an integer", code="invalid_parameter")

    assert str(error) == "400 invalid_parameter: limit must be an integer"
    assert "invalid_parameter" in repr(error)
