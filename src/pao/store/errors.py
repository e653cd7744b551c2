"""Errors raised by the store.

Driver exceptions (``sqlite3``, ``psycopg``, ``redis``) never leave this
package: they are converted at the edge to one of these, with the original
chained as ``__cause__``::

    StoreError
    ├── StoreUnavailable    transient: the database is down, busy or locked
    ├── NotFound            the addressed row does not exist
    ├── Conflict            a unique key or a concurrent change got in the way
    └── InvalidTransition   a request status change the lifecycle forbids
"""

from __future__ import annotations

__all__ = [
    "Conflict",
    "InvalidTransition",
    "NotFound",
    "StoreError",
    "StoreUnavailable",
]


class StoreError(Exception):
    """The index or the execution log could not do what was asked."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self)!r})"


class StoreUnavailable(StoreError):
    """The database cannot be reached or is busy; trying later may work."""


class NotFound(StoreError):
    """The addressed row does not exist."""


class Conflict(StoreError):
    """A unique key is already taken or the row changed underneath."""


class InvalidTransition(StoreError):
    """A request was asked to move to a status its lifecycle forbids."""

    def __init__(self, *, request_id: str, from_status: str, to_status: str) -> None:
        self.request_id = request_id
        self.from_status = from_status
        self.to_status = to_status
        message = (
            f"request {request_id}: cannot move from {from_status!r} to {to_status!r}"
        )
        super().__init__(message)
