"""Helpers for the store tests: a hand-moved clock, requests in a given state."""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from pao.store import NewRevision, RequestRecord, RequestStatus, Store

StoreFactory = Callable[[], Store]


class FakeClock:
    """A clock tests move by hand; thread-safe, ticks 1 µs per reading."""

    def __init__(self) -> None:
        self._now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
        self._lock = threading.Lock()

    def __call__(self) -> datetime:
        with self._lock:
            self._now += timedelta(microseconds=1)
            return self._now

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += timedelta(seconds=seconds)


def revision(content: str = "a", *, sha: str = "c0ffee") -> NewRevision:
    return NewRevision(
        commit_sha=sha,
        content_sha256=hashlib.sha256(content.encode()).hexdigest(),
        data={"fields": {"content": content}},
        author="alice@acme.example",
    )


def new_request(
    store: Store,
    name: str,
    *,
    item_id: str = "postgres-database",
    team: str = "acme/payments",
    owner_team: str | None = "acme/dba",
    requester: str | None = "alice@acme.example",
) -> RequestRecord:
    return store.create_request(
        request_id=f"{item_id}/{name}",
        item_id=item_id,
        name=name,
        path=f"requests/{item_id}/{name}.yaml",
        team=team,
        owner_team=owner_team,
        requester=requester,
        revision=revision(name),
        actor="pao",
    )


def move(store: Store, request_id: str, *statuses: RequestStatus) -> RequestRecord:
    record = store.get_request(request_id)
    for status in statuses:
        record = store.transition_request(
            request_id=request_id, to_status=status, actor="pao"
        )
    return record


def queued(store: Store, name: str, **kwargs: str) -> RequestRecord:
    record = new_request(store, name, **kwargs)
    return move(store, record.id, RequestStatus.VALIDATING, RequestStatus.QUEUED)
