"""Who sees which request: the requesting team, the owner team, admins.

Everyone else gets the 404 an unknown id gets, on the list and on every
per-request endpoint, so that request names and ids do not leak.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from pao.store import RequestRecord, Store

from .conftest import AppFactory
from .seeding import (
    ADMIN,
    ALICE,
    BOB,
    CAROL,
    NOBODY,
    TEAM_CONFIG,
    Seeded,
    copied_store,
    seeded_template,
)

ClientFactory = Callable[..., TestClient]

CALLERS: dict[str, tuple[dict[str, str], frozenset[str], bool]] = {
    "alice (acme/payments)": (ALICE, frozenset({"acme/payments"}), False),
    "bob (acme/search)": (BOB, frozenset({"acme/search"}), False),
    "carol (acme/dba, owner)": (CAROL, frozenset({"acme/dba"}), False),
    "nobody (no team)": (NOBODY, frozenset(), False),
    "root (admin)": (ADMIN, frozenset(), True),
}
ENDPOINTS = ["", "/status", "/logs", "/escalation"]
# Payments' request for a dba item, search's for a dba item, search's for
# a data-platform item.
SAMPLES = [
    ("postgres-database", "orders-db"),
    ("postgres-database", "search-analytics"),
    ("redis-cache", "search-sessions"),
]


@pytest.fixture(scope="module")
def template(
    tmp_path_factory: pytest.TempPathFactory, migrated_database: Path
) -> tuple[Path, Seeded]:
    return seeded_template(tmp_path_factory.mktemp("seeded"), migrated_database)


@pytest.fixture(scope="module")
def seeded(template: tuple[Path, Seeded]) -> Seeded:
    return template[1]


@pytest.fixture
def store(template: tuple[Path, Seeded], tmp_path: Path) -> Iterator[Store]:
    with copied_store(template[0], tmp_path) as opened:
        yield opened


@pytest.fixture
def api(make_app: AppFactory, make_client: ClientFactory) -> Any:
    return make_client(make_app(config=TEAM_CONFIG))


def may_see(caller: str, record: RequestRecord) -> bool:
    _, teams, admin = CALLERS[caller]
    return admin or record.team in teams or record.owner_team in teams


def listed(api: TestClient, headers: dict[str, str], **params: str) -> set[str]:
    body = api.get(
        "/api/v1/requests", params={"limit": "200", **params}, headers=headers
    )
    assert body.status_code == 200
    return {row["id"] for row in body.json()["data"]}


@pytest.mark.parametrize("caller", CALLERS)
def test_list_shows_exactly_the_visible_requests(
    api: TestClient, seeded: Seeded, caller: str
) -> None:
    headers = CALLERS[caller][0]

    found = listed(api, headers)

    expected = {rid for rid, r in seeded.requests.items() if may_see(caller, r)}
    assert found == expected


@pytest.mark.parametrize("caller", CALLERS)
def test_filters_cannot_widen_the_view(
    api: TestClient, seeded: Seeded, caller: str
) -> None:
    """Asking for another team's requests finds only what the caller may see."""
    headers = CALLERS[caller][0]

    for team in ("acme/payments", "acme/search", "acme/checkout"):
        found = listed(api, headers, team=team)
        for request_id in found:
            assert may_see(caller, seeded.requests[request_id])


def test_the_two_teams_see_disjoint_requests_of_their_own(
    api: TestClient, seeded: Seeded
) -> None:
    payments = listed(api, ALICE)
    search = listed(api, BOB)

    assert payments
    assert search
    assert payments.isdisjoint(search)
    assert {seeded.requests[rid].team for rid in payments} == {"acme/payments"}


@pytest.mark.parametrize("sample", SAMPLES, ids="/".join)
@pytest.mark.parametrize("endpoint", ENDPOINTS)
@pytest.mark.parametrize("caller", CALLERS)
def test_per_request_endpoints_hide_what_the_caller_may_not_see(
    api: TestClient, seeded: Seeded, caller: str, endpoint: str, sample: Any
) -> None:
    record = seeded.request(*sample)
    headers = CALLERS[caller][0]

    response = api.get(f"/api/v1/requests/{record.id}{endpoint}", headers=headers)
    unknown = api.get(f"/api/v1/requests/{record.id}x{endpoint}", headers=headers)

    if may_see(caller, record):
        assert response.status_code == 200 or (
            endpoint == "/escalation"
            and response.json()["error"]["code"] == "not_escalated"
        )
    else:
        assert response.status_code == 404
        assert unknown.status_code == 404
        hidden = response.json()["error"]
        missing = unknown.json()["error"]
        assert hidden["code"] == missing["code"] == "request_not_found"
        assert hidden["message"] == missing["message"].replace("x'", "'")
        assert set(response.headers) == set(unknown.headers)


@pytest.mark.parametrize("caller", CALLERS)
def test_status_of_every_request_follows_the_rule(
    api: TestClient, seeded: Seeded, caller: str
) -> None:
    """The cached hot path checks visibility on every hit, too."""
    headers = CALLERS[caller][0]

    for _ in range(2):  # the second round is served from the cache
        for request_id, record in seeded.requests.items():
            response = api.get(f"/api/v1/requests/{request_id}/status", headers=headers)
            assert response.status_code == (200 if may_see(caller, record) else 404)


def test_owner_team_member_sees_requests_of_other_teams_for_their_items(
    api: TestClient, seeded: Seeded
) -> None:
    found = listed(api, CAROL)

    teams = {seeded.requests[rid].team for rid in found}
    assert {"acme/payments", "acme/search"} <= teams
    assert {seeded.requests[rid].owner_team for rid in found} == {"acme/dba"}


def test_catalog_is_readable_by_any_authenticated_caller(api: TestClient) -> None:
    for headers, _, _ in CALLERS.values():
        assert api.get("/api/v1/catalog", headers=headers).status_code == 200
        item = api.get("/api/v1/catalog/items/postgres-database", headers=headers)
        assert item.status_code == 200
    assert api.get("/api/v1/catalog").status_code == 401
