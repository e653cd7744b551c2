"""The :class:`Store`: pao's index and execution log behind one object.

Git is the source of truth; the store indexes it (catalog versions,
requests and their revisions) and logs what pao did about it (status
changes, action runs, audit entries, webhook deliveries). Everything above
the store layer reads and writes through this class, from worker threads
and request handlers alike: every method is synchronous, thread-safe and
runs in its own transaction.

The operations live in one module per concern and are joined here:

* :class:`~pao.store.catalog_index.CatalogIndex` — catalog versions, items,
  validation errors;
* :class:`~pao.store.requests_log.RequestLog` — requests, revisions and
  lifecycle transitions; :class:`~pao.store.request_queries.RequestQueries`
  — paginated listings and counts;
* :class:`~pao.store.work.WorkQueue` — claims, leases, named locks;
* :class:`~pao.store.runs.ActionRunLog` — action intents and outcomes;
* :class:`~pao.store.audit.AuditLog` — the append-only audit log;
* :class:`~pao.store.deliveries.DeliveryLog` — webhook deliveries and
  repository state.

The engine underneath is a :class:`~pao.store.database.Database` (SQLite or
PostgreSQL); :func:`pao.store.open_store` picks it from a URL.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from types import TracebackType

from . import migrate
from .audit import AuditLog
from .catalog_index import CatalogIndex
from .database import Database, Leadership
from .deliveries import DeliveryLog
from .request_queries import RequestQueries
from .requests_log import RequestLog
from .runs import ActionRunLog
from .work import WorkQueue

__all__ = ["Store"]


def _utcnow() -> datetime:
    return datetime.now(UTC)


class Store(
    CatalogIndex,
    RequestLog,
    RequestQueries,
    WorkQueue,
    ActionRunLog,
    AuditLog,
    DeliveryLog,
):
    """pao's index and execution log on one database."""

    def __init__(
        self, db: Database, *, clock: Callable[[], datetime] = _utcnow
    ) -> None:
        self._db = db
        self._clock = clock

    def __repr__(self) -> str:
        return f"<Store {self.dialect}>"

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def dialect(self) -> str:
        """``"sqlite"`` or ``"postgresql"``."""
        return self._db.dialect

    def migrate(self) -> None:
        """Bring the schema to the newest revision; safe to run every start."""
        migrate.upgrade(self._db)

    def migrations_current(self) -> bool:
        """Tell whether the schema is at the newest revision (readiness)."""
        return migrate.is_current(self._db)

    def leadership(self, name: str = "poller") -> Leadership:
        """The election *name* among replicas on this database.

        PostgreSQL: an advisory lock on a connection of its own, so each
        call returns a separate contender; keep the one you got. SQLite
        serves one process, which always leads.
        """
        return self._db.leadership(name)

    def ping(self) -> None:
        """Round-trip to the database; raises :class:`StoreUnavailable`."""
        with self._db.transaction(write=False) as tx:
            tx.fetch_one("SELECT 1 AS ok")

    def close(self) -> None:
        """Close every connection; the store cannot be used afterwards."""
        self._db.close()
