"""Webhook endpoints: verify, record once in the store, then enqueue."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from starlette.testclient import TestClient

from pao.api import ApiConfig
from pao.api.webhooks_sansio import sign_github, sign_terraform
from pao.core.metrics import PaoMetrics
from pao.store import DeliveryStatus, Store, StoreUnavailable

from .conftest import GRANTS, AppFactory, Recorder

SECRET = "gh-secret"
JIRA_SECRET = "jira-secret"
TF_TOKEN = "tf-token"
PUSH = json.dumps({"ref": "refs/heads/main", "after": "abc"}).encode()

CONFIG = ApiConfig(
    tokens=GRANTS,
    github_webhook_secret=SECRET,
    jira_webhook_secret=JIRA_SECRET,
    terraform_notification_token=TF_TOKEN,
    max_webhook_body_bytes=4096,
)


@pytest.fixture
def metrics() -> PaoMetrics:
    return PaoMetrics()


@pytest.fixture
def api(
    make_app: AppFactory,
    make_client: Callable[..., TestClient],
    metrics: PaoMetrics,
) -> TestClient:
    return make_client(make_app(config=CONFIG, metrics=metrics))


def post_github(
    api: TestClient,
    body: bytes = PUSH,
    *,
    event: str = "push",
    delivery: str = "d-1",
    signature: str | None = "sign",
) -> Any:
    headers = {
        "content-type": "application/json",
        "x-github-event": event,
        "x-github-delivery": delivery,
    }
    if signature == "sign":
        headers["x-hub-signature-256"] = sign_github(body, SECRET)
    elif signature is not None:
        headers["x-hub-signature-256"] = signature
    return api.post("/api/v1/webhooks/github", content=body, headers=headers)


def outcome_count(metrics: PaoMetrics, source: str, event: str, outcome: str) -> float:
    value = metrics.registry.get_sample_value(
        "pao_webhook_deliveries_total",
        {"source": source, "event": event, "outcome": outcome},
    )
    return value or 0.0


class TestGitHub:
    def test_signed_delivery_is_recorded_then_queued(
        self, api: TestClient, store: Store, recorder: Recorder
    ) -> None:
        response = post_github(api)

        assert response.status_code == 202
        assert response.json() == {"delivery": "d-1", "duplicate": False}
        recorded = store.get_delivery(source="github", delivery_id="d-1")
        assert recorded is not None
        assert recorded.event == "push"
        assert recorded.payload == {"ref": "refs/heads/main", "after": "abc"}
        assert recorded.status is DeliveryStatus.PENDING
        assert [d.delivery_id for d in recorder.enqueued] == ["d-1"]

    def test_redelivery_is_a_duplicate_recorded_once(
        self, api: TestClient, store: Store, recorder: Recorder, metrics: PaoMetrics
    ) -> None:
        first = post_github(api)
        second = post_github(api)

        assert first.json()["duplicate"] is False
        assert second.status_code == 202
        assert second.json() == {"delivery": "d-1", "duplicate": True}
        assert len(store.list_pending_deliveries()) == 1
        assert len(recorder.enqueued) == 1
        assert outcome_count(metrics, "github", "push", "duplicate") == 1

    @pytest.mark.parametrize(
        ("signature", "code"),
        [
            (None, "signature_missing"),
            ("sha256=" + "0" * 64, "signature_invalid"),
            ("garbage", "signature_invalid"),
        ],
    )
    def test_bad_or_missing_signature_is_401_and_not_recorded(
        self,
        api: TestClient,
        store: Store,
        recorder: Recorder,
        signature: str | None,
        code: str,
    ) -> None:
        response = post_github(api, signature=signature)

        assert response.status_code == 401
        assert response.json()["error"]["code"] == code
        assert store.get_delivery(source="github", delivery_id="d-1") is None
        assert recorder.enqueued == []

    def test_no_secret_configured_refuses_everything(
        self,
        make_app: AppFactory,
        make_client: Callable[..., TestClient],
        store: Store,
    ) -> None:
        api = make_client(make_app(config=ApiConfig(tokens=GRANTS)))

        response = post_github(api)

        assert response.status_code == 401
        error = response.json()["error"]
        assert error["code"] == "webhook_not_configured"
        assert "no github webhook secret is configured" in error["message"]
        assert store.list_pending_deliveries() == []

    def test_ping_is_answered_200_and_not_queued(
        self, api: TestClient, store: Store, recorder: Recorder
    ) -> None:
        response = post_github(api, b'{"zen": "Keep it simple."}', event="ping")

        assert response.status_code == 200
        assert response.json() == {"delivery": "d-1", "event": "ping"}
        assert recorder.enqueued == []
        assert store.list_pending_deliveries() == []

    def test_oversized_delivery_is_413_and_not_recorded(
        self, api: TestClient, store: Store
    ) -> None:
        body = json.dumps({"padding": "x" * 5000}).encode()

        response = post_github(api, body)

        assert response.status_code == 413
        assert store.list_pending_deliveries() == []

    def test_unsupported_content_type_is_415(self, api: TestClient) -> None:
        response = api.post(
            "/api/v1/webhooks/github",
            content=PUSH,
            headers={
                "content-type": "text/xml",
                "x-hub-signature-256": sign_github(PUSH, SECRET),
            },
        )

        assert response.status_code == 415

    def test_store_outage_is_503_and_nothing_queued(
        self,
        make_app: AppFactory,
        make_client: Callable[..., TestClient],
        recorder: Recorder,
        store: Store,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        def down(**kwargs: Any) -> bool:
            raise StoreUnavailable("database is locked")

        monkeypatch.setattr(store, "record_delivery", down)
        api = make_client(make_app(config=CONFIG))

        response = post_github(api)

        assert response.status_code == 503
        assert response.json()["error"]["code"] == "store_unavailable"
        assert recorder.enqueued == []

    def test_failing_enqueue_still_answers_202(
        self,
        make_app: AppFactory,
        make_client: Callable[..., TestClient],
        recorder: Recorder,
        store: Store,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        def full(delivery: Any) -> None:
            raise RuntimeError("queue full")

        monkeypatch.setattr(recorder, "enqueue", full)
        api = make_client(make_app(config=CONFIG))

        response = post_github(api)

        # Recorded as pending: the workers' sweep picks it up.
        assert response.status_code == 202
        recorded = store.get_delivery(source="github", delivery_id="d-1")
        assert recorded is not None
        assert recorded.status is DeliveryStatus.PENDING


class TestJira:
    BODY = json.dumps({"webhookEvent": "jira:issue_updated", "issue": {}}).encode()

    def test_signed_delivery_is_recorded_under_its_identifier(
        self, api: TestClient, store: Store
    ) -> None:
        response = api.post(
            "/api/v1/webhooks/jira",
            content=self.BODY,
            headers={
                "content-type": "application/json",
                "x-hub-signature": sign_github(self.BODY, JIRA_SECRET),
                "x-atlassian-webhook-identifier": "wh-9",
            },
        )

        assert response.status_code == 202
        assert response.json() == {"delivery": "wh-9", "duplicate": False}
        assert store.get_delivery(source="jira", delivery_id="wh-9") is not None

    def test_url_secret_delivery_is_deduplicated_by_body(
        self, api: TestClient, store: Store
    ) -> None:
        def send() -> Any:
            return api.post(
                f"/api/v1/webhooks/jira?secret={JIRA_SECRET}",
                content=self.BODY,
                headers={"content-type": "application/json"},
            )

        first, second = send(), send()

        assert first.status_code == 202
        assert second.json()["duplicate"] is True
        assert first.json()["delivery"] == second.json()["delivery"]
        assert len(store.list_pending_deliveries(source="jira")) == 1

    def test_wrong_url_secret_is_401(self, api: TestClient, store: Store) -> None:
        response = api.post(
            "/api/v1/webhooks/jira?secret=guess",
            content=self.BODY,
            headers={"content-type": "application/json"},
        )

        assert response.status_code == 401
        assert store.list_pending_deliveries() == []

    def test_other_query_parameters_are_400(self, api: TestClient) -> None:
        response = api.post(
            f"/api/v1/webhooks/jira?secret={JIRA_SECRET}&user_id=x",
            content=self.BODY,
            headers={"content-type": "application/json"},
        )

        assert response.status_code == 400


class TestTerraform:
    def post(self, api: TestClient, payload: dict[str, Any]) -> Any:
        body = json.dumps(payload).encode()
        return api.post(
            "/api/v1/webhooks/terraform",
            content=body,
            headers={
                "content-type": "application/json",
                "x-tfe-notification-signature": sign_terraform(body, TF_TOKEN),
            },
        )

    def test_notification_is_recorded(
        self, api: TestClient, store: Store, recorder: Recorder
    ) -> None:
        response = self.post(
            api, {"run_id": "run-1", "notifications": [{"trigger": "run:errored"}]}
        )

        assert response.status_code == 202
        delivery_id = response.json()["delivery"]
        recorded = store.get_delivery(source="terraform", delivery_id=delivery_id)
        assert recorded is not None
        assert recorded.event == "run:errored"
        assert recorder.enqueued[0].payload["run_id"] == "run-1"

    def test_verification_is_answered_200(
        self, api: TestClient, store: Store, recorder: Recorder
    ) -> None:
        response = self.post(api, {"notifications": [{"trigger": "verification"}]})

        assert response.status_code == 200
        assert response.json()["event"] == "verification"
        assert recorder.enqueued == []

    def test_unsigned_notification_is_401(self, api: TestClient) -> None:
        response = api.post(
            "/api/v1/webhooks/terraform",
            content=b'{"notifications": [{"trigger": "run:completed"}]}',
            headers={"content-type": "application/json"},
        )

        assert response.status_code == 401
        assert response.json()["error"]["code"] == "signature_missing"
