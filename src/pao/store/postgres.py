"""The PostgreSQL engine, for several replicas sharing one database.

Connections come from a ``psycopg_pool`` pool and are checked on checkout,
so a database restart costs one failed request rather than a broken pool.
Statements keep the store's ``:name`` placeholders, rewritten once per
statement to psycopg's ``%(name)s``; psycopg prepares the frequent ones.

Leadership is a session-level advisory lock held on a dedicated
connection: when the holder dies, its connection closes and the lock goes
with it, so another replica takes over at its next attempt.
"""

from __future__ import annotations

import contextlib
import functools
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool
from sqlalchemy import Engine, create_engine
from sqlalchemy.pool import NullPool

from .database import Database, Json, Leadership, Params, Row, Transaction
from .errors import Conflict, StoreError, StoreUnavailable

__all__ = ["PostgresDatabase"]

_PLACEHOLDER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")
_LEADERSHIP_KEY = "hashtextextended(current_schema() || '/' || %s, 0)"
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


class PostgresDatabase(Database):
    """PostgreSQL through a psycopg 3 connection pool."""

    dialect = "postgresql"
    row_lock = " FOR UPDATE"
    skip_locked = " FOR UPDATE SKIP LOCKED"

    def __init__(
        self,
        url: str,
        *,
        schema: str | None = None,
        min_size: int = 1,
        max_size: int = 10,
        timeout: float = 10.0,
    ) -> None:
        self.conninfo = _conninfo(url, schema=schema)
        self.schema = schema
        with _translated():
            self._pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
                self.conninfo,
                kwargs={"row_factory": dict_row, "autocommit": True},
                min_size=min_size,
                max_size=max_size,
                timeout=timeout,
                name="pao-store",
                open=True,
            )

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Transaction]:
        # Reads run in autocommit: a lookup is one round trip instead of
        # BEGIN, SELECT and COMMIT. Writes get a transaction block; READ
        # COMMITTED plus explicit row locks (FOR UPDATE) is all they need.
        # Connections are not pinged on checkout either: one dead after a
        # server restart fails one call (StoreUnavailable) and is replaced.
        with _translated(), self._pool.connection() as conn:
            if not write:
                yield _PostgresTransaction(conn)
                return
            with conn.transaction():
                yield _PostgresTransaction(conn)

    def close(self) -> None:
        self._pool.close()

    def decode_time(self, value: Any) -> datetime:
        moment: datetime = value
        return moment.astimezone(UTC)

    def decode_json(self, value: Any) -> Any:
        # psycopg parses json/jsonb columns already.
        return value

    def migration_engine(self) -> Engine:
        return create_engine(
            "postgresql+psycopg://",
            creator=lambda: psycopg.connect(self.conninfo),
            poolclass=NullPool,
        )

    @contextmanager
    def migration_lock(self) -> Iterator[None]:
        key = "SELECT hashtextextended(current_schema() || '/migrations', 0)"
        with _translated(), psycopg.connect(self.conninfo, autocommit=True) as conn:
            conn.execute(f"SELECT pg_advisory_lock(({key}))")
            try:
                yield
            finally:
                conn.execute(f"SELECT pg_advisory_unlock(({key}))")

    def leadership(self, name: str) -> Leadership:
        return _AdvisoryLeadership(self.conninfo, name=name)


class _PostgresTransaction:
    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self._conn = conn

    def fetch(self, sql: str, params: Params | None = None) -> list[Row]:
        cursor = self._conn.execute(_pyformat(sql), _adapt(params))
        return cursor.fetchall() if cursor.description else []

    def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        row: Row | None = self._conn.execute(_pyformat(sql), _adapt(params)).fetchone()
        return row

    def run(self, sql: str, params: Params | None = None) -> int:
        return self._conn.execute(_pyformat(sql), _adapt(params)).rowcount


class _AdvisoryLeadership(Leadership):
    """``pg_try_advisory_lock`` on a connection of its own."""

    def __init__(self, conninfo: str, *, name: str) -> None:
        self._conninfo = conninfo
        self._name = name
        self._conn: psycopg.Connection[Any] | None = None
        self._held = False
        self._lock = threading.Lock()

    def try_acquire(self) -> bool:
        with self._lock:
            try:
                return self._try_acquire()
            except psycopg.Error:
                # The connection (and with it any lock it held) is gone;
                # the next attempt starts over on a new one.
                self._drop_connection()
                return False

    def _try_acquire(self) -> bool:
        if self._conn is not None and self._held:
            # A session-level lock lasts as long as its connection: a
            # round trip proves both are still there.
            self._conn.execute("SELECT 1")
            return True
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self._conninfo, autocommit=True)
        row = self._conn.execute(
            f"SELECT pg_try_advisory_lock({_LEADERSHIP_KEY})", (self._name,)
        ).fetchone()
        self._held = bool(row and row[0])
        return self._held

    def release(self) -> None:
        with self._lock:
            # Unlock explicitly: the server frees a closed session's locks
            # only when its backend has exited, a moment after the close.
            if self._conn is not None and self._held:
                with contextlib.suppress(psycopg.Error):
                    self._conn.execute(
                        f"SELECT pg_advisory_unlock({_LEADERSHIP_KEY})", (self._name,)
                    )
            self._drop_connection()

    def _drop_connection(self) -> None:
        self._held = False
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _conninfo(url: str, *, schema: str | None) -> str:
    params = conninfo_to_dict(url)
    if schema is not None:
        if not _IDENTIFIER.fullmatch(schema):
            message = f"schema must be a plain SQL identifier, got {schema!r}"
            raise ValueError(message)
        options = str(params.get("options") or "")
        params["options"] = f"{options} -c search_path={schema}".strip()
    return make_conninfo("", **params)


@functools.lru_cache(maxsize=512)
def _pyformat(sql: str) -> str:
    return _PLACEHOLDER.sub(r"%(\1)s", sql.replace("%", "%%"))


def _adapt(params: Params | None) -> dict[str, object]:
    return {name: _adapt_value(value) for name, value in (params or {}).items()}


def _adapt_value(value: object) -> object:
    if isinstance(value, Json):
        return None if value.value is None else Jsonb(value.value)
    return value


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except psycopg.IntegrityError as exc:
        raise Conflict(f"PostgreSQL: {exc}") from exc
    except psycopg.OperationalError as exc:
        raise StoreUnavailable(f"PostgreSQL: {exc}") from exc
    except psycopg.Error as exc:
        raise StoreError(f"PostgreSQL: {exc}") from exc
