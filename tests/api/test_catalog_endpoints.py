"""The catalog endpoints over an index holding the example catalog."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from pao.api.pagination import CursorCodec
from pao.catalog import CatalogItem
from pao.store import CacheKeys, MemoryCache, Store, invalidate_catalog

from .conftest import AppFactory, Recorder
from .seeding import (
    ADMIN,
    ALICE,
    BROKEN_ITEM,
    STALE_ITEM,
    TEAM_CONFIG,
    Seeded,
    copied_store,
    item_version,
    seeded_template,
)

ClientFactory = Callable[..., TestClient]


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
def cache(clock: Clock) -> MemoryCache:
    return MemoryCache(clock=clock)


@pytest.fixture
def api(make_app: AppFactory, make_client: ClientFactory, cache: MemoryCache) -> Any:
    return make_client(make_app(config=TEAM_CONFIG, cache=cache))


def ids(body: dict[str, Any]) -> list[str]:
    return [row["id"] for row in body["data"]]


class TestList:
    def test_lists_every_serving_item_in_id_order(
        self, api: TestClient, seeded: Seeded
    ) -> None:
        """Items are listed by id; an item with no valid file is not."""
        body = api.get("/api/v1/catalog", headers=ALICE).json()

        assert ids(body) == sorted(seeded.items)
        assert BROKEN_ITEM not in ids(body)
        assert body["pagination"] == {
            "has_more": False,
            "next_cursor": None,
            "total_count": len(seeded.items),
        }

    def test_summary_says_what_an_item_is(self, api: TestClient) -> None:
        """A row carries the descriptive fields, the commit and staleness."""
        body = api.get("/api/v1/catalog", params={"q": "redis"}, headers=ALICE).json()

        row = next(row for row in body["data"] if row["id"] == STALE_ITEM)
        assert row["category"] == "caches"
        assert row["owner_team"] == "acme/data-platform"
        assert row["lifecycle_status"] == "active"
        assert row["stale"] is True
        assert row["commit"] == "c0ffee1"
        assert row["path"] == "catalog/caches/redis-cache.yaml"

    @pytest.mark.parametrize(
        ("params", "expected"),
        [
            (
                {"category": "databases"},
                {"mysql-database", "mysql-legacy-database", "postgres-database"},
            ),
            (
                {"category": "databases", "status": "active"},
                {"mysql-database", "postgres-database"},
            ),
            ({"status": "deprecated"}, {"mysql-legacy-database"}),
            ({"status": "retired"}, set()),
            ({"tag": "approval"}, {"iam-access-grant"}),
            ({"q": "POSTGRES"}, {"postgres-database"}),
            ({"search": "postgres"}, {"postgres-database"}),
            ({"q": "mysql", "search": "legacy"}, {"mysql-legacy-database"}),
            ({"category": "databases", "q": "nothing-like-this"}, set()),
        ],
    )
    def test_filters(
        self, api: TestClient, params: dict[str, str], expected: set[str]
    ) -> None:
        """Filters combine; text search ignores case."""
        body = api.get("/api/v1/catalog", params=params, headers=ALICE).json()

        assert set(ids(body)) == expected
        assert body["pagination"]["total_count"] == len(expected)

    def test_unknown_lifecycle_status_is_refused(self, api: TestClient) -> None:
        """A status that is not a lifecycle status is a 400 naming it."""
        response = api.get("/api/v1/catalog?status=dead", headers=ALICE)

        assert response.status_code == 400
        assert response.json()["error"]["details"] == {"parameter": "status"}
        assert "'dead'" in response.json()["error"]["message"]

    def test_pages_cover_the_list_once(self, api: TestClient, seeded: Seeded) -> None:
        """Following next_cursor visits every item exactly once."""
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": "4", **({"cursor": cursor} if cursor else {})}
            body = api.get("/api/v1/catalog", params=params, headers=ALICE).json()
            seen += ids(body)
            assert len(body["data"]) <= 4
            cursor = body["pagination"]["next_cursor"]
            if not body["pagination"]["has_more"]:
                break

        assert seen == sorted(seeded.items)
        assert cursor is None

    @pytest.mark.parametrize("limit", ["0", "201", "-1", "ten", "1.5"])
    def test_out_of_range_limit_is_refused(self, api: TestClient, limit: str) -> None:
        """limit outside 1..200 is a 400."""
        response = api.get(f"/api/v1/catalog?limit={limit}", headers=ALICE)

        assert response.status_code == 400
        assert response.json()["error"]["details"] == {"parameter": "limit"}

    def test_foreign_or_tampered_cursor_is_refused(
        self, api: TestClient, seeded: Seeded
    ) -> None:
        """A cursor of another list, altered or unsigned, is a 400."""
        first = api.get("/api/v1/requests?limit=1", headers=ADMIN).json()
        foreign = first["pagination"]["next_cursor"]
        page = api.get("/api/v1/catalog?limit=1", headers=ALICE).json()
        ours = page["pagination"]["next_cursor"]
        tampered = ours[:-2] + ("A" if ours[-2] != "A" else "B") + ours[-1]
        unsigned = CursorCodec(b"another key").encode(listing="catalog", keys=["a"])

        for cursor in (foreign, tampered, unsigned, "%%%", "x" * 5000):
            response = api.get(
                "/api/v1/catalog", params={"cursor": cursor}, headers=ALICE
            )
            assert response.status_code == 400, cursor
            assert response.json()["error"]["code"] == "invalid_cursor"

    def test_needs_an_authenticated_caller(self, api: TestClient) -> None:
        """Anonymous callers get 401."""
        assert api.get("/api/v1/catalog").status_code == 401

    def test_listing_is_cached_until_the_catalog_changes(
        self, api: TestClient, store: Store, seeded: Seeded, cache: MemoryCache
    ) -> None:
        """A new item shows once the controller drops the catalog keys."""
        data = seeded.items["s3-bucket"].model_dump(by_alias=True, mode="json")
        data["metadata"]["id"] = "s3-bucket-eu"
        clone = CatalogItem.model_validate(data)
        before = ids(api.get("/api/v1/catalog", headers=ALICE).json())
        store.upsert_catalog_version(
            item_version(
                clone, path="catalog/object-storage/s3-bucket-eu.yaml", commit="c3"
            )
        )

        cached = ids(api.get("/api/v1/catalog", headers=ALICE).json())
        invalidate_catalog(cache)
        fresh = ids(api.get("/api/v1/catalog", headers=ALICE).json())

        assert cached == before
        assert fresh == sorted([*before, "s3-bucket-eu"])


class TestItem:
    def test_item_has_its_definition_and_provenance(
        self, api: TestClient, seeded: Seeded
    ) -> None:
        """The item answers with its file's content, commit and version."""
        body = api.get("/api/v1/catalog/items/postgres-database", headers=ALICE).json()

        expected = seeded.items["postgres-database"].model_dump(
            by_alias=True, mode="json", exclude_none=True
        )
        assert body["item"] == expected
        assert body["version"] == expected["metadata"]["version"]
        assert body["commit"] == "c0ffee1"
        assert body["stale"] is False
        assert body["owner_team"] == "acme/dba"
        assert body["indexed_at"]

    def test_stale_item_keeps_serving_its_last_valid_version(
        self, api: TestClient, seeded: Seeded
    ) -> None:
        """A broken newest file leaves the older version served, marked stale."""
        body = api.get(f"/api/v1/catalog/items/{STALE_ITEM}", headers=ALICE).json()

        assert body["stale"] is True
        assert body["commit"] == "c0ffee1"
        assert body["version"] == seeded.items[STALE_ITEM].metadata.version

    @pytest.mark.parametrize("item_id", ["no-such-item", BROKEN_ITEM, "%20"])
    def test_unknown_item_is_404(self, api: TestClient, item_id: str) -> None:
        """Unknown items, and items with no valid file, are 404."""
        response = api.get(f"/api/v1/catalog/items/{item_id}", headers=ALICE)

        assert response.status_code == 404
        assert response.json()["error"]["code"] == "catalog_item_not_found"

    def test_item_is_cached_for_five_minutes(
        self, api: TestClient, store: Store, cache: MemoryCache, clock: Clock
    ) -> None:
        """The item is read from the cache until its TTL runs out."""
        api.get("/api/v1/catalog/items/s3-bucket", headers=ALICE)
        store.remove_catalog_item("s3-bucket")

        clock.now += CacheKeys.CATALOG_ITEM_TTL - 1
        still = api.get("/api/v1/catalog/items/s3-bucket", headers=ALICE)
        clock.now += 2
        gone = api.get("/api/v1/catalog/items/s3-bucket", headers=ALICE)

        assert still.status_code == 200
        assert gone.status_code == 404


