"""The small dialect layer under :class:`~pao.store.Store`.

The store writes its SQL once, in the subset SQLite and PostgreSQL share
(``ON CONFLICT``, ``RETURNING``, row values), with ``:name`` placeholders.
A :class:`Database` runs it on one engine: it hands out transactions,
adapts parameters (timestamps, JSON) and decodes column values, and
converts driver exceptions to the store's own.

Runtime queries go straight to ``sqlite3`` and ``psycopg`` rather than
through SQLAlchemy: the hot paths are single-row lookups where a query
compiler would cost more than the query, and the engine-specific pieces
(``BEGIN IMMEDIATE``, ``FOR UPDATE SKIP LOCKED``, advisory locks) are
clearer as plain SQL. SQLAlchemy and Alembic only run the migrations.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine

__all__ = [
    "Database",
    "Json",
    "Leadership",
    "Params",
    "Row",
    "Transaction",
    "escape_like",
    "in_list",
]

Row = Mapping[str, Any]
Params = Mapping[str, object]


@dataclass(frozen=True, slots=True)
class Json:
    """Marks a parameter bound for a JSON column."""

    value: Any


class Transaction(Protocol):
    """The statements of one database transaction."""

    def fetch(self, sql: str, params: Params | None = None) -> list[Row]:
        """Run *sql* and return every row it produced."""
        ...

    def fetch_one(self, sql: str, params: Params | None = None) -> Row | None:
        """Run *sql* and return its first row, if any."""
        ...

    def run(self, sql: str, params: Params | None = None) -> int:
        """Run *sql* and return how many rows it changed."""
        ...


class Leadership(ABC):
    """Exclusive leadership among the replicas sharing one database.

    The holder polls the repositories; everyone else only serves and works
    on claimed requests. :meth:`try_acquire` is cheap and idempotent: call
    it before every poll, since leadership can be lost with a connection.
    """

    @abstractmethod
    def try_acquire(self) -> bool:
        """Take leadership if free; tell whether this replica holds it."""

    @abstractmethod
    def release(self) -> None:
        """Give leadership up (a no-op when not held)."""


class Database(ABC):
    """One engine: connections, parameter adaptation, value decoding."""

    #: ``"sqlite"`` or ``"postgresql"``.
    dialect: str
    #: Appended to a SELECT that reads rows about to be changed.
    row_lock: str
    #: Appended to a SELECT that hands out work to one of several takers.
    skip_locked: str

    @abstractmethod
    def transaction(self, *, write: bool) -> AbstractContextManager[Transaction]:
        """Open a transaction; it commits on exit and rolls back on error.

        *write* transactions take the write lock up front where the engine
        needs that to avoid deadlocks between upgrading readers (SQLite).
        """

    @abstractmethod
    def decode_time(self, value: Any) -> datetime:
        """Turn a stored timestamp into an aware UTC datetime."""

    @abstractmethod
    def decode_json(self, value: Any) -> Any:
        """Turn a stored JSON column into Python values."""

    @abstractmethod
    def migration_engine(self) -> Engine:
        """A SQLAlchemy engine for Alembic to migrate through."""

    @abstractmethod
    def migration_lock(self) -> AbstractContextManager[None]:
        """Keep other processes from migrating the same database meanwhile."""

    @abstractmethod
    def leadership(self, name: str) -> Leadership:
        """The leadership election called *name* in this database."""

    @abstractmethod
    def close(self) -> None:
        """Close every connection."""

    def decode_optional_time(self, value: Any) -> datetime | None:
        return None if value is None else self.decode_time(value)

    def decode_optional_json(self, value: Any) -> Any:
        return None if value is None else self.decode_json(value)


def in_list(prefix: str, values: Iterable[object]) -> tuple[str, dict[str, object]]:
    """Expand *values* into ``(:prefix0, :prefix1, …)`` and its parameters.

    Both engines understand the expansion, unlike arrays (PostgreSQL only)
    or ``json_each`` (SQLite only).
    """
    params = {f"{prefix}{i}": value for i, value in enumerate(values)}
    if not params:
        return "(NULL)", {}
    names = ", ".join(f":{name}" for name in params)
    return f"({names})", params


def escape_like(text: str) -> str:
    r"""Escape LIKE wildcards in *text* for ``ESCAPE '\'``."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
