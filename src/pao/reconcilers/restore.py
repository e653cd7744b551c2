"""Restore a request's state from its status file (``pao reindex``).

When the index is rebuilt from nothing, git still holds each request's
status file. A request found without an index entry but with a status file
gets its phase back by walking the lifecycle's own transitions (so the
audit log tells the story), and its action runs back from the file, so it
is neither run a second time nor shown without its history.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pao.store import KEEP, ActionRunStatus, RequestRecord, RequestStatus, Store

__all__ = ["restore_from_status"]

S = RequestStatus
ACTOR = "reindex"

# The lifecycle path from ``submitted`` to each phase a status file can hold.
_PATHS: Mapping[S, Sequence[S]] = {
    S.VALIDATING: (S.VALIDATING,),
    S.AWAITING_APPROVAL: (S.VALIDATING, S.AWAITING_APPROVAL),
    S.QUEUED: (S.VALIDATING, S.QUEUED),
    S.COMPLETED: (S.VALIDATING, S.QUEUED, S.IN_PROGRESS, S.COMPLETED),
    S.FAILED: (S.VALIDATING, S.QUEUED, S.IN_PROGRESS, S.FAILED),
    S.ABORTED: (S.VALIDATING, S.QUEUED, S.IN_PROGRESS, S.FAILED, S.ABORTED),
    S.ESCALATED: (S.VALIDATING, S.QUEUED, S.IN_PROGRESS, S.FAILED, S.ESCALATED),
    S.CANCELLED: (S.CANCELLED,),
}
_FINAL = {
    "succeeded": ActionRunStatus.SUCCEEDED,
    "failed": ActionRunStatus.FAILED,
    "skipped": ActionRunStatus.SKIPPED,
    "interrupted": ActionRunStatus.INTERRUPTED,
}
INTERRUPTED = "interrupted, outcome unknown"


def restore_from_status(
    store: Store, request: RequestRecord, status: Mapping[str, Any]
) -> RequestRecord | None:
    """Move a just-created *request* to the phase in *status*.

    Returns None when the file names no phase worth restoring (the request
    is then validated and queued as new).
    """
    try:
        phase = S(str(status.get("phase")))
    except ValueError:
        return None
    if phase in (S.SUBMITTED, S.VALIDATING, S.QUEUED):
        return None
    actions = status.get("actions")
    _restore_runs(store, request, actions if isinstance(actions, list) else [])
    failure = status.get("failure")
    if phase is S.IN_PROGRESS:
        # What its running action did is unknown: a human decides.
        phase = S.FAILED
        failure = {"error": INTERRUPTED, "restoredFrom": "status file"}
    for step in _PATHS[phase]:
        request = store.transition_request(
            request_id=request.id,
            to_status=step,
            actor=ACTOR,
            details={"restored": True},
            failure=failure if step is S.FAILED else KEEP,
            escalation=status.get("escalation") if step is S.ESCALATED else KEEP,
        )
    return request


def _restore_runs(store: Store, request: RequestRecord, actions: list[Any]) -> None:
    for entry in actions:
        if not isinstance(entry, Mapping) or "id" not in entry:
            continue
        number = int(entry.get("run") or 1)
        key = f"pao-{request.id}-restored-{entry['id']}-{number}"
        run = store.plan_action_run(
            request_id=request.id,
            revision=request.revision,
            action_id=str(entry["id"]),
            run_number=number,
            idempotency_key=key,
        )
        final = _FINAL.get(str(entry.get("status")))
        if final is None:
            # A run that was waiting or started: its outcome is unknown.
            final = ActionRunStatus.INTERRUPTED
        store.finish_action_run(
            run_id=run.id,
            status=final,
            outputs=entry.get("outputs") or None,
            error=entry.get("error")
            or (INTERRUPTED if final is ActionRunStatus.INTERRUPTED else None),
            external_ref=entry.get("resources") or None,
        )
