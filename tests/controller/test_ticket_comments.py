"""pao comments on a request's Jira tickets when it moves the request on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pao.controller.ticket_comments import TicketCommenter
from pao.store import NewRevision, RequestStatus, Store, open_store

S = RequestStatus


class Recorder:
    def __init__(self) -> None:
        self.comments: list[tuple[str | None, str, str]] = []

    def add_comment(self, instance: str | None, key: str, text: str) -> str:
        self.comments.append((instance, key, text))
        return str(len(self.comments))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(None, data_dir=tmp_path)
    store.migrate()
    yield store
    store.close()


def _request_with_ticket(store: Store) -> str:
    store.create_request(
        request_id="r1",
        item_id="gpu-node-pool",
        name="train",
        path="requests/gpu-node-pool/train.yaml",
        team="acme/data",
        revision=NewRevision(commit_sha="a" * 40, content_sha256="x", data={}),
        actor="indexer",
    )
    for status in (S.VALIDATING, S.QUEUED, S.IN_PROGRESS):
        store.transition_request(request_id="r1", to_status=status, actor="indexer")
    run = store.record_intent(
        request_id="r1",
        revision=1,
        action_id="manual",
        run_number=1,
        idempotency_key="k1",
        worker="w",
    )
    waiting = {
        "kind": "jira-resolution",
        "ref": {"instance": "platform", "key": "CP-9"},
    }
    store.mark_action_waiting(
        run_id=run.id,
        external_ref={"waiting": waiting | {"poll_after_seconds": 300}},
        outputs={"key": "CP-9", "url": "https://jira/browse/CP-9"},
    )
    return "r1"


def test_first_pass_only_sets_the_watermark(store: Store) -> None:
    _request_with_ticket(store)
    jira = Recorder()

    assert TicketCommenter(store=store, jira=jira).comment_pending() == 0
    assert jira.comments == []


def test_each_later_status_change_is_commented_once(store: Store) -> None:
    request_id = _request_with_ticket(store)
    jira = Recorder()
    commenter = TicketCommenter(store=store, jira=jira)
    commenter.comment_pending()

    store.transition_request(
        request_id=request_id, to_status=S.COMPLETED, actor="fulfilment"
    )
    first = commenter.comment_pending()
    again = commenter.comment_pending()

    assert (first, again) == (1, 0)
    assert jira.comments == [
        (
            "platform",
            "CP-9",
            "pao: request gpu-node-pool/train (r1) is now completed"
            " (was in_progress, by fulfilment).",
        )
    ]
