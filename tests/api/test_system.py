"""Health, readiness, version and metrics."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from pao.api.services import VersionInfo
from pao.core.metrics import PaoMetrics, RequestCount

from .conftest import ALICE_TOKEN, AppFactory, bearer

ClientFactory = Callable[..., TestClient]


def test_health_is_ok(client: TestClient) -> None:
    response = client.get("/api/v1/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_when_every_check_passes(
    make_app: AppFactory, make_client: ClientFactory
) -> None:
    app = make_app(readiness={"store": lambda: True, "repos": lambda: True})

    response = make_client(app).get("/api/v1/health/ready")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ready",
        "checks": {"store": "ok", "repos": "ok"},
    }


def test_not_ready_names_the_failed_checks(
    make_app: AppFactory, make_client: ClientFactory
) -> None:
    def unreachable() -> bool:
        raise ConnectionError("db.internal:5432 refused")

    app = make_app(
        readiness={
            "store": unreachable,
            "repos": lambda: False,
            "migrations": lambda: True,
        }
    )

    response = make_client(app).get("/api/v1/health/ready")

    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "not_ready"
    assert error["message"] == "not ready: repos, store"
    assert error["details"]["checks"] == {
        "store": "error",
        "repos": "failed",
        "migrations": "ok",
    }
    assert "db.internal" not in response.text


def test_version_reports_version_and_commit(
    make_app: AppFactory, make_client: ClientFactory
) -> None:
    app = make_app(version=VersionInfo(version="2.0.1", git_sha="0123abc"))

    response = make_client(app).get("/api/v1/version")

    assert response.json() == {"version": "2.0.1", "git_sha": "0123abc"}


def test_version_commit_comes_from_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PAO_GIT_SHA", "feedbeef")

    assert VersionInfo.current().git_sha == "feedbeef"


def test_metrics_parse_and_carry_request_counts(
    make_app: AppFactory, make_client: ClientFactory
) -> None:
    metrics = PaoMetrics()
    metrics.webhook_deliveries.labels(
        source="github", event="push", outcome="accepted"
    ).inc()
    metrics.queue_depth.set(3)
    counts = [
        RequestCount("failed", "postgres-database", "acme/payments", 2),
        RequestCount("completed", "kafka-topic", "acme/web", 5),
    ]
    app = make_app(metrics=metrics, request_counts=lambda: counts)

    response = make_client(app).get("/api/v1/metrics", headers=bearer(ALICE_TOKEN))

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    requests = {
        (s.labels["status"], s.labels["catalog_item"], s.labels["user_team"]): s.value
        for s in families["pao_requests_total"].samples
    }
    assert requests == {
        ("failed", "postgres-database", "acme/payments"): 2,
        ("completed", "kafka-topic", "acme/web"): 5,
    }
    assert families["pao_queue_depth"].samples[0].value == 3
    webhook = families["pao_webhook_deliveries"].samples[0]
    assert webhook.name == "pao_webhook_deliveries_total"
    assert webhook.value == 1
    for name in (
        "pao_request_duration_seconds",
        "pao_catalog_cache_hit_ratio",
        "pao_action_failure_rate",
        "pao_reconcile_duration_seconds",
        "pao_http_request_duration_seconds",
    ):
        assert name in families


def test_failing_count_source_does_not_fail_the_scrape(
    make_app: AppFactory, make_client: ClientFactory
) -> None:
    def broken() -> list[RequestCount]:
        raise ConnectionError("store down")

    metrics = PaoMetrics()
    app = make_app(metrics=metrics, request_counts=broken)

    response = make_client(app).get("/api/v1/metrics", headers=bearer(ALICE_TOKEN))

    assert response.status_code == 200
    families = {f.name: f for f in text_string_to_metric_families(response.text)}
    assert families["pao_requests_total"].samples == []
    errors = families["pao_scrape_errors"].samples
    assert [(s.labels, s.value) for s in errors if s.name.endswith("_total")] == [
        ({"collector": "pao_requests_total"}, 1.0)
    ]
