"""Leadership: one poller among replicas."""

from __future__ import annotations

import uuid
from pathlib import Path

import psycopg

from pao.store import Store
from pao.store.sqlite import SqliteDatabase
from store.helpers import StoreFactory


def test_sqlite_always_leads(tmp_path: Path) -> None:
    with Store(SqliteDatabase(tmp_path / "pao.db")) as store:
        leadership = store.leadership()

        assert leadership.try_acquire()
        leadership.release()
        assert leadership.try_acquire()


def test_one_replica_leads_until_it_lets_go(make_pg_store: StoreFactory) -> None:
    name = f"poller-{uuid.uuid4().hex}"
    one, other = make_pg_store(), make_pg_store()
    first, second = one.leadership(name), other.leadership(name)

    try:
        assert first.try_acquire()
        assert first.try_acquire()
        assert not second.try_acquire()
        assert one.leadership(f"{name}-other").try_acquire()

        first.release()

        assert second.try_acquire()
        assert not first.try_acquire()
    finally:
        first.release()
        second.release()


def test_leadership_moves_on_when_the_leaders_connection_dies(
    make_pg_store: StoreFactory, postgres_url: str
) -> None:
    name = f"poller-{uuid.uuid4().hex}"
    first = make_pg_store().leadership(name)
    second = make_pg_store().leadership(name)
    try:
        assert first.try_acquire()
        backend = first._conn.info.backend_pid  # type: ignore[attr-defined]
        _kill_connection(postgres_url, backend)

        assert second.try_acquire()
        assert not first.try_acquire()
    finally:
        first.release()
        second.release()


def _kill_connection(url: str, pid: int) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(%s)", (pid,))
