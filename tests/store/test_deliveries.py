"""Webhook deliveries and repository state."""

from __future__ import annotations

import threading
from datetime import timedelta

from pao.store import KEEP, DeliveryStatus, Store
from store.helpers import FakeClock, StoreFactory

D = DeliveryStatus


def _record(store: Store, delivery_id: str, meaning: str | None = None) -> bool:
    return store.record_delivery(
        source="github",
        delivery_id=delivery_id,
        event="pull_request",
        payload={"action": "opened", "number": 12},
        meaning_key=meaning,
    )


def test_a_delivery_is_new_only_once(store: Store) -> None:
    assert _record(store, "d-1")
    assert not _record(store, "d-1")
    assert store.record_delivery(
        source="jira", delivery_id="d-1", event="issue_updated", payload=None
    )

    stored = store.get_delivery(source="github", delivery_id="d-1")
    assert stored is not None
    assert (stored.status, stored.attempts) == (D.PENDING, 0)
    assert stored.payload == {"action": "opened", "number": 12}


def test_concurrent_receivers_record_a_delivery_once(make_store: StoreFactory) -> None:
    stores = [make_store() for _ in range(3)]
    results: list[bool] = []
    lock = threading.Lock()
    start = threading.Barrier(6)

    def receive(store: Store) -> None:
        start.wait()
        new = _record(store, "redelivered")
        with lock:
            results.append(new)

    threads = [threading.Thread(target=receive, args=(s,)) for s in stores * 2]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [False] * 5 + [True]


def test_processing_moves_a_delivery_through_its_statuses(store: Store) -> None:
    _record(store, "d-1")
    _record(store, "d-2")

    assert store.start_delivery(source="github", delivery_id="d-1")
    assert not store.start_delivery(source="github", delivery_id="d-1")
    store.finish_delivery(source="github", delivery_id="d-1", error="boom")
    pending = store.list_pending_deliveries(statuses=(D.PENDING, D.FAILED))
    assert store.start_delivery(source="github", delivery_id="d-1")
    store.finish_delivery(source="github", delivery_id="d-1")

    done = store.get_delivery(source="github", delivery_id="d-1")
    assert [d.delivery_id for d in pending] == ["d-1", "d-2"]
    assert pending[0].error == "boom"
    assert done is not None
    assert (done.status, done.attempts, done.error) == (D.DONE, 2, None)
    assert done.processed_at is not None
    assert [d.delivery_id for d in store.list_pending_deliveries()] == ["d-2"]
    assert store.list_pending_deliveries(source="jira") == []


def test_a_meaning_is_seen_once_a_delivery_with_it_is_done(store: Store) -> None:
    key = "pr:acme/requests#12@abc123"
    _record(store, "d-1", meaning=key)
    assert not store.seen_meaning(key)

    store.start_delivery(source="github", delivery_id="d-1")
    store.finish_delivery(source="github", delivery_id="d-1")

    assert store.seen_meaning(key)
    assert not store.seen_meaning("pr:acme/requests#12@other")


def test_old_finished_deliveries_are_pruned(store: Store, clock: FakeClock) -> None:
    _record(store, "old")
    store.finish_delivery(source="github", delivery_id="old")
    _record(store, "old-pending")
    clock.advance(3600)
    _record(store, "new")
    store.finish_delivery(source="github", delivery_id="new")

    pruned = store.prune_deliveries(received_before=clock() - timedelta(seconds=60))

    assert pruned == 1
    assert store.get_delivery(source="github", delivery_id="old") is None
    assert store.get_delivery(source="github", delivery_id="old-pending") is not None


def test_repo_state_updates_only_given_fields(store: Store, clock: FakeClock) -> None:
    assert store.get_repo_state("catalog") is None
    fetched = clock()

    first = store.set_repo_state(repo="catalog", indexed_sha="abc", fetched_at=fetched)
    failed = store.set_repo_state(repo="catalog", last_error="fetch failed: 503")
    recovered = store.set_repo_state(repo="catalog", last_error=None, indexed_sha=KEEP)

    assert (first.indexed_sha, first.fetched_at, first.last_error) == (
        "abc",
        fetched,
        None,
    )
    assert (failed.indexed_sha, failed.last_error) == ("abc", "fetch failed: 503")
    assert recovered.last_error is None
    assert recovered.indexed_sha == "abc"
    assert store.get_repo_state("catalog") == recovered
    assert store.get_repo_state("requests") is None
