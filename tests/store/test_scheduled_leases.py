"""A request waiting for its next poll holds a lease of the schedule."""

from __future__ import annotations

from pao.store import RequestStatus, Store
from store.helpers import new_request


def test_a_webhook_wakes_only_a_scheduled_request(store: Store) -> None:
    """Waking never cuts short the lease of a worker at work on it."""
    working = new_request(store, "working")
    waiting = new_request(store, "waiting")
    for record in (working, waiting):
        store.transition_request(
            request_id=record.id, to_status=RequestStatus.VALIDATING, actor="t"
        )
        store.transition_request(
            request_id=record.id, to_status=RequestStatus.QUEUED, actor="t"
        )
    claimed = store.claim_requests(owner="worker-1", limit=2, lease_seconds=60)
    assert len(claimed) == 2
    assert store.schedule_lease(
        request_id=waiting.id, owner="worker-1", delay_seconds=300
    )

    woke_working = store.wake_scheduled(request_id=working.id)
    woke_waiting = store.wake_scheduled(request_id=waiting.id)
    again = store.claim_requests(owner="worker-2", limit=2, lease_seconds=60)

    assert (woke_working, woke_waiting) == (False, True)
    assert [r.id for r in again] == [waiting.id]
