"""Schema migrations: idempotent, current, the same on both engines."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

from pao.store import Store, StoreError
from pao.store.migrate import applied_revisions, head_revisions
from pao.store.postgres import PostgresDatabase
from pao.store.sqlite import SqliteDatabase
from services import DATABASE_URL
from store.helpers import new_request


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A store on a database nobody migrated yet."""
    if request.param == "sqlite":
        with Store(SqliteDatabase(tmp_path / "fresh.db")) as store:
            yield store
        return
    request.getfixturevalue("postgres_url")
    schema = f"pao_fresh_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        with Store(PostgresDatabase(DATABASE_URL, schema=schema)) as store:
            yield store
    finally:
        with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def test_a_new_database_is_not_current_until_migrated(fresh_store: Store) -> None:
    assert not fresh_store.migrations_current()
    assert applied_revisions(fresh_store._db) == frozenset()

    fresh_store.migrate()

    assert fresh_store.migrations_current()
    assert applied_revisions(fresh_store._db) == head_revisions()


def test_migrating_twice_changes_nothing(fresh_store: Store) -> None:
    fresh_store.migrate()
    new_request(fresh_store, "kept")

    fresh_store.migrate()

    assert fresh_store.migrations_current()
    assert fresh_store.get_request("postgres-database/kept").name == "kept"


def test_the_package_ships_one_linear_head() -> None:
    assert len(head_revisions()) == 1


def test_audit_rows_cannot_be_changed_by_any_client(fresh_store: Store) -> None:
    fresh_store.migrate()
    new_request(fresh_store, "audited")

    for statement in (
        "UPDATE audit_log SET actor = 'mallory'",
        "DELETE FROM audit_log",
    ):
        with (
            pytest.raises(StoreError, match="append-only"),
            fresh_store._db.transaction(write=True) as tx,
        ):
            tx.run(statement)

    assert [e.actor for e in fresh_store.list_audit()] == ["pao"]


def test_concurrent_migrations_on_postgres_apply_once(postgres_url: str) -> None:
    import threading

    schema = f"pao_race_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    stores = [Store(PostgresDatabase(postgres_url, schema=schema)) for _ in range(3)]
    errors: list[BaseException] = []

    def migrate(store: Store) -> None:
        try:
            store.migrate()
        except BaseException as exc:
            errors.append(exc)

    try:
        threads = [threading.Thread(target=migrate, args=(s,)) for s in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert errors == []
        assert all(store.migrations_current() for store in stores)
    finally:
        for store in stores:
            store.close()
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def test_a_failed_migration_leaves_nothing_behind(fresh_store: Store) -> None:
    # A table in the way of the last step makes the migration fail late.
    with fresh_store._db.transaction(write=True) as tx:
        tx.run("CREATE TABLE named_locks (name TEXT)")

    with pytest.raises(StoreError, match="migration failed"):
        fresh_store.migrate()

    assert not fresh_store.migrations_current()
    with (
        pytest.raises(StoreError, match="requests"),
        fresh_store._db.transaction(write=False) as tx,
    ):
        tx.fetch("SELECT id FROM requests")
