"""Health, readiness, version and metrics."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from pao.api.services import VersionInfo, store_readiness
from pao.core.metrics import PaoMetrics
from pao.store import (
    MemoryCache,
    NewRevision,
    RequestStatus,
    Store,
    StoreUnavailable,
    open_store,
)

from .conftest import ALICE_TOKEN, AppFactory, bearer

ClientFactory = Callable[..., TestClient]


def test_health_is_ok(client: TestClient) -> None:
    response = client.get("/api/v1/health")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_once_both_repos_were_fetched(
    make_app: AppFactory, make_client: ClientFactory, store: Store
) -> None:
    client = make_client(make_app())
    before = client.get("/api/v1/health/ready")
    for repo in ("catalog", "requests"):
        store.set_repo_state(repo=repo, fetched_at=datetime.now(UTC))

    after = client.get("/api/v1/health/ready")

    assert before.status_code == 503
    assert before.json()["error"]["details"]["checks"] == {
        "store": "ok",
        "migrations": "ok",
        "repos": "failed",
    }
    assert after.status_code == 200
    assert after.json() == {
        "status": "ready",
        "checks": {"store": "ok", "migrations": "ok", "repos": "ok"},
    }


def test_store_that_does_not_answer_is_an_error(
    make_app: AppFactory,
    make_client: ClientFactory,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def down() -> None:
        raise StoreUnavailable("db.internal:5432 refused")

    monkeypatch.setattr(store, "ping", down)

    response = make_client(make_app()).get("/api/v1/health/ready")

    assert response.status_code == 503
    assert response.json()["error"]["details"]["checks"]["store"] == "error"
    assert "db.internal" not in response.text


def test_schema_behind_is_not_ready(
    make_app: AppFactory, make_client: ClientFactory, tmp_path: Path
) -> None:
    with open_store(f"sqlite:///{tmp_path}/empty.db", data_dir=tmp_path) as empty:
        services_checks = store_readiness(empty)

        assert services_checks["migrations"]() is False


def test_configured_checks_replace_the_defaults(
    make_app: AppFactory, make_client: ClientFactory
) -> None:
    def unreachable() -> bool:
        raise ConnectionError("vault.internal refused")

    app = make_app(readiness={"vault": unreachable, "queue": lambda: False})

    response = make_client(app).get("/api/v1/health/ready")

    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "not_ready"
    assert error["message"] == "not ready: queue, vault"
    assert error["details"]["checks"] == {"vault": "error", "queue": "failed"}
    assert "vault.internal" not in response.text


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


def _create(store: Store, name: str, item: str, team: str) -> None:
    store.create_request(
        request_id=f"{item}/{name}",
        item_id=item,
        name=name,
        path=f"requests/{item}/{name}.yaml",
        team=team,
        revision=NewRevision(commit_sha="c" * 40, content_sha256="0" * 64, data={}),
        actor="test",
    )


def _queue(store: Store, request_id: str) -> None:
    for status in (RequestStatus.VALIDATING, RequestStatus.QUEUED):
        store.transition_request(request_id=request_id, to_status=status, actor="t")


def scrape(client: TestClient) -> dict[str, Any]:
    response = client.get("/api/v1/metrics", headers=bearer(ALICE_TOKEN))
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return {f.name: f for f in text_string_to_metric_families(response.text)}


def test_metrics_parse_and_read_the_store(
    make_app: AppFactory, make_client: ClientFactory, store: Store
) -> None:
    _create(store, "orders", "postgres-database", "acme/payments")
    _create(store, "billing", "postgres-database", "acme/payments")
    _create(store, "events", "kafka-topic", "acme/web")
    _queue(store, "kafka-topic/events")
    cache = MemoryCache()
    cache.set("catalog:item:x", {"a": 1}, ttl=60)
    cache.get("catalog:item:x")
    cache.get("catalog:item:y")
    cache.get("catalog:item:x")
    metrics = PaoMetrics()
    metrics.webhook_deliveries.labels(
        source="github", event="push", outcome="accepted"
    ).inc()

    families = scrape(make_client(make_app(metrics=metrics, cache=cache)))

    requests = {
        (s.labels["status"], s.labels["catalog_item"], s.labels["user_team"]): s.value
        for s in families["pao_requests_total"].samples
    }
    assert requests == {
        ("submitted", "postgres-database", "acme/payments"): 2,
        ("queued", "kafka-topic", "acme/web"): 1,
    }
    assert families["pao_queue_depth"].samples[0].value == 1
    ratio = families["pao_catalog_cache_hit_ratio"].samples[0].value
    assert ratio == pytest.approx(2 / 3)
    webhook = families["pao_webhook_deliveries"].samples[0]
    assert webhook.name == "pao_webhook_deliveries_total"
    assert webhook.value == 1
    for name in (
        "pao_request_duration_seconds",
        "pao_action_failure_rate",
        "pao_reconcile_duration_seconds",
        "pao_http_request_duration_seconds",
    ):
        assert name in families


def test_store_outage_does_not_fail_the_scrape(
    make_app: AppFactory,
    make_client: ClientFactory,
    store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def down() -> Any:
        raise StoreUnavailable("store down")

    monkeypatch.setattr(store, "count_requests", down)
    monkeypatch.setattr(store, "queue_depth", down)

    families = scrape(make_client(make_app()))

    assert families["pao_requests_total"].samples == []
    assert math.isnan(families["pao_queue_depth"].samples[0].value)
    errors = {
        s.labels["collector"]: s.value
        for s in families["pao_scrape_errors"].samples
        if s.name.endswith("_total")
    }
    assert errors == {
        "pao_requests_total": 1.0,
        "pao_queue_depth": 1.0,
        "pao_catalog_cache_hit_ratio": 0.0,
    }
