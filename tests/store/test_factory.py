"""Opening stores from URLs, and how failures surface."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from pao.store import (
    Conflict,
    InvalidTransition,
    Store,
    StoreUnavailable,
    open_database,
    open_store,
)
from pao.store.postgres import PostgresDatabase
from pao.store.sqlite import SqliteDatabase


def test_no_url_means_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    with open_store(None, data_dir=tmp_path / "data") as store:
        store.migrate()

        assert store.dialect == "sqlite"
        assert store.migrations_current()
    assert (tmp_path / "data" / "pao.db").is_file()


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:///relative/pao.db", Path("relative/pao.db")),
        ("sqlite:////var/lib/pao/index.db", Path("/var/lib/pao/index.db")),
        ("sqlite:///with%20space.db", Path("with space.db")),
    ],
)
def test_sqlite_urls_name_a_file(url: str, expected: Path, tmp_path: Path) -> None:
    db = open_database(url, data_dir=tmp_path)

    assert isinstance(db, SqliteDatabase)
    assert db.path == expected


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://db/pao", "sqlite:/// or postgresql://"),
        ("pao.db", r"got scheme '\(none\)'"),
        ("sqlite://pao.db", "sqlite:///path"),
        ("sqlite:///:memory:", "must name a file"),
    ],
)
def test_unusable_urls_are_refused(url: str, message: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=message):
        open_database(url, data_dir=tmp_path)


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+psycopg"])
def test_postgres_urls_open_postgres(
    scheme: str, postgres_url: str, tmp_path: Path
) -> None:
    url = postgres_url.replace("postgresql", scheme, 1)
    with open_store(url, data_dir=tmp_path) as store:
        store.ping()

        assert store.dialect == "postgresql"


def test_an_unreachable_postgres_is_unavailable(tmp_path: Path) -> None:
    db = PostgresDatabase(
        "postgresql://postgres@127.0.0.1:1/none", timeout=0.3, min_size=0
    )
    try:
        with (
            pytest.raises(StoreUnavailable, match="PostgreSQL") as caught,
            db.transaction(write=False) as tx,
        ):
            tx.fetch_one("SELECT 1")
        assert caught.value.__cause__ is not None
    finally:
        db.close()


def test_a_schema_must_be_a_plain_identifier(postgres_url: str) -> None:
    with pytest.raises(ValueError, match="plain SQL identifier"):
        PostgresDatabase(postgres_url, schema="x; DROP TABLE requests")


def test_errors_read_well() -> None:
    refused = InvalidTransition(request_id="r1", from_status="queued", to_status="done")

    assert str(refused) == "request r1: cannot move from 'queued' to 'done'"
    assert repr(Conflict("taken")) == "Conflict('taken')"


def test_a_sqlite_write_lock_held_elsewhere_is_unavailable(tmp_path: Path) -> None:
    path = tmp_path / "pao.db"
    with Store(SqliteDatabase(path)) as store:
        store.migrate()
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")

    try:
        with Store(SqliteDatabase(path, busy_timeout=0.1)) as store:
            assert store.get_repo_state("catalog") is None
            with pytest.raises(StoreUnavailable, match="locked") as caught:
                store.set_repo_state(repo="catalog", indexed_sha="abc")
            assert isinstance(caught.value.__cause__, sqlite3.OperationalError)
    finally:
        other.execute("ROLLBACK")
        other.close()
