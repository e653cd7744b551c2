"""Correlation ids, the request log line, and timing."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import anyio
import pytest
import structlog
from starlette.testclient import TestClient

from pao.api import ApiConfig
from pao.api.middleware import accept_correlation_id
from pao.core.metrics import PaoMetrics

from .conftest import ALICE_TOKEN, GRANTS, AppFactory, bearer
from .sample import MODULE

Logs = list[dict[str, Any]]


@pytest.fixture
def logs() -> Iterator[Logs]:
    merge = structlog.contextvars.merge_contextvars
    with structlog.testing.capture_logs(processors=[merge]) as captured:
        yield captured


@pytest.fixture
def metrics() -> PaoMetrics:
    return PaoMetrics()


@pytest.fixture
def api(
    make_app: AppFactory,
    make_client: Callable[..., TestClient],
    metrics: PaoMetrics,
) -> TestClient:
    config = ApiConfig(tokens=GRANTS, correlation_id_header="X-Request-ID")
    return make_client(make_app(config=config, modules=[MODULE], metrics=metrics))


def request_lines(logs: Logs) -> Logs:
    return [line for line in logs if line["event"] == "http_request"]


def test_missing_id_is_generated_and_echoed(api: TestClient, logs: Logs) -> None:
    response = api.get("/api/v1/health")

    given = response.headers["x-request-id"]
    assert uuid.UUID(given).version == 4
    assert request_lines(logs)[0]["correlation_id"] == given


def test_given_id_is_echoed_and_logged(api: TestClient, logs: Logs) -> None:
    response = api.get("/api/v1/health", headers={"X-Request-ID": "deploy-42/abc"})

    assert response.headers["x-request-id"] == "deploy-42/abc"
    assert request_lines(logs)[0]["correlation_id"] == "deploy-42/abc"


@pytest.mark.parametrize(
    "value", [b"x" * 129, b"has space", b"tab\there", b"\xfcn\xef", b"\x7f"]
)
def test_absurd_id_is_replaced(api: TestClient, logs: Logs, value: bytes) -> None:
    response = api.get("/api/v1/health", headers={"X-Request-ID": value})

    replaced = response.headers["x-request-id"]
    assert uuid.UUID(replaced).version == 4


def test_id_reaches_lines_logged_by_endpoints(api: TestClient, logs: Logs) -> None:
    api.get("/api/v1/boom", headers={**bearer(ALICE_TOKEN), "X-Request-ID": "c-1"})

    error = next(line for line in logs if line["event"] == "unhandled_error")
    assert error["correlation_id"] == "c-1"
    assert error["log_level"] == "error"
    assert error["exc_info"]


def test_github_delivery_id_becomes_the_correlation_id(
    api: TestClient, logs: Logs
) -> None:
    response = api.post(
        "/api/v1/webhooks/github",
        content=b"{}",
        headers={
            "X-GitHub-Delivery": "72d3162e-cc78",
            "content-type": "application/json",
        },
    )

    assert response.headers["x-request-id"] == "72d3162e-cc78"
    assert request_lines(logs)[0]["correlation_id"] == "72d3162e-cc78"


def test_one_line_per_request_with_its_facts(api: TestClient, logs: Logs) -> None:
    api.get("/api/v1/health")
    api.get("/api/v1/nowhere", headers=bearer(ALICE_TOKEN))

    lines = request_lines(logs)
    assert len(lines) == 2
    assert lines[0]["method"] == "GET"
    assert lines[0]["path"] == "/api/v1/health"
    assert lines[0]["status"] == 200
    assert lines[0]["duration_ms"] >= 0
    assert lines[1]["status"] == 404


def test_query_string_is_never_logged(api: TestClient, logs: Logs) -> None:
    api.post(
        "/api/v1/webhooks/jira?secret=hush-hush",
        content=b"{}",
        headers={"content-type": "application/json"},
    )

    assert "hush-hush" not in repr(logs)


def test_500_line_has_status_500(api: TestClient, logs: Logs) -> None:
    response = api.get("/api/v1/boom", headers=bearer(ALICE_TOKEN))

    assert response.status_code == 500
    assert request_lines(logs)[0]["status"] == 500


def test_context_does_not_leak_between_requests(api: TestClient, logs: Logs) -> None:
    api.get("/api/v1/health", headers={"X-Request-ID": "first"})
    api.get("/api/v1/health", headers={"X-Request-ID": "second"})

    ids = [line["correlation_id"] for line in request_lines(logs)]
    assert ids == ["first", "second"]
    assert structlog.contextvars.get_contextvars() == {}


def test_duration_is_observed_per_route_template(
    api: TestClient, metrics: PaoMetrics
) -> None:
    api.get("/api/v1/sample/requests/a", headers=bearer(ALICE_TOKEN))
    api.get("/api/v1/sample/requests/b", headers=bearer(ALICE_TOKEN))
    api.get("/api/v1/unknown/x", headers=bearer(ALICE_TOKEN))

    def count(route: str, status: str) -> float | None:
        return metrics.registry.get_sample_value(
            "pao_http_request_duration_seconds_count",
            {"method": "GET", "route": route, "status": status},
        )

    assert count("/api/v1/sample/requests/{name}", "200") == 2
    assert count("unmatched", "404") == 1


@pytest.mark.parametrize(
    ("value", "accepted"),
    [
        ("abc-123", True),
        ("a" * 128, True),
        ("a" * 129, False),
        ("", False),
        ("x\ny", False),
        (None, False),
    ],
)
def test_accept_correlation_id(value: str | None, accepted: bool) -> None:
    assert accept_correlation_id(value) == (value if accepted else None)


def test_client_leaving_mid_body_is_logged_as_499(
    make_app: AppFactory, logs: Logs
) -> None:
    app = make_app(modules=[MODULE])
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/v1/echo",
        "raw_path": b"/api/v1/echo",
        "root_path": "",
        "query_string": b"",
        "headers": [
            (b"authorization", f"Bearer {ALICE_TOKEN}".encode()),
            (b"content-type", b"application/json"),
        ],
        "client": ("127.0.0.1", 5000),
        "server": ("127.0.0.1", 8080),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    anyio.run(app, scope, receive, send)

    assert sent == []
    assert request_lines(logs)[0]["status"] == 499
    assert not [line for line in logs if line["event"] == "unhandled_error"]
