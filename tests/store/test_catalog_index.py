"""The catalog index: versions, the current item, staleness, filters."""

from __future__ import annotations

import hashlib
from typing import Any

from pao.store import NewCatalogVersion, Store


def _file(
    item_id: str = "postgres-database",
    *,
    content: str = "v1",
    valid: bool = True,
    version: str | None = "1.0.0",
    **fields: Any,
) -> NewCatalogVersion:
    descriptive: dict[str, Any] = {
        "name": "PostgreSQL database",
        "description": "A managed PostgreSQL database.",
        "category": "databases",
        "tags": ["database", "sql"],
        "owner_team": "acme/dba",
    }
    descriptive.update(fields)
    return NewCatalogVersion(
        item_id=item_id,
        path=f"catalog/{descriptive['category']}/{item_id}.yaml",
        commit_sha=f"sha-{content}",
        content_sha256=hashlib.sha256(f"{item_id}:{content}".encode()).hexdigest(),
        valid=valid,
        version=version,
        data={"metadata": {"id": item_id, "version": version}} if valid else None,
        diagnostics=(
            []
            if valid
            else [{"line": 3, "column": 1, "code": "schema", "message": "bad"}]
        ),
        **descriptive,
    )


def test_a_valid_file_becomes_the_current_item(store: Store) -> None:
    stored, changed = store.upsert_catalog_version(_file())

    item = store.get_catalog_item("postgres-database")

    assert changed
    assert item is not None
    assert item.current == stored
    assert not item.stale
    assert item.current.data == {
        "metadata": {"id": "postgres-database", "version": "1.0.0"}
    }
    assert item.current.tags == ["database", "sql"]
    assert store.list_validation_errors() == []


def test_seeing_the_same_file_again_changes_nothing(store: Store) -> None:
    first, _ = store.upsert_catalog_version(_file())

    again, changed = store.upsert_catalog_version(_file())

    assert not changed
    assert again == first
    assert len(store.list_catalog_versions("postgres-database")) == 1


def test_an_invalid_newer_file_keeps_the_old_version_serving(store: Store) -> None:
    good, _ = store.upsert_catalog_version(_file())

    bad, changed = store.upsert_catalog_version(_file(content="v2", valid=False))

    item = store.get_catalog_item("postgres-database")
    assert changed
    assert item is not None
    assert item.stale
    assert item.current == good
    assert item.newest_version_id == bad.id
    assert store.list_validation_errors() == [bad]
    assert bad.diagnostics[0]["message"] == "bad"


def test_fixing_the_file_clears_staleness_and_errors(store: Store) -> None:
    store.upsert_catalog_version(_file())
    store.upsert_catalog_version(_file(content="v2", valid=False))

    fixed, _ = store.upsert_catalog_version(_file(content="v3", version="1.1.0"))

    item = store.get_catalog_item("postgres-database")
    assert item is not None
    assert not item.stale
    assert item.current == fixed
    assert store.list_validation_errors() == []
    newest_first = store.list_catalog_versions("postgres-database")
    assert [v.commit_sha for v in newest_first] == ["sha-v3", "sha-v2", "sha-v1"]


def test_a_reverted_file_serves_again(store: Store) -> None:
    store.upsert_catalog_version(_file(content="v1"))
    store.upsert_catalog_version(_file(content="v2", version="2.0.0"))

    reverted, changed = store.upsert_catalog_version(_file(content="v1"))

    item = store.get_catalog_item("postgres-database")
    assert changed
    assert item is not None
    assert item.current.id == reverted.id
    assert item.current.version == "1.0.0"
    assert len(store.list_catalog_versions("postgres-database")) == 2


def test_an_item_that_was_never_valid_is_only_an_error(store: Store) -> None:
    bad, _ = store.upsert_catalog_version(_file("broken", valid=False, version=None))

    assert store.get_catalog_item("broken") is None
    assert store.list_catalog_items() == []
    assert store.list_validation_errors() == [bad]
    assert store.list_catalog_item_ids() == ["broken"]


def test_a_version_is_found_by_its_semver(store: Store) -> None:
    old, _ = store.upsert_catalog_version(_file(content="v1"))
    new, _ = store.upsert_catalog_version(_file(content="v2", version="1.1.0"))
    store.upsert_catalog_version(_file(content="v3", version="1.2.0", valid=False))

    assert (
        store.get_catalog_version(item_id="postgres-database", version="1.0.0") == old
    )
    assert (
        store.get_catalog_version(item_id="postgres-database", version="1.1.0") == new
    )
    assert (
        store.get_catalog_version(item_id="postgres-database", version="1.2.0") is None
    )


def test_listing_filters_by_category_tag_lifecycle_and_text(store: Store) -> None:
    store.upsert_catalog_version(_file())
    store.upsert_catalog_version(
        _file(
            "redis-cache",
            name="Redis cache",
            description="In-memory 100% cache_store",
            category="caches",
            tags=["cache"],
            lifecycle_status="deprecated",
        )
    )
    store.upsert_catalog_version(_file("mysql-database", tags=["database"]))

    def ids(**filters: str) -> list[str]:
        return [i.item_id for i in store.list_catalog_items(**filters)]

    assert ids() == ["mysql-database", "postgres-database", "redis-cache"]
    assert ids(category="databases") == ["mysql-database", "postgres-database"]
    assert ids(tag="sql") == ["postgres-database"]
    assert ids(tag="database", category="databases") == [
        "mysql-database",
        "postgres-database",
    ]
    assert ids(lifecycle_status="deprecated") == ["redis-cache"]
    assert ids(search="REDIS") == ["redis-cache"]
    assert ids(search="managed postgresql") == ["mysql-database", "postgres-database"]
    assert ids(search="100%") == ["redis-cache"]
    assert ids(search="e_s") == ["redis-cache"]
    assert ids(search="%") == ["redis-cache"]
    assert ids(search="cache", category="databases") == []


def test_a_removed_item_stops_serving_but_keeps_its_history(store: Store) -> None:
    store.upsert_catalog_version(_file())

    assert store.remove_catalog_item("postgres-database")
    assert not store.remove_catalog_item("postgres-database")

    assert store.get_catalog_item("postgres-database") is None
    assert store.list_catalog_item_ids() == []
    assert len(store.list_catalog_versions("postgres-database")) == 1
    readded, changed = store.upsert_catalog_version(_file())
    assert changed
    assert store.get_catalog_item("postgres-database") is not None
    assert readded.item_id == "postgres-database"
