"""Fixtures for the store tests: every test runs on SQLite and PostgreSQL.

PostgreSQL tests share one schema per session, created under a random
name (so parallel runs never collide and no real data is touched), migrated
once, emptied before each test and dropped at the end.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from pao.store import Database, Store
from pao.store.postgres import PostgresDatabase
from pao.store.sqlite import SqliteDatabase
from services import DATABASE_URL, require_service
from store.helpers import FakeClock, StoreFactory

TABLES = [
    "named_locks",
    "webhook_deliveries",
    "audit_log",
    "action_runs",
    "request_revisions",
    "requests",
    "repo_states",
    "catalog_items",
    "catalog_version_tags",
    "catalog_item_versions",
]


@pytest.fixture(scope="session")
def pg_schema() -> Iterator[str]:
    """A migrated schema of its own in the test database."""
    require_service("PostgreSQL", "127.0.0.1", 5432)
    schema = f"pao_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        with Store(PostgresDatabase(DATABASE_URL, schema=schema)) as store:
            store.migrate()
        yield schema
    finally:
        with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file, copied for each test (migrating takes long)."""
    path = tmp_path_factory.mktemp("template") / "pao.db"
    with Store(SqliteDatabase(path)) as store:
        store.migrate()
    return path


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(params=["sqlite", "postgresql"])
def make_store(
    request: pytest.FixtureRequest, tmp_path: Path, clock: FakeClock
) -> Iterator[StoreFactory]:
    """Opens stores on one fresh database (each call: another instance)."""
    if request.param == "sqlite":
        path = tmp_path / "pao.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield from _opener(lambda: SqliteDatabase(path), clock)
    else:
        yield request.getfixturevalue("make_pg_store")


@pytest.fixture
def make_pg_store(pg_schema: str, clock: FakeClock) -> Iterator[StoreFactory]:
    """Like ``make_store``, on PostgreSQL only (for replica behaviour)."""
    _empty(pg_schema)
    yield from _opener(
        lambda: PostgresDatabase(DATABASE_URL, schema=pg_schema, max_size=8), clock
    )


def _opener(
    connect: Callable[[], Database], clock: FakeClock
) -> Iterator[StoreFactory]:
    opened: list[Store] = []

    def open_one() -> Store:
        store = Store(connect(), clock=clock)
        opened.append(store)
        return store

    yield open_one
    for store in opened:
        store.close()


@pytest.fixture
def store(make_store: StoreFactory) -> Store:
    return make_store()


@pytest.fixture
def redis_prefix(redis_url: str) -> Iterator[str]:
    """A key prefix of the test's own; its keys are deleted afterwards."""
    import redis

    prefix = f"paotest:{uuid.uuid4().hex[:12]}:"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


def _empty(schema: str) -> None:
    # DELETE is much faster than TRUNCATE on tables this small; replica
    # mode lets it past the audit log's append-only trigger.
    with psycopg.connect(DATABASE_URL) as conn:
        conn.execute("SET session_replication_role = replica")
        for table in TABLES:
            conn.execute(f"DELETE FROM {schema}.{table}")