class TestForm:
    def test_form_has_groups_fields_and_the_validation_endpoint(
        self, api: TestClient
    ) -> None:
        """The form response describes each field for a UI."""
        body = api.get(
            "/api/v1/catalog/items/iam-access-grant/schema", headers=ALICE
        ).json()

        assert body["item_id"] == "iam-access-grant"
        assert body["validation"] == {"endpoint": "/api/v1/validate/request"}
        fields = {f["id"]: f for g in body["groups"] for f in g["fields"]}
        principal = fields["principal"]
        assert principal["component"] == "text-input"
        assert principal["required"] is True
        assert principal["placeholder"] == "jane.doe@acme.example"
        assert principal["validation"]["message"].startswith("an @acme.example")
        assert "pattern" in principal["validation"]
        assert fields["role"]["options"][0] == {
            "value": "ReadOnly",
            "label": "ReadOnly",
        }
        assert fields["account"]["component"] == "dropdown"
        assert fields["extraPermissions"]["conditional"] == {
            "dependsOn": "role",
            "condition": "notEquals",
            "value": "Admin",
        }
        assert fields["reason"]["validation"]["minLength"] == 20

    def test_form_of_unknown_item_is_404(self, api: TestClient) -> None:
        response = api.get(f"/api/v1/catalog/items/{BROKEN_ITEM}/schema", headers=ALICE)

        assert response.status_code == 404

    def test_form_is_cached_for_an_hour(
        self, api: TestClient, store: Store, clock: Clock
    ) -> None:
        """Forms live longer in the cache than items."""
        api.get("/api/v1/catalog/items/s3-bucket/schema", headers=ALICE)
        store.remove_catalog_item("s3-bucket")

        clock.now += CacheKeys.CATALOG_ITEM_TTL + 1
        still = api.get("/api/v1/catalog/items/s3-bucket/schema", headers=ALICE)
        clock.now += CacheKeys.CATALOG_SCHEMA_TTL
        gone = api.get("/api/v1/catalog/items/s3-bucket/schema", headers=ALICE)

        assert still.status_code == 200
        assert gone.status_code == 404


