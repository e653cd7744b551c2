"""Requests, their revisions and their status, with the lifecycle enforced.

A request's id is stable (the caller derives it from the request's path),
so re-reading the same file always lands on the same row. Every status
change is checked against :mod:`pao.store.transitions` and written
together with its audit row in one transaction: there is no status change
without an audit entry, and no audit entry for a refused change.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from ._base import KEEP, Keep, StoreBase
from .audit import insert_audit
from .database import Json, Row, Transaction
from .errors import Conflict, InvalidTransition, NotFound
from .records import (
    NewRevision,
    RequestRecord,
    RequestRevision,
    RequestStatus,
)
from .transitions import can_transition

__all__ = ["REQUEST_COLUMNS", "RequestLog", "decode_request"]

REQUEST_COLUMNS = (
    "id, item_id, name, path, team, owner_team, requester, status, revision,"
    " revision_sha, created_at, updated_at, escalation, failure, pr_number,"
    " lease_owner, lease_expires_at"
)
_REVISION_COLUMNS = (
    "request_id, revision, commit_sha, content_sha256, data, author, created_at"
)
_JSON_COLUMNS = frozenset({"escalation", "failure"})


class RequestLog(StoreBase):
    """Creating, revising, moving and listing requests."""

    def create_request(
        self,
        *,
        request_id: str,
        item_id: str,
        name: str,
        path: str,
        team: str,
        revision: NewRevision,
        actor: str,
        owner_team: str | None = None,
        requester: str | None = None,
        pr_number: int | None = None,
        correlation_id: str | None = None,
    ) -> RequestRecord:
        """Create a request in ``submitted`` with its first revision.

        Raises :class:`Conflict` if *request_id* exists already.
        """
        now = self._now()
        with self._db.transaction(write=True) as tx:
            row = tx.fetch_one(
                "INSERT INTO requests (id, item_id, name, path, team, owner_team,"
                " requester, status, revision, revision_sha, created_at,"
                " updated_at, pr_number) VALUES (:id, :item_id, :name, :path,"
                " :team, :owner_team, :requester, :status, 1, :sha, :now, :now,"
                f" :pr_number) ON CONFLICT (id) DO NOTHING RETURNING {REQUEST_COLUMNS}",
                {
                    "id": request_id,
                    "item_id": item_id,
                    "name": name,
                    "path": path,
                    "team": team,
                    "owner_team": owner_team,
                    "requester": requester,
                    "status": RequestStatus.SUBMITTED.value,
                    "sha": revision.commit_sha,
                    "now": now,
                    "pr_number": pr_number,
                },
            )
            if row is None:
                raise Conflict(f"request {request_id} exists already")
            self._insert_revision(tx, request_id=request_id, n=1, revision=revision)
            insert_audit(
                tx,
                at=now,
                actor=actor,
                event="request.created",
                request_id=request_id,
                to_status=RequestStatus.SUBMITTED.value,
                details={"revision": 1, "commit_sha": revision.commit_sha},
                correlation_id=correlation_id,
            )
        return decode_request(self, row)

    def add_revision(
        self,
        *,
        request_id: str,
        revision: NewRevision,
        actor: str,
        to_status: RequestStatus | None = None,
        correlation_id: str | None = None,
    ) -> RequestRevision:
        """Record a changed request file as the next revision.

        The same content as the current revision is not a change: the
        current revision comes back untouched (and the status stays). With
        *to_status*, the status moves in the same transaction (a revision
        sends a finished request back to ``validating``); a forbidden move
        raises :class:`InvalidTransition` and records nothing.
        """
        with self._db.transaction(write=True) as tx:
            current = self._locked_request(tx, request_id)
            latest = self._revision(tx, request_id, current.revision)
            if latest.content_sha256 == revision.content_sha256:
                return latest
            n = current.revision + 1
            stored = self._insert_revision(
                tx, request_id=request_id, n=n, revision=revision
            )
            tx.run(
                "UPDATE requests SET revision = :n, revision_sha = :sha,"
                " updated_at = :now WHERE id = :id",
                {
                    "n": n,
                    "sha": revision.commit_sha,
                    "now": self._now(),
                    "id": request_id,
                },
            )
            self._audit(
                tx,
                current,
                event="request.revised",
                actor=actor,
                details={"revision": n, "commit_sha": revision.commit_sha},
                correlation_id=correlation_id,
            )
            if to_status is not None:
                self._move(
                    tx,
                    current,
                    to_status=to_status,
                    actor=actor,
                    details={"revision": n},
                    correlation_id=correlation_id,
                    changes={},
                )
        return stored

    def transition_request(
        self,
        *,
        request_id: str,
        to_status: RequestStatus,
        actor: str,
        expected_from: Collection[RequestStatus] | None = None,
        details: Mapping[str, Any] | None = None,
        correlation_id: str | None = None,
        failure: Mapping[str, Any] | Keep | None = KEEP,
        escalation: Mapping[str, Any] | Keep | None = KEEP,
    ) -> RequestRecord:
        """Move a request to *to_status*, with its audit row, atomically.

        Raises :class:`InvalidTransition` when the lifecycle forbids the
        move, and :class:`Conflict` when the status is not one of
        *expected_from* (someone else moved it first). *failure* and
        *escalation* are stored in the same update when given.
        """
        changes = {"failure": failure, "escalation": escalation}
        with self._db.transaction(write=True) as tx:
            current = self._locked_request(tx, request_id)
            if expected_from is not None and current.status not in expected_from:
                wanted = ", ".join(sorted(expected_from))
                message = (
                    f"request {request_id}: expected status in ({wanted}),"
                    f" found {current.status.value!r}"
                )
                raise Conflict(message)
            return self._move(
                tx,
                current,
                to_status=to_status,
                actor=actor,
                details=details or {},
                correlation_id=correlation_id,
                changes=changes,
            )

    def update_request(
        self,
        *,
        request_id: str,
        pr_number: int | Keep | None = KEEP,
        owner_team: str | Keep | None = KEEP,
        requester: str | Keep | None = KEEP,
        escalation: Mapping[str, Any] | Keep | None = KEEP,
        failure: Mapping[str, Any] | Keep | None = KEEP,
    ) -> RequestRecord:
        """Change descriptive fields; the status only moves by transition."""
        changes = {
            "pr_number": pr_number,
            "owner_team": owner_team,
            "requester": requester,
            "escalation": escalation,
            "failure": failure,
        }
        with self._db.transaction(write=True) as tx:
            current = self._locked_request(tx, request_id)
            return self._update(tx, current, changes)

    def get_request(self, request_id: str) -> RequestRecord:
        """The request *request_id*; raises :class:`NotFound` if unknown."""
        found = self.find_request(request_id)
        if found is None:
            raise NotFound(f"request {request_id} not found")
        return found

    def find_request(self, request_id: str) -> RequestRecord | None:
        """The request *request_id*, or ``None`` if unknown."""
        with self._db.transaction(write=False) as tx:
            row = tx.fetch_one(
                f"SELECT {REQUEST_COLUMNS} FROM requests WHERE id = :id",
                {"id": request_id},
            )
        return None if row is None else decode_request(self, row)

    def get_revision(
        self, *, request_id: str, revision: int | None = None
    ) -> RequestRevision:
        """Revision *revision* of a request (default: the current one)."""
        with self._db.transaction(write=False) as tx:
            if revision is None:
                revision = self._locked_request(tx, request_id, lock=False).revision
            return self._revision(tx, request_id, revision)

    def list_revisions(self, request_id: str) -> list[RequestRevision]:
        """Every revision of a request, oldest first."""
        with self._db.transaction(write=False) as tx:
            rows = tx.fetch(
                f"SELECT {_REVISION_COLUMNS} FROM request_revisions"
                " WHERE request_id = :id ORDER BY revision",
                {"id": request_id},
            )
        return [self._decode_revision(row) for row in rows]

    # -- steps ------------------------------------------------------------

    def _locked_request(
        self, tx: Transaction, request_id: str, *, lock: bool = True
    ) -> RequestRecord:
        row = tx.fetch_one(
            f"SELECT {REQUEST_COLUMNS} FROM requests WHERE id = :id"
            + (self._db.row_lock if lock else ""),
            {"id": request_id},
        )
        if row is None:
            raise NotFound(f"request {request_id} not found")
        return decode_request(self, row)

    def _move(
        self,
        tx: Transaction,
        current: RequestRecord,
        *,
        to_status: RequestStatus,
        actor: str,
        details: Mapping[str, Any],
        correlation_id: str | None,
        changes: Mapping[str, object],
    ) -> RequestRecord:
        if not can_transition(current.status, to_status):
            raise InvalidTransition(
                request_id=current.id,
                from_status=current.status.value,
                to_status=to_status.value,
            )
        moved = self._update(tx, current, {**changes, "status": to_status.value})
        insert_audit(
            tx,
            at=moved.updated_at,
            actor=actor,
            event="request.status_changed",
            request_id=current.id,
            from_status=current.status.value,
            to_status=to_status.value,
            details=details,
            correlation_id=correlation_id,
        )
        return moved

    def _update(
        self, tx: Transaction, current: RequestRecord, changes: Mapping[str, object]
    ) -> RequestRecord:
        params: dict[str, object] = {"id": current.id, "now": self._now()}
        sets = ["updated_at = :now"]
        for column, value in changes.items():
            if value is KEEP:
                continue
            sets.append(f"{column} = :{column}")
            params[column] = Json(value) if column in _JSON_COLUMNS else value
        row = tx.fetch_one(
            f"UPDATE requests SET {', '.join(sets)} WHERE id = :id"
            f" RETURNING {REQUEST_COLUMNS}",
            params,
        )
        assert row is not None  # the row is locked by the caller
        return decode_request(self, row)

    def _audit(
        self,
        tx: Transaction,
        current: RequestRecord,
        *,
        event: str,
        actor: str,
        details: Mapping[str, Any],
        correlation_id: str | None,
    ) -> None:
        insert_audit(
            tx,
            at=self._now(),
            actor=actor,
            event=event,
            request_id=current.id,
            details=details,
            correlation_id=correlation_id,
        )

    def _insert_revision(
        self, tx: Transaction, *, request_id: str, n: int, revision: NewRevision
    ) -> RequestRevision:
        row = tx.fetch_one(
            "INSERT INTO request_revisions (request_id, revision, commit_sha,"
            " content_sha256, data, author, created_at) VALUES (:id, :n, :sha,"
            f" :content, :data, :author, :now) RETURNING {_REVISION_COLUMNS}",
            {
                "id": request_id,
                "n": n,
                "sha": revision.commit_sha,
                "content": revision.content_sha256,
                "data": Json(revision.data),
                "author": revision.author,
                "now": self._now(),
            },
        )
        assert row is not None  # RETURNING always yields the row
        return self._decode_revision(row)

    def _revision(self, tx: Transaction, request_id: str, n: int) -> RequestRevision:
        row = tx.fetch_one(
            f"SELECT {_REVISION_COLUMNS} FROM request_revisions"
            " WHERE request_id = :id AND revision = :n",
            {"id": request_id, "n": n},
        )
        if row is None:
            raise NotFound(f"request {request_id} has no revision {n}")
        return self._decode_revision(row)

    def _decode_revision(self, row: Row) -> RequestRevision:
        return RequestRevision(
            request_id=row["request_id"],
            revision=int(row["revision"]),
            commit_sha=row["commit_sha"],
            content_sha256=row["content_sha256"],
            data=self._db.decode_json(row["data"]),
            author=row["author"],
            created_at=self._db.decode_time(row["created_at"]),
        )


def decode_request(store: StoreBase, row: Row) -> RequestRecord:
    """Build a :class:`RequestRecord` from a ``requests`` row."""
    db = store._db
    return RequestRecord(
        id=row["id"],
        item_id=row["item_id"],
        name=row["name"],
        path=row["path"],
        team=row["team"],
        owner_team=row["owner_team"],
        requester=row["requester"],
        status=RequestStatus(row["status"]),
        revision=int(row["revision"]),
        revision_sha=row["revision_sha"],
        created_at=db.decode_time(row["created_at"]),
        updated_at=db.decode_time(row["updated_at"]),
        escalation=db.decode_optional_json(row["escalation"]),
        failure=db.decode_optional_json(row["failure"]),
        pr_number=row["pr_number"],
        lease_owner=row["lease_owner"],
        lease_expires_at=db.decode_optional_time(row["lease_expires_at"]),
    )
