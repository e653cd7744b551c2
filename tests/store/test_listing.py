"""Request listings: filters, visibility, keyset pages, counts."""

from __future__ import annotations

import threading

from pao.store import RequestCount, RequestStatus, SortKey, Store
from store.helpers import move, new_request, queued

S = RequestStatus


def _ids(store: Store, **filters: object) -> list[str]:
    page = store.list_requests(limit=200, **filters)  # type: ignore[arg-type]
    return [record.name for record in page.items]


def test_filters_combine(store: Store) -> None:
    new_request(store, "a", team="acme/payments")
    queued(store, "b", team="acme/payments")
    queued(store, "c", team="acme/search", item_id="redis-cache")
    new_request(store, "d", team="acme/search", requester="bob@acme.example")

    assert _ids(store) == ["a", "b", "c", "d"]
    assert _ids(store, statuses={S.QUEUED}) == ["b", "c"]
    assert _ids(store, statuses={S.QUEUED, S.SUBMITTED}, team="acme/search") == [
        "c",
        "d",
    ]
    assert _ids(store, item_id="redis-cache") == ["c"]
    assert _ids(store, requester="bob@acme.example") == ["d"]
    assert _ids(store, statuses=set()) == []


def test_visibility_covers_the_requesting_and_the_owner_team(store: Store) -> None:
    new_request(store, "mine", team="acme/payments", owner_team="acme/dba")
    new_request(store, "owned", team="acme/search", owner_team="acme/payments")
    new_request(store, "other", team="acme/search", owner_team="acme/dba")

    assert _ids(store, visible_to_teams={"acme/payments"}) == ["mine", "owned"]
    assert _ids(store, visible_to_teams={"acme/dba"}) == ["mine", "other"]
    assert _ids(store, visible_to_teams=set()) == []
    assert _ids(store, visible_to_teams=None) == ["mine", "owned", "other"]


def test_pages_follow_each_other_with_counts(store: Store) -> None:
    for n in range(7):
        new_request(store, f"r{n}")

    first = store.list_requests(limit=3)
    second = store.list_requests(limit=3, after=first.next_key)
    third = store.list_requests(limit=3, after=second.next_key)

    assert [r.name for r in first.items] == ["r0", "r1", "r2"]
    assert [r.name for r in second.items] == ["r3", "r4", "r5"]
    assert [r.name for r in third.items] == ["r6"]
    assert (first.has_more, second.has_more, third.has_more) == (True, True, False)
    assert third.next_key is None
    assert first.total_count == second.total_count == 7
    assert store.list_requests(limit=3, with_total=False).total_count is None


def test_pages_can_run_newest_first(store: Store) -> None:
    for n in range(5):
        new_request(store, f"r{n}")

    first = store.list_requests(limit=2, newest_first=True)
    second = store.list_requests(limit=2, newest_first=True, after=first.next_key)
    third = store.list_requests(limit=2, newest_first=True, after=second.next_key)

    assert [r.name for r in first.items + second.items + third.items] == [
        "r4",
        "r3",
        "r2",
        "r1",
        "r0",
    ]
    assert not third.has_more
    assert first.total_count == 5


def test_equal_timestamps_are_ordered_by_id(store: Store) -> None:
    made = [new_request(store, name) for name in ("b", "a", "c")]
    moment = made[0].created_at

    after = store.list_requests(after=SortKey(created_at=moment, id=made[0].id))

    assert [r.name for r in after.items] == ["a", "c"]


def test_paging_while_others_insert_skips_and_repeats_nothing(
    store: Store,
) -> None:
    before = {new_request(store, f"old{n:03d}").id for n in range(60)}
    stop = threading.Event()
    inserted: list[str] = []

    def insert() -> None:
        n = 0
        while not stop.is_set() and n < 200:
            inserted.append(new_request(store, f"new{n:03d}").id)
            n += 1

    writer = threading.Thread(target=insert)
    writer.start()
    seen: list[str] = []
    key = None
    try:
        while True:
            page = store.list_requests(limit=7, after=key, with_total=False)
            seen.extend(record.id for record in page.items)
            if not page.has_more:
                break
            key = page.next_key
    finally:
        stop.set()
        writer.join()

    assert len(seen) == len(set(seen)), "a request was listed twice"
    assert before <= set(seen), "a request that existed all along was skipped"
    assert set(seen) - before <= set(inserted)


def test_counts_per_status_item_and_team(store: Store) -> None:
    queued(store, "a")
    queued(store, "b")
    created = new_request(store, "c", team="acme/search")
    move(store, created.id, S.VALIDATING)

    assert store.queue_depth() == 2
    assert store.count_requests() == [
        RequestCount(
            status=S.QUEUED, item_id="postgres-database", team="acme/payments", count=2
        ),
        RequestCount(
            status=S.VALIDATING,
            item_id="postgres-database",
            team="acme/search",
            count=1,
        ),
    ]
