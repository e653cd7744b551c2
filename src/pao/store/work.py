"""Handing work to replicas: request leases and named locks.

A worker *claims* requests: it becomes their lease owner until the lease
expires, renewing it while it works. A replica that dies stops renewing,
and its requests become claimable again once the lease runs out. On
PostgreSQL the claim skips rows another replica is claiming at the same
moment (``FOR UPDATE SKIP LOCKED``); on SQLite ``BEGIN IMMEDIATE``
serialises claims outright.

Named locks are leases on a name rather than on a request, for work that is
not a request's lifecycle: one slash command at a time per request
(``command:<request-id>``), one re-index at a time.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import timedelta

from ._base import StoreBase
from .records import RequestRecord, RequestStatus
from .requests_log import REQUEST_COLUMNS, decode_request

__all__ = ["CLAIMABLE_STATUSES", "SCHEDULED", "WorkQueue"]

#: The lease owner of requests waiting for their next poll.
SCHEDULED = "scheduled"

#: Queued requests wait for a worker; in-progress ones whose lease ran out
#: lost theirs.
CLAIMABLE_STATUSES = frozenset({RequestStatus.QUEUED, RequestStatus.IN_PROGRESS})


class WorkQueue(StoreBase):
    """Claims and leases on requests, and named locks."""

    def claim_requests(
        self,
        *,
        owner: str,
        limit: int,
        lease_seconds: float,
        statuses: Collection[RequestStatus] = CLAIMABLE_STATUSES,
    ) -> list[RequestRecord]:
        """Take up to *limit* unleased requests in *statuses*, oldest first.

        A request whose lease expired counts as unleased. *owner* must be
        unique per worker process (e.g. ``host:pid:uuid``): action runs
        remember it to tell a live run from an interrupted one.
        """
        now = self._now()
        # Statuses go in as literals (enum values, not input) so that both
        # engines can use the partial index of claimable requests.
        listed = ", ".join(f"'{RequestStatus(s).value}'" for s in sorted(statuses))
        with self._db.transaction(write=True) as tx:
            rows = tx.fetch(
                "UPDATE requests SET lease_owner = :owner, lease_expires_at = :until"
                " WHERE id IN (SELECT id FROM requests"
                f" WHERE status IN ({listed or 'NULL'})"
                " AND (lease_expires_at IS NULL OR lease_expires_at <= :now)"
                f" ORDER BY created_at, id LIMIT :limit{self._db.skip_locked})"
                f" RETURNING {REQUEST_COLUMNS}",
                {
                    "owner": owner,
                    "until": now + timedelta(seconds=lease_seconds),
                    "now": now,
                    "limit": limit,
                },
            )
        claimed = [decode_request(self, row) for row in rows]
        return sorted(claimed, key=lambda record: (record.created_at, record.id))

    def renew_lease(self, *, request_id: str, owner: str, lease_seconds: float) -> bool:
        """Extend *owner*'s lease; ``False`` if another worker has taken it."""
        until = self._now() + timedelta(seconds=lease_seconds)
        with self._db.transaction(write=True) as tx:
            changed = tx.run(
                "UPDATE requests SET lease_expires_at = :until"
                " WHERE id = :id AND lease_owner = :owner",
                {"until": until, "id": request_id, "owner": owner},
            )
        return changed == 1

    def release_lease(self, *, request_id: str, owner: str) -> bool:
        """Give up *owner*'s lease; ``False`` if it was not *owner*'s."""
        with self._db.transaction(write=True) as tx:
            changed = tx.run(
                "UPDATE requests SET lease_owner = NULL, lease_expires_at = NULL"
                " WHERE id = :id AND lease_owner = :owner",
                {"id": request_id, "owner": owner},
            )
        return changed == 1

    def schedule_lease(
        self, *, request_id: str, owner: str, delay_seconds: float
    ) -> bool:
        """Hand *owner*'s lease to the schedule: the request becomes
        claimable again after *delay_seconds*, or sooner through
        :meth:`wake_scheduled`. ``False`` if the lease was not *owner*'s."""
        until = self._now() + timedelta(seconds=delay_seconds)
        with self._db.transaction(write=True) as tx:
            changed = tx.run(
                "UPDATE requests SET lease_owner = :scheduled,"
                " lease_expires_at = :until WHERE id = :id AND lease_owner = :owner",
                {
                    "scheduled": SCHEDULED,
                    "until": until,
                    "id": request_id,
                    "owner": owner,
                },
            )
        return changed == 1

    def wake_scheduled(self, *, request_id: str) -> bool:
        """Make a scheduled request claimable now (a webhook said "look").

        A request a worker is working on is left alone: only the schedule's
        leases are cut short, so two workers never hold one request.
        """
        with self._db.transaction(write=True) as tx:
            changed = tx.run(
                "UPDATE requests SET lease_expires_at = :now"
                " WHERE id = :id AND lease_owner = :scheduled",
                {"now": self._now(), "id": request_id, "scheduled": SCHEDULED},
            )
        return changed == 1

    def try_lock(self, *, name: str, owner: str, ttl_seconds: float) -> bool:
        """Take or renew the lock *name* for *owner*; ``False`` if held by another.

        An expired lock is free. Holding it again renews it.
        """
        now = self._now()
        with self._db.transaction(write=True) as tx:
            row = tx.fetch_one(
                "INSERT INTO named_locks (name, owner, acquired_at, expires_at)"
                " VALUES (:name, :owner, :now, :until)"
                " ON CONFLICT (name) DO UPDATE SET owner = excluded.owner,"
                " acquired_at = excluded.acquired_at,"
                " expires_at = excluded.expires_at"
                " WHERE named_locks.expires_at <= :now"
                " OR named_locks.owner = excluded.owner"
                " RETURNING name",
                {
                    "name": name,
                    "owner": owner,
                    "now": now,
                    "until": now + timedelta(seconds=ttl_seconds),
                },
            )
        return row is not None

    def unlock(self, *, name: str, owner: str) -> bool:
        """Release the lock *name*; ``False`` if *owner* did not hold it."""
        with self._db.transaction(write=True) as tx:
            changed = tx.run(
                "DELETE FROM named_locks WHERE name = :name AND owner = :owner",
                {"name": name, "owner": owner},
            )
        return changed == 1
