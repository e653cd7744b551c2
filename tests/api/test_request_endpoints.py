"""The request endpoints over an index holding the example requests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from pao.core.yamlio import load_yaml
from pao.store import CacheKeys, MemoryCache, RequestStatus, Store

from .conftest import AppFactory
from .seeding import (
    ADMIN,
    ALICE,
    EXAMPLES,
    NOBODY,
    SECRET_OUTPUT,
    TEAM_CONFIG,
    Seeded,
    copied_store,
    create_request,
    seeded_template,
)

ClientFactory = Callable[..., TestClient]
ORDERS = ("postgres-database", "orders-db")
ANALYTICS = ("postgres-database", "search-analytics")


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def template(
    tmp_path_factory: pytest.TempPathFactory, migrated_database: Path
) -> tuple[Path, Seeded]:
    return seeded_template(tmp_path_factory.mktemp("seeded"), migrated_database)


@pytest.fixture
def seeded(template: tuple[Path, Seeded]) -> Seeded:
    return template[1]


@pytest.fixture
def store(template: tuple[Path, Seeded], tmp_path: Path) -> Iterator[Store]:
    with copied_store(template[0], tmp_path) as opened:
        yield opened


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(make_app: AppFactory, make_client: ClientFactory, clock: Clock) -> Any:
    cache = MemoryCache(clock=clock)
    return make_client(make_app(config=TEAM_CONFIG, cache=cache))


def get(api: TestClient, url: str, **params: str) -> dict[str, Any]:
    response = api.get(url, params=params, headers=ADMIN)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def ids(body: dict[str, Any]) -> list[str]:
    return [row["id"] for row in body["data"]]


class TestList:
    def test_lists_requests_oldest_first(self, api: TestClient, seeded: Seeded) -> None:
        body = get(api, "/api/v1/requests", limit="200")

        expected = sorted(seeded.requests.values(), key=lambda r: (r.created_at, r.id))
        assert ids(body) == [record.id for record in expected]
        assert body["pagination"]["total_count"] == len(seeded.requests)
        row = body["data"][0]
        assert set(row) >= {"id", "name", "catalog_item", "team", "status", "path"}

    @pytest.mark.parametrize(
        ("status", "expected"),
        [
            ("failed,escalated", {ORDERS}),
            ("completed", {ANALYTICS}),
            ("escalated,completed", {ORDERS, ANALYTICS}),
            ("aborted", set()),
        ],
    )
    def test_filters_by_one_or_more_statuses(
        self, api: TestClient, seeded: Seeded, status: str, expected: set[Any]
    ) -> None:
        body = get(api, "/api/v1/requests", status=status)

        assert set(ids(body)) == {seeded.request(*key).id for key in expected}

    def test_submitted_requests_are_the_rest(
        self, api: TestClient, seeded: Seeded
    ) -> None:
        body = get(api, "/api/v1/requests", status="submitted", limit="200")

        assert body["pagination"]["total_count"] == len(seeded.requests) - 2

    @pytest.mark.parametrize(
        ("status", "unknown"),
        [("nope", ["nope"]), ("failed,bogus", ["bogus"]), ("failed,", [""])],
    )
    def test_unknown_status_is_a_400_naming_it(
        self, api: TestClient, status: str, unknown: list[str]
    ) -> None:
        response = api.get(f"/api/v1/requests?status={status}", headers=ADMIN)

        error = response.json()["error"]
        assert response.status_code == 400
        assert error["details"]["unknown"] == unknown
        assert repr(unknown[0]) in error["message"]

    def test_filters_by_item_team_and_requester(
        self, api: TestClient, seeded: Seeded
    ) -> None:
        by_item = get(api, "/api/v1/requests", catalog_item="postgres-database")
        by_team = get(api, "/api/v1/requests", team="acme/search", limit="200")
        by_requester = get(api, "/api/v1/requests", requester="orders-db@acme.example")

        assert set(ids(by_item)) == {
            seeded.request(*ORDERS).id,
            seeded.request(*ANALYTICS).id,
        }
        teams = {seeded.requests[rid].team for rid in ids(by_team)}
        assert teams == {"acme/search"}
        assert len(ids(by_team)) == 5
        assert ids(by_requester) == [seeded.request(*ORDERS).id]

    def test_paging_is_stable_while_requests_arrive(
        self, api: TestClient, store: Store, seeded: Seeded
    ) -> None:
        """Requests created between pages are neither skipped nor repeated."""
        seen: list[str] = []
        arrived: list[str] = []
        cursor = None
        for n in range(100):
            params = {"limit": "3", **({"cursor": cursor} if cursor else {})}
            body = get(api, "/api/v1/requests", **params)
            seen += ids(body)
            arrived.append(arrive(store, seeded, f"arrival-{n}"))
            cursor = body["pagination"]["next_cursor"]
            if not body["pagination"]["has_more"]:
                break

        assert len(seen) == len(set(seen))
        assert set(seeded.requests) <= set(seen)
        assert set(seen) - set(seeded.requests) <= set(arrived)
        assert len(arrived) > 8

    def test_a_cursor_of_another_list_is_refused(self, api: TestClient) -> None:
        page = get(api, "/api/v1/catalog", limit="1")

        response = api.get(
            "/api/v1/requests",
            params={"cursor": page["pagination"]["next_cursor"]},
            headers=ADMIN,
        )

        assert response.status_code == 400
        assert response.json()["error"]["code"] == "invalid_cursor"

    def test_a_caller_without_teams_sees_an_empty_list(self, api: TestClient) -> None:
        response = api.get("/api/v1/requests", headers=NOBODY)

        assert response.json()["data"] == []
        assert response.json()["pagination"]["total_count"] == 0


def arrive(store: Store, seeded: Seeded, name: str) -> str:
    """A new request file shows up and is indexed."""
    source = EXAMPLES / "requests-repo/requests/redis-cache/checkout-rate-limits.yaml"
    document = load_yaml(source.read_bytes()).data
    return create_request(store, seeded.items, name=name, document=document).id


class TestOne:
    def test_detail_has_the_current_revision(
        self, api: TestClient, seeded: Seeded
    ) -> None:
        record = seeded.request(*ORDERS)

        body = get(api, f"/api/v1/requests/{record.id}")

        assert body["id"] == record.id
        assert body["status"] == "escalated"
        assert body["kind"] == "create"
        assert body["item_version"] == "1.4.0"
        assert body["document"]["fields"]["instanceName"] == "orders-db"
        assert body["failure"] == {"action": "grant-access", "error": "409 Conflict"}
        assert body["escalation"]["key"] == "ORCH-12"
        assert body["owner_team"] == "acme/dba"

    def test_status_has_the_phase_and_each_actions_latest_run(
        self, api: TestClient, seeded: Seeded
    ) -> None:
        record = seeded.request(*ORDERS)

        body = get(api, f"/api/v1/requests/{record.id}/status")

        assert body["phase"] == "escalated"
        assert body["catalogItem"] == {"id": "postgres-database", "version": "1.4.0"}
        actions = {action["id"]: action for action in body["actions"]}
        assert actions["create-instance"]["status"] == "succeeded"
        assert actions["create-instance"]["outputs"]["password"] == "***"
        assert actions["create-instance"]["resources"] == {
            "workspace": "ws-123",
            "run": "run-456",
        }
        assert actions["grant-access"]["status"] == "failed"
        assert "409 Conflict" in actions["grant-access"]["error"]
        assert body["escalation"]["key"] == "ORCH-12"

    def test_status_is_cached_for_thirty_seconds(
        self, api: TestClient, store: Store, seeded: Seeded, clock: Clock
    ) -> None:
        """A status change shows once the cached status expires."""
        record = seeded.request(*ANALYTICS)
        url = f"/api/v1/requests/{record.id}/status"
        get(api, url)
        store.transition_request(
            request_id=record.id, to_status=RequestStatus.VALIDATING, actor="pao"
        )

        clock.now += CacheKeys.REQUEST_STATUS_TTL - 1
        cached = get(api, url)
        clock.now += 2
        fresh = get(api, url)

        assert cached["phase"] == "completed"
        assert fresh["phase"] == "validating"

    def test_logs_have_the_audit_trail_and_attempts_but_no_payload(
        self, api: TestClient, seeded: Seeded
    ) -> None:
        record = seeded.request(*ORDERS)

        response = api.get(f"/api/v1/requests/{record.id}/logs", headers=ADMIN)

        body = response.json()
        moves = [(e["from_status"], e["to_status"]) for e in body["audit"]]
        assert moves == [
            (None, "submitted"),
            ("submitted", "validating"),
            ("validating", "queued"),
            ("queued", "in_progress"),
            ("in_progress", "failed"),
            ("failed", "escalated"),
        ]
        assert body["audit"][-1]["actor"] == "alice@acme.example"
        runs = [(run["action_id"], run["status"]) for run in body["actions"]]
        assert runs == [("create-instance", "succeeded"), ("grant-access", "failed")]
        assert body["actions"][0]["attempts"] == 1
        assert SECRET_OUTPUT not in response.text
        assert "payload" not in response.text

    def test_escalation_of_an_escalated_request(
        self, api: TestClient, seeded: Seeded
    ) -> None:
        record = seeded.request(*ORDERS)

        body = get(api, f"/api/v1/requests/{record.id}/escalation")

        assert body == {
            "request_id": record.id,
            "status": "escalated",
            "escalation": {
                "key": "ORCH-12",
                "url": "https://jira.example/browse/ORCH-12",
            },
            "failure": {"action": "grant-access", "error": "409 Conflict"},
        }

    def test_escalation_of_a_request_that_is_not_escalated_is_404(
        self, api: TestClient, seeded: Seeded
    ) -> None:
        record = seeded.request(*ANALYTICS)

        response = api.get(f"/api/v1/requests/{record.id}/escalation", headers=ADMIN)

        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_escalated"
        assert response.json()["error"]["details"] == {"status": "completed"}

    @pytest.mark.parametrize("suffix", ["", "/status", "/logs", "/escalation"])
    def test_unknown_request_is_404(self, api: TestClient, suffix: str) -> None:
        response = api.get(f"/api/v1/requests/no-such-request{suffix}", headers=ADMIN)

        assert response.status_code == 404
        assert response.json()["error"]["code"] == "request_not_found"


class TestChangesGoThroughGit:
    def test_submitting_is_refused_with_directions(self, api: TestClient) -> None:
        response = api.post(
            "/api/v1/requests", json={"catalogItem": "x"}, headers=ALICE
        )

        assert response.status_code == 405
        assert response.headers["allow"] == "GET"
        error = response.json()["error"]
        assert error["code"] == "method_not_allowed"
        assert "pull request" in error["message"]

    @pytest.mark.parametrize("command", ["retry", "abort", "escalate"])
    def test_decisions_are_refused_with_directions(
        self, api: TestClient, seeded: Seeded, command: str
    ) -> None:
        record = seeded.request(*ORDERS)

        response = api.post(f"/api/v1/requests/{record.id}/{command}", headers=ALICE)

        assert response.status_code == 405
        assert "allow" in response.headers
        message = response.json()["error"]["message"]
        assert f"/{command}" in message
        assert f"pao request {command} {record.id}" in message

    def test_refusals_still_need_a_caller(self, api: TestClient) -> None:
        assert api.post("/api/v1/requests").status_code == 401
