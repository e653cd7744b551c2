"""Work claiming: leases, their expiry, and exclusivity between workers."""

from __future__ import annotations

import threading
from collections import Counter

from pao.store import RequestStatus, Store
from store.helpers import FakeClock, StoreFactory, move, new_request, queued

S = RequestStatus


def test_claims_take_queued_requests_oldest_first(store: Store) -> None:
    first, second, _ = (queued(store, name) for name in ("a", "b", "c"))
    new_request(store, "not-queued")

    claimed = store.claim_requests(owner="w1", limit=2, lease_seconds=30)

    assert [r.id for r in claimed] == [first.id, second.id]
    assert all(r.lease_owner == "w1" for r in claimed)
    assert [
        r.name for r in store.claim_requests(owner="w2", limit=5, lease_seconds=30)
    ] == ["c"]
    assert store.claim_requests(owner="w3", limit=5, lease_seconds=30) == []


def test_an_expired_lease_can_be_claimed_by_another(
    store: Store, clock: FakeClock
) -> None:
    record = queued(store, "a")
    [mine] = store.claim_requests(owner="w1", limit=1, lease_seconds=30)
    move(store, record.id, S.IN_PROGRESS)

    clock.advance(29)
    assert store.claim_requests(owner="w2", limit=1, lease_seconds=30) == []
    clock.advance(2)
    [taken] = store.claim_requests(owner="w2", limit=1, lease_seconds=30)

    assert mine.lease_owner == "w1"
    assert taken.lease_owner == "w2"
    assert taken.status is S.IN_PROGRESS
    assert not store.renew_lease(request_id=record.id, owner="w1", lease_seconds=30)
    assert not store.release_lease(request_id=record.id, owner="w1")


def test_renewing_keeps_a_lease_and_releasing_frees_it(
    store: Store, clock: FakeClock
) -> None:
    record = queued(store, "a")
    store.claim_requests(owner="w1", limit=1, lease_seconds=30)

    clock.advance(20)
    assert store.renew_lease(request_id=record.id, owner="w1", lease_seconds=30)
    clock.advance(20)
    assert store.claim_requests(owner="w2", limit=1, lease_seconds=30) == []
    assert store.release_lease(request_id=record.id, owner="w1")

    [taken] = store.claim_requests(owner="w2", limit=1, lease_seconds=30)
    assert taken.id == record.id


def test_finished_requests_are_not_claimed(store: Store) -> None:
    record = queued(store, "a")
    move(store, record.id, S.IN_PROGRESS, S.COMPLETED)

    assert store.claim_requests(owner="w1", limit=5, lease_seconds=30) == []


def _claim_race(stores: list[Store]) -> Counter[str]:
    """Let one worker per store claim in small batches until nothing is left."""
    claims: Counter[str] = Counter()
    lock = threading.Lock()
    start = threading.Barrier(len(stores))

    def work(store: Store, owner: str) -> None:
        start.wait()
        while batch := store.claim_requests(owner=owner, limit=3, lease_seconds=300):
            with lock:
                claims.update(record.id for record in batch)

    threads = [
        threading.Thread(target=work, args=(store, f"worker-{n}"))
        for n, store in enumerate(stores)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return claims


def test_two_threads_never_claim_the_same_request(store: Store) -> None:
    for n in range(40):
        queued(store, f"r{n:02d}")

    claims = _claim_race([store, store])

    assert len(claims) == 40
    assert set(claims.values()) == {1}


def test_two_replicas_never_claim_the_same_request(
    make_store: StoreFactory, store: Store
) -> None:
    for n in range(40):
        queued(store, f"r{n:02d}")

    claims = _claim_race([make_store(), make_store()])

    assert len(claims) == 40
    assert set(claims.values()) == {1}


def test_a_named_lock_has_one_holder_until_it_expires(
    store: Store, clock: FakeClock
) -> None:
    assert store.try_lock(name="command:r1", owner="w1", ttl_seconds=10)
    assert store.try_lock(name="command:r1", owner="w1", ttl_seconds=10)
    assert not store.try_lock(name="command:r1", owner="w2", ttl_seconds=10)
    assert store.try_lock(name="command:r2", owner="w2", ttl_seconds=10)

    clock.advance(11)

    assert store.try_lock(name="command:r1", owner="w2", ttl_seconds=10)
    assert not store.unlock(name="command:r1", owner="w1")
    assert store.unlock(name="command:r1", owner="w2")
    assert store.try_lock(name="command:r1", owner="w3", ttl_seconds=10)


def test_a_named_lock_is_exclusive_under_contention(make_store: StoreFactory) -> None:
    contenders = 4
    stores = [make_store() for _ in range(contenders)]
    winners: list[str] = []
    start = threading.Barrier(contenders)

    def contend(store: Store, owner: str) -> None:
        start.wait()
        if store.try_lock(name="reindex", owner=owner, ttl_seconds=60):
            winners.append(owner)

    threads = [
        threading.Thread(target=contend, args=(s, f"w{n}"))
        for n, s in enumerate(stores)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(winners) == 1
