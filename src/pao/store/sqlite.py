"""The SQLite engine: a file under the data directory, nothing to install.

Connections live in a small lock-protected pool, one per thread at a time,
in autocommit mode so that transactions are explicit: ``BEGIN IMMEDIATE``
for writes (the write lock is taken up front, so two writers never
deadlock upgrading from a read lock) and ``BEGIN`` for consistent reads.
WAL lets readers run beside the one writer; the busy timeout makes a
writer wait for the lock instead of failing at once.
"""

from __future__ import annotations

import fcntl
import json
import queue
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.pool import NullPool

from .database import Database, Json, Leadership, Params, Row, Transaction
from .errors import Conflict, StoreError, StoreUnavailable

__all__ = ["SqliteDatabase"]

#: How long a writer waits for the lock before giving up (seconds).
BUSY_TIMEOUT = 10.0

# Messages of sqlite3.OperationalError that mean "try again later" rather
# than a broken statement or schema.
_TRANSIENT = ("locked", "busy", "unable to open", "disk i/o")


class SqliteDatabase(Database):
    """SQLite in WAL mode behind a pool of per-thread connections."""

    dialect = "sqlite"
    row_lock = ""
    skip_locked = ""

    def __init__(
        self, path: Path, *, max_idle: int = 8, busy_timeout: float = BUSY_TIMEOUT
    ) -> None:
        self.path = path
        self.busy_timeout = busy_timeout
        self._idle: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue(max_idle)
        self._closed = False
        # Writers in this process queue on a lock rather than on SQLite's
        # busy handler, which polls with sleeps and lets some writers
        # starve; the busy timeout still arbitrates between processes.
        self._write_lock = threading.Lock()

    # -- transactions ---------------------------------------------------

    @contextmanager
    def transaction(self, *, write: bool) -> Iterator[Transaction]:
        if not write:
            with self._transaction(write=False) as tx:
                yield tx
            return
        with self._write_lock, self._transaction(write=True) as tx:
            yield tx

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[Transaction]:
        with self._connection() as conn:
            with _translated():
                conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            try:
                with _translated():
                    yield _SqliteTransaction(conn)
                    conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise

    @contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        conn = self._checkout()
        try:
            yield conn
        finally:
            self._checkin(conn)

    def _checkout(self) -> sqlite3.Connection:
        if self._closed:
            raise StoreUnavailable(f"the store at {self.path} is closed")
        try:
            return self._idle.get_nowait()
        except queue.Empty:
            with _translated():
                return self._connect()

    def _checkin(self, conn: sqlite3.Connection) -> None:
        if self._closed or conn.in_transaction:
            conn.close()
            return
        try:
            self._idle.put_nowait(conn)
        except queue.Full:
            conn.close()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(
            self.path,
            timeout=self.busy_timeout,
            isolation_level=None,
            check_same_thread=False,
        )
        try:
            _configure(conn, busy_timeout=self.busy_timeout)
        except BaseException:
            conn.close()
            raise
        return conn

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().close()
            except queue.Empty:
                return

    # -- values ---------------------------------------------------------

    def decode_time(self, value: Any) -> datetime:
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)

    def decode_json(self, value: Any) -> Any:
        return json.loads(value)

    # -- migrations and leadership -------------------------------------

    def migration_engine(self) -> Engine:
        # Switch the file to WAL before Alembic creates anything in it, so
        # no reader ever meets it in rollback-journal mode.
        with _translated():
            self._connect().close()
        engine = create_engine(
            f"sqlite:///{self.path}",
            connect_args={"timeout": self.busy_timeout, "isolation_level": None},
            poolclass=NullPool,
        )
        # The sqlite3 module would commit before every DDL statement; with
        # its own transaction handling off and an explicit BEGIN, the whole
        # migration commits at once or not at all.
        event.listen(engine, "begin", _begin_immediate)
        return engine

    @contextmanager
    def migration_lock(self) -> Iterator[None]:
        # SQLite DDL through Alembic is not wrapped in one transaction, so
        # a second process (the CLI next to a server) is kept out by a lock
        # on a file beside the database.
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(f"{self.path}.migrate.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def leadership(self, name: str) -> Leadership:
        return _SoleLeader()


def _begin_immediate(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _configure(conn: sqlite3.Connection, *, busy_timeout: float) -> None:
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
    # Changing the journal mode takes an exclusive lock: only ask when the
    # file is not in WAL mode yet (WAL is persistent, so that is once).
    if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
        conn.execute("PRAGMA journal_mode=WAL")
    # NORMAL is durable across application crashes in WAL mode; only an
    # OS crash can lose the last commits, which git can replay.
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA foreign_keys=ON")


class _SqliteTransaction:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self._conn = conn

    def fetch(self, sql: str, params: Params | None = None) -> list[Row]:
        return self._conn.execute(sql, _adapt(params)).fetchall()

    def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        # Fetch everything: a half-read RETURNING statement would stay
        # active and make the COMMIT fail.
        rows = self._conn.execute(sql, _adapt(params)).fetchall()
        return rows[0] if rows else None

    def run(self, sql: str, params: Params | None = None) -> int:
        return self._conn.execute(sql, _adapt(params)).rowcount


class _SoleLeader(Leadership):
    """SQLite serves one process, which therefore always leads."""

    def try_acquire(self) -> bool:
        return True

    def release(self) -> None:
        return None


def _adapt(params: Params | None) -> dict[str, object]:
    return {name: _adapt_value(value) for name, value in (params or {}).items()}


def _adapt_value(value: object) -> object:
    if isinstance(value, Json):
        return None if value.value is None else json.dumps(value.value)
    if isinstance(value, datetime):
        # A fixed-width UTC form sorts as text in time order, which keyset
        # pagination over (created_at, id) relies on.
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f+00:00")
    return value


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except sqlite3.IntegrityError as exc:
        raise Conflict(str(exc)) from exc
    except sqlite3.OperationalError as exc:
        text = str(exc).lower()
        if any(marker in text for marker in _TRANSIENT):
            raise StoreUnavailable(f"SQLite: {exc}") from exc
        raise StoreError(f"SQLite: {exc}") from exc
    except sqlite3.Error as exc:
        raise StoreError(f"SQLite: {exc}") from exc
