"""A human's decision about a failed request: retry, abort or escalate.

The same functions serve ``pao request retry|abort|escalate`` and the
pull-request commands. Each takes a per-request lock in the store, so two
quick ``/retry`` comments run once; a command that does not fit the
request's state answers with an explanation instead of raising.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pao.catalog import CatalogItem
from pao.reconcilers.plan import RevisionData, actions_for
from pao.store import ActionRun, ActionRunStatus, RequestRecord, RequestStatus, Store

__all__ = ["CommandOutcome", "Escalator", "abort", "escalate", "retry"]

S = RequestStatus
R = ActionRunStatus
LOCK_SECONDS = 60.0

# Files the incident for an escalation and returns what to record of it
# (at least ``key`` and ``url``); None where no Jira is configured.
Escalator = Callable[[RequestRecord, str], Mapping[str, Any]]


@dataclass(frozen=True, slots=True)
class CommandOutcome:
    """What a command did, in words a person can read."""

    ok: bool
    message: str
    request: RequestRecord


def retry(
    store: Store,
    request: RequestRecord,
    item: CatalogItem,
    *,
    actor: str,
    action_id: str | None = None,
) -> CommandOutcome:
    """Run a failed request again from its failed action (or *action_id*)."""
    with _locked(store, request.id) as held:
        if not held:
            return _busy(request)
        request = store.get_request(request.id)
        if request.status is not S.FAILED:
            return _not_failed(request, "retry")
        revision = store.get_revision(request_id=request.id)
        data: RevisionData = revision.data  # type: ignore[assignment]
        actions = [a.id for a in actions_for(item, data.get("kind", "create"))]
        if action_id is not None and action_id not in actions:
            known = ", ".join(actions) or "none"
            message = f"{item.id} has no action {action_id!r} (actions: {known})"
            return CommandOutcome(False, message, request)
        latest = _latest_runs(store, request)
        start = action_id or _first_unfinished(actions, latest)
        if start is None:
            return CommandOutcome(False, "every action has succeeded", request)
        for name in actions[actions.index(start) :]:
            previous = latest.get(name)
            if previous is None:
                continue
            number = previous.run_number + 1
            store.plan_action_run(
                request_id=request.id,
                revision=request.revision,
                action_id=name,
                run_number=number,
                idempotency_key=_retry_key(request, name, number),
            )
        moved = store.transition_request(
            request_id=request.id,
            to_status=S.IN_PROGRESS,
            actor=actor,
            expected_from=[S.FAILED],
            details={"command": "retry", "from_action": start},
            failure=None,
        )
        return CommandOutcome(True, f"retrying from action {start}", moved)


def abort(
    store: Store, request: RequestRecord, *, actor: str, reason: str | None = None
) -> CommandOutcome:
    """Give up a failed request; what its actions created stays as it is."""
    with _locked(store, request.id) as held:
        if not held:
            return _busy(request)
        request = store.get_request(request.id)
        if request.status not in (S.FAILED, S.ESCALATED):
            return _not_failed(request, "abort")
        moved = store.transition_request(
            request_id=request.id,
            to_status=S.ABORTED,
            actor=actor,
            expected_from=[request.status],
            details={"command": "abort", "reason": reason or ""},
        )
        return CommandOutcome(True, "aborted", moved)


def escalate(
    store: Store,
    request: RequestRecord,
    *,
    actor: str,
    reason: str | None = None,
    escalator: Escalator | None = None,
) -> CommandOutcome:
    """Hand a failed request to the platform team, once."""
    with _locked(store, request.id) as held:
        if not held:
            return _busy(request)
        request = store.get_request(request.id)
        if request.status is S.ESCALATED:
            key = (request.escalation or {}).get("key")
            where = f" as {key}" if key else ""
            return CommandOutcome(True, f"already escalated{where}", request)
        if request.status is not S.FAILED:
            return _not_failed(request, "escalate")
        record: dict[str, Any] = {
            "reason": reason or "",
            "by": actor,
            "at": datetime.now(UTC).isoformat(),
        }
        if escalator is not None:
            record |= dict(escalator(request, reason or ""))
        moved = store.transition_request(
            request_id=request.id,
            to_status=S.ESCALATED,
            actor=actor,
            expected_from=[S.FAILED],
            details={"command": "escalate", "reason": reason or ""},
            escalation=record,
        )
        key = record.get("key")
        return CommandOutcome(
            True, f"escalated as {key}" if key else "escalated", moved
        )


def _latest_runs(store: Store, request: RequestRecord) -> dict[str, ActionRun]:
    latest: dict[str, ActionRun] = {}
    for run in store.list_action_runs(request_id=request.id, revision=request.revision):
        if (
            run.action_id not in latest
            or run.run_number > latest[run.action_id].run_number
        ):
            latest[run.action_id] = run
    return latest


def _first_unfinished(
    actions: list[str], latest: Mapping[str, ActionRun]
) -> str | None:
    for name in actions:
        run = latest.get(name)
        if run is None or run.status not in (R.SUCCEEDED, R.SKIPPED):
            return name
    return None


def _retry_key(request: RequestRecord, action_id: str, number: int) -> str:
    return f"pao-{request.id}-r{request.revision}-{action_id}-{number}"


def _not_failed(request: RequestRecord, command: str) -> CommandOutcome:
    message = (
        f"nothing to {command}: request {request.id} is {request.status.value},"
        " not failed"
    )
    return CommandOutcome(False, message, request)


def _busy(request: RequestRecord) -> CommandOutcome:
    message = "another command for this request is running; try again shortly"
    return CommandOutcome(False, message, request)


class _locked:
    """The per-request command lock, as a context manager."""

    def __init__(self, store: Store, request_id: str) -> None:
        self.store = store
        self.name = f"command:{request_id}"
        self.owner = uuid.uuid4().hex

    def __enter__(self) -> bool:
        self.held = self.store.try_lock(
            name=self.name, owner=self.owner, ttl_seconds=LOCK_SECONDS
        )
        return self.held

    def __exit__(self, *_: object) -> None:
        if self.held:
            self.store.unlock(name=self.name, owner=self.owner)
