"""Webhook deliveries and repository state: what came in, how far we read.

A delivery is recorded before it is acted on; the unique key on
``(source, delivery_id)`` makes :meth:`DeliveryLog.record_delivery` say
"new" exactly once per delivery, however many replicas receive it and
however often the sender retries. A *meaning key* names what a delivery
is about (``pr:acme/requests#12@<sha>``), so a handler can tell that an
equivalent delivery under another id was handled already.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any

from ._base import KEEP, Keep, StoreBase
from .database import Json, Row, in_list
from .records import DeliveryStatus, RepoState, WebhookDelivery

__all__ = ["DeliveryLog"]

_COLUMNS = (
    "id, source, delivery_id, event, received_at, payload, status, attempts,"
    " processed_at, error, meaning_key"
)
D = DeliveryStatus


class DeliveryLog(StoreBase):
    """Webhook deliveries, and the indexed state of each repository."""

    def record_delivery(
        self,
        *,
        source: str,
        delivery_id: str,
        event: str,
        payload: Any,
        meaning_key: str | None = None,
    ) -> bool:
        """Record a delivery as ``pending``; ``False`` if it was seen before."""
        with self._db.transaction(write=True) as tx:
            row = tx.fetch_one(
                "INSERT INTO webhook_deliveries (source, delivery_id, event,"
                " received_at, payload, status, attempts, meaning_key)"
                " VALUES (:source, :delivery_id, :event, :now, :payload, :status,"
                " 0, :meaning_key) ON CONFLICT (source, delivery_id) DO NOTHING"
                " RETURNING id",
                {
                    "source": source,
                    "delivery_id": delivery_id,
                    "event": event,
                    "now": self._now(),
                    "payload": Json(payload),
                    "status": D.PENDING.value,
                    "meaning_key": meaning_key,
                },
            )
        return row is not None

    def start_delivery(self, *, source: str, delivery_id: str) -> bool:
        """Take a pending (or failed) delivery for processing.

        ``False`` if another worker took it or it is done.
        """
        with self._db.transaction(write=True) as tx:
            changed = tx.run(
                "UPDATE webhook_deliveries SET status = :processing,"
                " attempts = attempts + 1 WHERE source = :source"
                " AND delivery_id = :delivery_id AND status IN (:pending, :failed)",
                {
                    "processing": D.PROCESSING.value,
                    "pending": D.PENDING.value,
                    "failed": D.FAILED.value,
                    "source": source,
                    "delivery_id": delivery_id,
                },
            )
        return changed == 1

    def finish_delivery(
        self, *, source: str, delivery_id: str, error: str | None = None
    ) -> None:
        """Mark a delivery ``done``, or ``failed`` with *error*."""
        status = D.DONE if error is None else D.FAILED
        with self._db.transaction(write=True) as tx:
            tx.run(
                "UPDATE webhook_deliveries SET status = :status,"
                " processed_at = :now, error = :error"
                " WHERE source = :source AND delivery_id = :delivery_id",
                {
                    "status": status.value,
                    "now": self._now(),
                    "error": error,
                    "source": source,
                    "delivery_id": delivery_id,
                },
            )

    def get_delivery(self, *, source: str, delivery_id: str) -> WebhookDelivery | None:
        """The delivery, if it was recorded."""
        with self._db.transaction(write=False) as tx:
            row = tx.fetch_one(
                f"SELECT {_COLUMNS} FROM webhook_deliveries"
                " WHERE source = :source AND delivery_id = :delivery_id",
                {"source": source, "delivery_id": delivery_id},
            )
        return None if row is None else self._decode_delivery(row)

    def list_pending_deliveries(
        self,
        *,
        limit: int = 100,
        source: str | None = None,
        statuses: Collection[DeliveryStatus] = (D.PENDING,),
    ) -> list[WebhookDelivery]:
        """Deliveries still to process, oldest first."""
        listed, params = in_list("status", [s.value for s in statuses])
        where = f"status IN {listed}"
        if source is not None:
            where += " AND source = :source"
            params["source"] = source
        with self._db.transaction(write=False) as tx:
            rows = tx.fetch(
                f"SELECT {_COLUMNS} FROM webhook_deliveries WHERE {where}"
                " ORDER BY id LIMIT :limit",
                params | {"limit": limit},
            )
        return [self._decode_delivery(row) for row in rows]

    def seen_meaning(self, meaning_key: str) -> bool:
        """Tell whether a delivery with *meaning_key* was processed already."""
        with self._db.transaction(write=False) as tx:
            row = tx.fetch_one(
                "SELECT 1 AS seen FROM webhook_deliveries"
                " WHERE meaning_key = :key AND status = :done LIMIT 1",
                {"key": meaning_key, "done": D.DONE.value},
            )
        return row is not None

    def prune_deliveries(self, *, received_before: datetime) -> int:
        """Forget finished deliveries older than *received_before*."""
        with self._db.transaction(write=True) as tx:
            return tx.run(
                "DELETE FROM webhook_deliveries WHERE received_at < :before"
                " AND status IN (:done, :failed)",
                {
                    "before": received_before,
                    "done": D.DONE.value,
                    "failed": D.FAILED.value,
                },
            )

    # -- repository state --------------------------------------------------

    def get_repo_state(self, repo: str) -> RepoState | None:
        """How far *repo* (``"catalog"`` or ``"requests"``) was indexed."""
        with self._db.transaction(write=False) as tx:
            row = tx.fetch_one(
                "SELECT repo, indexed_sha, fetched_at, last_error, updated_at"
                " FROM repo_states WHERE repo = :repo",
                {"repo": repo},
            )
        return None if row is None else self._decode_repo(row)

    def set_repo_state(
        self,
        *,
        repo: str,
        indexed_sha: str | Keep | None = KEEP,
        fetched_at: datetime | Keep | None = KEEP,
        last_error: str | Keep | None = KEEP,
    ) -> RepoState:
        """Update the given fields of *repo*'s state (created if missing)."""
        given = {
            "indexed_sha": indexed_sha,
            "fetched_at": fetched_at,
            "last_error": last_error,
        }
        values = {name: None if v is KEEP else v for name, v in given.items()}
        updates = [
            f"{name} = excluded.{name}" for name, v in given.items() if v is not KEEP
        ]
        with self._db.transaction(write=True) as tx:
            row = tx.fetch_one(
                "INSERT INTO repo_states (repo, indexed_sha, fetched_at,"
                " last_error, updated_at) VALUES (:repo, :indexed_sha,"
                " :fetched_at, :last_error, :now) ON CONFLICT (repo) DO UPDATE SET"
                f" {', '.join([*updates, 'updated_at = excluded.updated_at'])}"
                " RETURNING repo, indexed_sha, fetched_at, last_error, updated_at",
                values | {"repo": repo, "now": self._now()},
            )
        assert row is not None  # an upsert always yields the row
        return self._decode_repo(row)

    # -- rows -------------------------------------------------------------

    def _decode_delivery(self, row: Row) -> WebhookDelivery:
        db = self._db
        return WebhookDelivery(
            id=int(row["id"]),
            source=row["source"],
            delivery_id=row["delivery_id"],
            event=row["event"],
            received_at=db.decode_time(row["received_at"]),
            payload=db.decode_optional_json(row["payload"]),
            status=DeliveryStatus(row["status"]),
            attempts=int(row["attempts"]),
            processed_at=db.decode_optional_time(row["processed_at"]),
            error=row["error"],
            meaning_key=row["meaning_key"],
        )

    def _decode_repo(self, row: Row) -> RepoState:
        db = self._db
        return RepoState(
            repo=row["repo"],
            indexed_sha=row["indexed_sha"],
            fetched_at=db.decode_optional_time(row["fetched_at"]),
            last_error=row["last_error"],
            updated_at=db.decode_time(row["updated_at"]),
        )
