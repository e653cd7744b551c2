"""Requests: creation, revisions, lifecycle transitions and their audit rows."""

from __future__ import annotations

import pytest

from pao.store import (
    Conflict,
    InvalidTransition,
    NotFound,
    RequestStatus,
    Store,
)
from store.helpers import move, new_request, revision

S = RequestStatus


def test_a_new_request_starts_submitted_with_revision_one(store: Store) -> None:
    created = new_request(store, "orders-db")

    assert created.status is S.SUBMITTED
    assert created.revision == 1
    assert store.get_request(created.id) == created
    assert store.get_revision(request_id=created.id).data == {
        "fields": {"content": "orders-db"}
    }
    [entry] = store.list_audit(request_id=created.id)
    assert (entry.event, entry.to_status, entry.actor) == (
        "request.created",
        "submitted",
        "pao",
    )


def test_creating_an_existing_request_is_a_conflict(store: Store) -> None:
    new_request(store, "orders-db")

    with pytest.raises(Conflict, match="exists already"):
        new_request(store, "orders-db")


def test_an_unknown_request_is_not_found(store: Store) -> None:
    assert store.find_request("nope") is None
    with pytest.raises(NotFound, match="nope"):
        store.get_request("nope")


def test_the_main_line_is_allowed_and_audited(store: Store) -> None:
    created = new_request(store, "orders-db")
    line = [S.VALIDATING, S.QUEUED, S.IN_PROGRESS, S.COMPLETED]

    done = move(store, created.id, *line)

    assert done.status is S.COMPLETED
    changes = [
        (e.from_status, e.to_status)
        for e in store.list_audit(request_id=created.id)
        if e.event == "request.status_changed"
    ]
    assert changes == [
        ("submitted", "validating"),
        ("validating", "queued"),
        ("queued", "in_progress"),
        ("in_progress", "completed"),
    ]


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([], S.COMPLETED),
        ([], S.IN_PROGRESS),
        ([S.VALIDATING, S.QUEUED], S.COMPLETED),
        ([S.VALIDATING, S.QUEUED, S.IN_PROGRESS], S.CANCELLED),
        ([S.VALIDATING, S.QUEUED, S.IN_PROGRESS, S.COMPLETED], S.FAILED),
        ([S.VALIDATING, S.QUEUED, S.IN_PROGRESS, S.FAILED, S.ABORTED], S.IN_PROGRESS),
    ],
)
def test_a_forbidden_move_raises_and_writes_nothing(
    store: Store, path: list[RequestStatus], refused: RequestStatus
) -> None:
    created = new_request(store, "orders-db")
    before = move(store, created.id, *path)
    audit_before = store.list_audit(request_id=created.id)

    with pytest.raises(InvalidTransition) as caught:
        store.transition_request(request_id=created.id, to_status=refused, actor="bob")

    assert caught.value.from_status == before.status.value
    assert caught.value.to_status == refused.value
    assert store.get_request(created.id) == before
    assert store.list_audit(request_id=created.id) == audit_before


def test_failure_is_stored_with_the_move_and_a_retry_is_allowed(store: Store) -> None:
    created = new_request(store, "orders-db")
    move(store, created.id, S.VALIDATING, S.QUEUED, S.IN_PROGRESS)

    failed = store.transition_request(
        request_id=created.id,
        to_status=S.FAILED,
        actor="pao",
        failure={"action": "create-db", "error": "HTTP 500"},
        details={"action": "create-db"},
        correlation_id="delivery-1",
    )
    retried = store.transition_request(
        request_id=created.id, to_status=S.IN_PROGRESS, actor="alice", failure=None
    )

    assert failed.failure == {"action": "create-db", "error": "HTTP 500"}
    assert retried.failure is None
    last_two = store.list_audit(request_id=created.id)[-2:]
    assert [e.correlation_id for e in last_two] == ["delivery-1", None]
    assert last_two[0].details == {"action": "create-db"}
    assert last_two[1].actor == "alice"


def test_an_unexpected_current_status_is_a_conflict(store: Store) -> None:
    created = new_request(store, "orders-db")
    move(store, created.id, S.VALIDATING, S.QUEUED)

    with pytest.raises(Conflict, match="found 'queued'"):
        store.transition_request(
            request_id=created.id,
            to_status=S.CANCELLED,
            actor="pao",
            expected_from={S.SUBMITTED, S.VALIDATING},
        )

    assert store.get_request(created.id).status is S.QUEUED


def test_the_same_content_is_not_a_new_revision(store: Store) -> None:
    created = new_request(store, "orders-db")

    again = store.add_revision(
        request_id=created.id,
        revision=revision("orders-db", sha="later"),
        actor="pao",
        to_status=S.VALIDATING,
    )

    assert again.revision == 1
    assert store.get_request(created.id).status is S.SUBMITTED
    assert len(store.list_audit(request_id=created.id)) == 1


def test_a_changed_file_revises_and_moves_in_one_step(store: Store) -> None:
    created = new_request(store, "orders-db")
    move(store, created.id, S.VALIDATING, S.QUEUED, S.IN_PROGRESS, S.COMPLETED)

    second = store.add_revision(
        request_id=created.id,
        revision=revision("bigger", sha="feed"),
        actor="pao",
        to_status=S.VALIDATING,
    )

    current = store.get_request(created.id)
    assert (second.revision, second.commit_sha) == (2, "feed")
    assert (current.revision, current.revision_sha) == (2, "feed")
    assert current.status is S.VALIDATING
    assert [r.revision for r in store.list_revisions(created.id)] == [1, 2]
    assert store.get_revision(request_id=created.id, revision=1).data == {
        "fields": {"content": "orders-db"}
    }
    events = [e.event for e in store.list_audit(request_id=created.id)][-2:]
    assert events == ["request.revised", "request.status_changed"]


def test_a_revision_with_a_forbidden_move_records_nothing(store: Store) -> None:
    created = new_request(store, "orders-db")
    move(store, created.id, S.VALIDATING, S.QUEUED, S.IN_PROGRESS)

    with pytest.raises(InvalidTransition):
        store.add_revision(
            request_id=created.id,
            revision=revision("bigger"),
            actor="pao",
            to_status=S.VALIDATING,
        )

    assert store.get_request(created.id).revision == 1
    assert len(store.list_revisions(created.id)) == 1


def test_update_changes_only_the_given_fields(store: Store) -> None:
    created = new_request(store, "orders-db")

    updated = store.update_request(
        request_id=created.id,
        pr_number=12,
        escalation={"key": "OPS-1", "url": "https://jira.example/OPS-1"},
    )
    cleared = store.update_request(request_id=created.id, requester=None)

    assert updated.pr_number == 12
    assert updated.escalation == {"key": "OPS-1", "url": "https://jira.example/OPS-1"}
    assert updated.requester == "alice@acme.example"
    assert cleared.requester is None
    assert cleared.pr_number == 12
    assert cleared.status is S.SUBMITTED


def test_audit_can_be_appended_and_paged(store: Store) -> None:
    created = new_request(store, "orders-db")
    store.append_audit(
        actor="bob",
        event="command.received",
        request_id=created.id,
        details={"command": "/status"},
    )
    store.append_audit(actor="pao", event="catalog.reindexed")

    everything = store.list_audit()
    first = store.list_audit(limit=1)
    rest = store.list_audit(after_id=first[0].id)

    assert [e.event for e in everything] == [
        "request.created",
        "command.received",
        "catalog.reindexed",
    ]
    assert first + rest == everything
    assert everything[2].request_id is None
    assert everything[1].details == {"command": "/status"}
