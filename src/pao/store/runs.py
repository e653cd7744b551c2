"""The execution log of actions: intent before the call, outcome after.

The fulfilment engine calls :meth:`ActionRunLog.record_intent` and lets it
commit *before* it calls the outside world, with an idempotency key unique
across the log. After a crash, a run still ``started`` whose worker no
longer holds the request's lease is *interrupted*: nobody knows whether
the call happened, so it must not be silently sent again (see
:meth:`ActionRunLog.find_interrupted_runs`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from ._base import KEEP, Keep, StoreBase
from .database import Json, Row, Transaction
from .errors import Conflict, NotFound
from .records import ActionRun, ActionRunStatus

__all__ = ["FINAL_RUN_STATUSES", "ActionRunLog"]

_COLUMNS = (
    "id, request_id, revision, action_id, run_number, idempotency_key, status,"
    " worker, attempts, started_at, finished_at, outputs, error, external_ref,"
    " context"
)
R = ActionRunStatus
FINAL_RUN_STATUSES = frozenset({R.SUCCEEDED, R.FAILED, R.SKIPPED, R.INTERRUPTED})
_OPEN = f"('{R.PENDING.value}', '{R.STARTED.value}', '{R.WAITING.value}')"


class ActionRunLog(StoreBase):
    """Action runs: planned, started, waiting, finished."""

    def plan_action_run(
        self,
        *,
        request_id: str,
        revision: int,
        action_id: str,
        run_number: int,
        idempotency_key: str,
        context: Mapping[str, Any] | None = None,
    ) -> ActionRun:
        """Record a run as ``pending`` (planned; nothing sent yet).

        Planning again with the same key returns the existing run.
        """
        with self._db.transaction(write=True) as tx:
            tx.run(
                "INSERT INTO action_runs (request_id, revision, action_id,"
                " run_number, idempotency_key, status, attempts, context)"
                " VALUES (:request_id, :revision, :action_id, :run_number,"
                " :key, :status, 0, :context)"
                " ON CONFLICT (idempotency_key) DO NOTHING",
                {
                    "request_id": request_id,
                    "revision": revision,
                    "action_id": action_id,
                    "run_number": run_number,
                    "key": idempotency_key,
                    "status": R.PENDING.value,
                    "context": Json(None if context is None else dict(context)),
                },
            )
            return self._by_key(tx, idempotency_key)

    def record_intent(
        self,
        *,
        request_id: str,
        revision: int,
        action_id: str,
        run_number: int,
        idempotency_key: str,
        worker: str,
        context: Mapping[str, Any] | None = None,
    ) -> ActionRun:
        """Record that *worker* is about to call out for this run.

        Commit happens before this returns; only then may the call go out.
        A pending run with the key is started; any other run with the key
        raises :class:`Conflict`, since the call may have happened.
        """
        with self._db.transaction(write=True) as tx:
            row = tx.fetch_one(
                "INSERT INTO action_runs (request_id, revision, action_id,"
                " run_number, idempotency_key, status, worker, attempts,"
                " started_at, context) VALUES (:request_id, :revision,"
                " :action_id, :run_number, :key, :status, :worker, 1, :now,"
                " :context) ON CONFLICT (idempotency_key) DO UPDATE SET"
                " status = excluded.status, worker = excluded.worker,"
                " attempts = 1, started_at = excluded.started_at,"
                " context = COALESCE(excluded.context, action_runs.context)"
                f" WHERE action_runs.status = '{R.PENDING.value}'"
                f" RETURNING {_COLUMNS}",
                {
                    "request_id": request_id,
                    "revision": revision,
                    "action_id": action_id,
                    "run_number": run_number,
                    "key": idempotency_key,
                    "status": R.STARTED.value,
                    "worker": worker,
                    "now": self._now(),
                    "context": Json(None if context is None else dict(context)),
                },
            )
        if row is None:
            message = f"idempotency key {idempotency_key!r} was used already"
            raise Conflict(message)
        return self._decode_run(row)

    def record_attempt(self, *, run_id: int) -> ActionRun:
        """Count one more attempt of a started run (a retry after a transient
        error), committed before the retry goes out."""
        return self._change(
            run_id,
            f"attempts = attempts + 1 WHERE id = :id AND status = '{R.STARTED.value}'",
            {},
        )

    def mark_action_waiting(
        self,
        *,
        run_id: int,
        external_ref: Mapping[str, Any],
        outputs: Mapping[str, Any] | None = None,
    ) -> ActionRun:
        """The call went out and the target will report back (webhook or
        polling) about *external_ref*; the run waits for that."""
        return self._change(
            run_id,
            "status = :status, external_ref = :ref, outputs = :outputs"
            f" WHERE id = :id AND status IN {_OPEN}",
            {
                "status": R.WAITING.value,
                "ref": Json(dict(external_ref)),
                "outputs": Json(None if outputs is None else dict(outputs)),
            },
        )

    def finish_action_run(
        self,
        *,
        run_id: int,
        status: ActionRunStatus,
        outputs: Mapping[str, Any] | None = None,
        error: str | None = None,
        external_ref: Mapping[str, Any] | Keep | None = KEEP,
    ) -> ActionRun:
        """Record the outcome of an open run (*outputs* and *error* masked
        by the caller). Raises :class:`Conflict` if it was finished already.
        """
        if status not in FINAL_RUN_STATUSES:
            message = (
                f"status must be one of {sorted(FINAL_RUN_STATUSES)}, got {status!r}"
            )
            raise ValueError(message)
        sets = (
            "status = :status, finished_at = :now, outputs = :outputs, error = :error"
        )
        params: dict[str, object] = {
            "status": status.value,
            "now": self._now(),
            "outputs": Json(None if outputs is None else dict(outputs)),
            "error": error,
        }
        if not isinstance(external_ref, Keep):
            sets += ", external_ref = :ref"
            params["ref"] = Json(None if external_ref is None else dict(external_ref))
        return self._change(
            run_id, f"{sets} WHERE id = :id AND status IN {_OPEN}", params
        )

    def get_action_run(self, run_id: int) -> ActionRun:
        """The run *run_id*; raises :class:`NotFound` if unknown."""
        with self._db.transaction(write=False) as tx:
            row = tx.fetch_one(
                f"SELECT {_COLUMNS} FROM action_runs WHERE id = :id", {"id": run_id}
            )
        if row is None:
            raise NotFound(f"action run {run_id} not found")
        return self._decode_run(row)

    def find_action_run(self, *, idempotency_key: str) -> ActionRun | None:
        """The run recorded under *idempotency_key*, if any."""
        with self._db.transaction(write=False) as tx:
            try:
                return self._by_key(tx, idempotency_key)
            except NotFound:
                return None

    def list_action_runs(
        self, *, request_id: str, revision: int | None = None
    ) -> list[ActionRun]:
        """The runs of a request (of one revision, if given), in run order."""
        where = "request_id = :request_id"
        params: dict[str, object] = {"request_id": request_id}
        if revision is not None:
            where += " AND revision = :revision"
            params["revision"] = revision
        with self._db.transaction(write=False) as tx:
            rows = tx.fetch(
                f"SELECT {_COLUMNS} FROM action_runs WHERE {where} ORDER BY id", params
            )
        return [self._decode_run(row) for row in rows]

    def find_interrupted_runs(self) -> list[ActionRun]:
        """Started runs whose worker lost the request's lease meanwhile.

        The worker recorded its intent and then died or lost its lease
        before recording an outcome; the caller decides, per action type,
        whether the target can be asked or the run fails as "interrupted,
        outcome unknown".
        """
        columns = ", ".join(f"r.{c.strip()}" for c in _COLUMNS.split(","))
        with self._db.transaction(write=False) as tx:
            rows = tx.fetch(
                f"SELECT {columns} FROM action_runs r"
                " JOIN requests q ON q.id = r.request_id"
                " WHERE r.status = :started AND (r.worker IS NULL"
                " OR q.lease_owner IS NULL OR q.lease_owner <> r.worker"
                " OR q.lease_expires_at <= :now) ORDER BY r.id",
                {"started": R.STARTED.value, "now": self._now()},
            )
        return [self._decode_run(row) for row in rows]

    def count_action_runs(self, *, since: datetime | None = None) -> dict[str, int]:
        """How many runs there are per status (finished since *since*)."""
        where, params = "1 = 1", dict[str, object]()
        if since is not None:
            where, params = "finished_at >= :since", {"since": since}
        with self._db.transaction(write=False) as tx:
            rows = tx.fetch(
                f"SELECT status, COUNT(*) AS n FROM action_runs WHERE {where}"
                " GROUP BY status",
                params,
            )
        return {row["status"]: int(row["n"]) for row in rows}

    # -- steps ------------------------------------------------------------

    def _change(
        self, run_id: int, assignment: str, params: dict[str, object]
    ) -> ActionRun:
        with self._db.transaction(write=True) as tx:
            row = tx.fetch_one(
                f"UPDATE action_runs SET {assignment} RETURNING {_COLUMNS}",
                params | {"id": run_id},
            )
            if row is not None:
                return self._decode_run(row)
            current = tx.fetch_one(
                "SELECT status FROM action_runs WHERE id = :id", {"id": run_id}
            )
        if current is None:
            raise NotFound(f"action run {run_id} not found")
        message = f"action run {run_id} is {current['status']!r}; it cannot change so"
        raise Conflict(message)

    def _by_key(self, tx: Transaction, key: str) -> ActionRun:
        row = tx.fetch_one(
            f"SELECT {_COLUMNS} FROM action_runs WHERE idempotency_key = :key",
            {"key": key},
        )
        if row is None:
            raise NotFound(f"no action run has idempotency key {key!r}")
        return self._decode_run(row)

    def _decode_run(self, row: Row) -> ActionRun:
        db = self._db
        return ActionRun(
            id=int(row["id"]),
            request_id=row["request_id"],
            revision=int(row["revision"]),
            action_id=row["action_id"],
            run_number=int(row["run_number"]),
            idempotency_key=row["idempotency_key"],
            status=ActionRunStatus(row["status"]),
            worker=row["worker"],
            attempts=int(row["attempts"]),
            started_at=db.decode_optional_time(row["started_at"]),
            finished_at=db.decode_optional_time(row["finished_at"]),
            outputs=db.decode_optional_json(row["outputs"]),
            error=row["error"],
            external_ref=db.decode_optional_json(row["external_ref"]),
            context=db.decode_optional_json(row["context"]),
        )
