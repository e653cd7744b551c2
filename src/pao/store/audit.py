"""The append-only audit log: who changed what about a request, and when.

Rows are only ever inserted; the schema's triggers refuse updates and
deletes from any client. Status changes write their audit row in the same
transaction as the change (see :mod:`pao.store.requests_log`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ._base import StoreBase
from .database import Database, Json, Row, Transaction
from .records import AuditEntry

__all__ = ["AuditLog", "decode_audit", "insert_audit"]

_COLUMNS = (
    "id, request_id, at, actor, event, from_status, to_status, details, correlation_id"
)


class AuditLog(StoreBase):
    """Appending to and reading the audit log."""

    def append_audit(
        self,
        *,
        actor: str,
        event: str,
        request_id: str | None = None,
        from_status: str | None = None,
        to_status: str | None = None,
        details: Mapping[str, Any] | None = None,
        correlation_id: str | None = None,
    ) -> AuditEntry:
        """Append one entry (for events that change no request status)."""
        with self._db.transaction(write=True) as tx:
            row = insert_audit(
                tx,
                at=self._now(),
                actor=actor,
                event=event,
                request_id=request_id,
                from_status=from_status,
                to_status=to_status,
                details=details,
                correlation_id=correlation_id,
            )
        return decode_audit(self._db, row)

    def list_audit(
        self,
        *,
        request_id: str | None = None,
        after_id: int | None = None,
        limit: int = 100,
    ) -> list[AuditEntry]:
        """Entries in the order written, optionally for one request only.

        Page with *after_id* = the ``id`` of the last entry already seen.
        """
        clauses = ["id > :after_id"]
        params: dict[str, object] = {"after_id": after_id or 0, "limit": limit}
        if request_id is not None:
            clauses.append("request_id = :request_id")
            params["request_id"] = request_id
        with self._db.transaction(write=False) as tx:
            rows = tx.fetch(
                f"SELECT {_COLUMNS} FROM audit_log WHERE {' AND '.join(clauses)}"
                " ORDER BY id LIMIT :limit",
                params,
            )
        return [decode_audit(self._db, row) for row in rows]


def insert_audit(
    tx: Transaction,
    *,
    at: datetime,
    actor: str,
    event: str,
    request_id: str | None,
    from_status: str | None = None,
    to_status: str | None = None,
    details: Mapping[str, Any] | None = None,
    correlation_id: str | None = None,
) -> Row:
    """Insert one audit row inside the caller's transaction."""
    row = tx.fetch_one(
        "INSERT INTO audit_log (request_id, at, actor, event, from_status,"
        " to_status, details, correlation_id) VALUES (:request_id, :at, :actor,"
        " :event, :from_status, :to_status, :details, :correlation_id)"
        f" RETURNING {_COLUMNS}",
        {
            "request_id": request_id,
            "at": at,
            "actor": actor,
            "event": event,
            "from_status": from_status,
            "to_status": to_status,
            "details": Json(dict(details or {})),
            "correlation_id": correlation_id,
        },
    )
    assert row is not None  # RETURNING always yields the row
    return row


def decode_audit(db: Database, row: Row) -> AuditEntry:
    """Build an :class:`AuditEntry` from an ``audit_log`` row."""
    return AuditEntry(
        id=int(row["id"]),
        request_id=row["request_id"],
        at=db.decode_time(row["at"]),
        actor=row["actor"],
        event=row["event"],
        from_status=row["from_status"],
        to_status=row["to_status"],
        details=db.decode_json(row["details"]),
        correlation_id=row["correlation_id"],
    )
