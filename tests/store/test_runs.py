"""Action runs: intent before the call, outcome after, interruptions found."""

from __future__ import annotations

import pytest

from pao.store import (
    ActionRun,
    ActionRunStatus,
    Conflict,
    NotFound,
    RequestStatus,
    Store,
)
from store.helpers import FakeClock, move, queued

R = ActionRunStatus


def _claimed(store: Store, name: str, owner: str = "w1") -> str:
    record = queued(store, name)
    store.claim_requests(owner=owner, limit=1, lease_seconds=60)
    move(store, record.id, RequestStatus.IN_PROGRESS)
    return record.id


def _intent(
    store: Store, request_id: str, action: str = "create-db", **kw: object
) -> ActionRun:
    values: dict[str, object] = {
        "request_id": request_id,
        "revision": 1,
        "action_id": action,
        "run_number": 1,
        "idempotency_key": f"{request_id}/1/{action}/1",
        "worker": "w1",
        "context": {"url": "https://api.example/db"},
    }
    return store.record_intent(**(values | kw))  # type: ignore[arg-type]


def test_an_intent_is_started_and_then_finished(store: Store) -> None:
    request_id = _claimed(store, "a")

    started = _intent(store, request_id)
    finished = store.finish_action_run(
        run_id=started.id,
        status=R.SUCCEEDED,
        outputs={"host": "db.internal"},
        external_ref={"tfc_run": "run-1"},
    )

    assert (started.status, started.attempts, started.worker) == (R.STARTED, 1, "w1")
    assert started.started_at is not None
    assert started.finished_at is None
    assert started.context == {"url": "https://api.example/db"}
    assert finished.status is R.SUCCEEDED
    assert finished.outputs == {"host": "db.internal"}
    assert finished.external_ref == {"tfc_run": "run-1"}
    assert finished.finished_at is not None
    assert store.get_action_run(started.id) == finished
    assert store.find_action_run(idempotency_key=started.idempotency_key) == finished


def test_an_idempotency_key_is_used_once(store: Store) -> None:
    request_id = _claimed(store, "a")
    _intent(store, request_id)

    with pytest.raises(Conflict, match="used already"):
        _intent(store, request_id, worker="w2")

    assert len(store.list_action_runs(request_id=request_id)) == 1


def test_a_planned_run_is_started_by_its_intent(store: Store) -> None:
    request_id = _claimed(store, "a")
    planned = store.plan_action_run(
        request_id=request_id,
        revision=1,
        action_id="create-db",
        run_number=1,
        idempotency_key=f"{request_id}/1/create-db/1",
    )
    again = store.plan_action_run(
        request_id=request_id,
        revision=1,
        action_id="create-db",
        run_number=1,
        idempotency_key=f"{request_id}/1/create-db/1",
    )

    started = _intent(store, request_id)

    assert planned == again
    assert (planned.status, planned.attempts) == (R.PENDING, 0)
    assert started.id == planned.id
    assert (started.status, started.attempts) == (R.STARTED, 1)


def test_attempts_count_and_waiting_keeps_the_reference(store: Store) -> None:
    request_id = _claimed(store, "a")
    run = _intent(store, request_id)

    store.record_attempt(run_id=run.id)
    waiting = store.mark_action_waiting(run_id=run.id, external_ref={"jira": "OPS-7"})
    done = store.finish_action_run(run_id=run.id, status=R.FAILED, error="Won't Do")

    assert waiting.status is R.WAITING
    assert waiting.attempts == 2
    assert done.external_ref == {"jira": "OPS-7"}
    assert done.error == "Won't Do"


def test_a_finished_run_cannot_change(store: Store) -> None:
    request_id = _claimed(store, "a")
    run = _intent(store, request_id)
    store.finish_action_run(run_id=run.id, status=R.SUCCEEDED)

    with pytest.raises(Conflict, match="'succeeded'"):
        store.finish_action_run(run_id=run.id, status=R.FAILED)
    with pytest.raises(Conflict):
        store.record_attempt(run_id=run.id)
    with pytest.raises(NotFound):
        store.finish_action_run(run_id=run.id + 1000, status=R.FAILED)
    with pytest.raises(ValueError, match="status must be one of"):
        store.finish_action_run(run_id=run.id, status=R.STARTED)


def test_runs_whose_worker_lost_the_lease_are_interrupted(
    store: Store, clock: FakeClock
) -> None:
    alive = _claimed(store, "alive")
    dead = _claimed(store, "dead")
    live_run = _intent(store, alive, worker="w1")
    lost_run = _intent(store, dead, worker="w1")
    done_run = _intent(store, alive, action="notify")
    store.finish_action_run(run_id=done_run.id, status=R.SUCCEEDED)

    assert store.find_interrupted_runs() == []

    # w1 keeps renewing one request only; the other's lease runs out.
    clock.advance(50)
    store.renew_lease(request_id=alive, owner="w1", lease_seconds=60)
    clock.advance(20)

    assert [r.id for r in store.find_interrupted_runs()] == [lost_run.id]

    # Another worker takes the expired request over: still interrupted.
    store.claim_requests(owner="w2", limit=5, lease_seconds=60)
    assert [r.id for r in store.find_interrupted_runs()] == [lost_run.id]
    assert live_run.id not in {r.id for r in store.find_interrupted_runs()}

    store.finish_action_run(
        run_id=lost_run.id, status=R.INTERRUPTED, error="interrupted, outcome unknown"
    )
    assert store.find_interrupted_runs() == []


def test_runs_are_listed_per_request_and_counted(store: Store) -> None:
    first = _claimed(store, "a")
    second = _claimed(store, "b")
    ok = _intent(store, first)
    _intent(store, first, action="notify", revision=2, idempotency_key="k2")
    _intent(store, second)
    finished = store.finish_action_run(run_id=ok.id, status=R.SUCCEEDED)

    assert [r.action_id for r in store.list_action_runs(request_id=first)] == [
        "create-db",
        "notify",
    ]
    assert [
        r.action_id for r in store.list_action_runs(request_id=first, revision=2)
    ] == ["notify"]
    assert store.count_action_runs() == {"succeeded": 1, "started": 2}
    assert store.count_action_runs(since=finished.finished_at) == {"succeeded": 1}