class TestRefresh:
    def test_admin_schedules_a_refresh(
        self, api: TestClient, recorder: Recorder
    ) -> None:
        response = api.post("/api/v1/catalog/refresh", headers=ADMIN)

        assert response.status_code == 202
        assert response.json() == {"status": "accepted"}
        assert recorder.refreshes == 1

    def test_others_are_forbidden(self, api: TestClient, recorder: Recorder) -> None:
        """A known non-admin gets 403; nobody gets 401; nothing is scheduled."""
        forbidden = api.post("/api/v1/catalog/refresh", headers=ALICE)
        anonymous = api.post("/api/v1/catalog/refresh")

        assert forbidden.status_code == 403
        assert forbidden.json()["error"]["code"] == "admin_required"
        assert anonymous.status_code == 401
        assert recorder.refreshes == 0


class TestValidationErrors:
    def test_lists_items_whose_newest_file_is_invalid(self, api: TestClient) -> None:
        """Each entry has the file, commit, diagnostics and what still serves."""
        body = api.get("/api/v1/catalog/validation-errors", headers=ALICE).json()

        by_id = {row["item_id"]: row for row in body["data"]}
        assert [row["path"] for row in body["data"]] == [
            "catalog/caches/redis-cache.yaml",
            "catalog/misc/broken-item.yaml",
        ]
        assert by_id[STALE_ITEM]["serving_version"] == "3.0.2"
        assert by_id[BROKEN_ITEM]["serving_version"] is None
        assert by_id[BROKEN_ITEM]["commit"] == "c0ffee2"
        diagnostic = by_id[BROKEN_ITEM]["diagnostics"][0]
        assert diagnostic["code"] == "missing-key"
        assert diagnostic["line"] == 3
        assert body["pagination"]["total_count"] == 2

    def test_pages(self, api: TestClient) -> None:
        first = api.get("/api/v1/catalog/validation-errors?limit=1", headers=ALICE)
        cursor = first.json()["pagination"]["next_cursor"]
        second = api.get(
            "/api/v1/catalog/validation-errors",
            params={"limit": "1", "cursor": cursor},
            headers=ALICE,
        ).json()

        assert first.json()["data"][0]["item_id"] == STALE_ITEM
        assert [row["item_id"] for row in second["data"]] == [BROKEN_ITEM]
        assert second["pagination"]["has_more"] is False
