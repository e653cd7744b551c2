"""Requests are listed by the pull request that carries them."""

from __future__ import annotations

from pao.store import Store
from store.helpers import new_request


def test_listing_by_pull_request_keeps_only_its_requests(store: Store) -> None:
    first = new_request(store, "a")
    second = new_request(store, "b")
    new_request(store, "c")
    store.update_request(request_id=first.id, pr_number=7)
    store.update_request(request_id=second.id, pr_number=7)

    page = store.list_requests(pr_number=7)
    other = store.list_requests(pr_number=8)

    assert [r.id for r in page.items] == [first.id, second.id]
    assert page.total_count == 2
    assert other.items == []
