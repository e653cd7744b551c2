"""Pull requests that do not simply merge: approvals late or missing,
closed unmerged, drafts, and changes outside requests/."""

from __future__ import annotations

import pytest
from pr_world import REQUESTS, World, request_text, wait_for

from pao.reconcilers.plan import request_id_for
from pao.store import RequestStatus

BOT = "pao[bot]"
S = RequestStatus


@pytest.fixture
def world(module_world: World) -> World:
    return module_world


def open_request(world: World, name: str, *, draft: bool = False) -> int:
    path = f"requests/widget/{name}.yaml"
    world.github.push(REQUESTS, name, {path: request_text(name)}, user="alice")
    pull = world.github.open_pull(
        REQUESTS, head=name, user="alice", title=name, draft=draft
    )
    request_id = request_id_for("widget", name)
    store = world.controller.store
    wait_for(
        lambda: (
            store.find_request(request_id) is not None
            and store.get_request(request_id).status is S.AWAITING_APPROVAL
        )
    )
    wait_for(lambda: world.comments_by(pull.number, BOT))
    return pull.number


def test_a_merge_without_approval_waits_until_an_owner_approves(world: World) -> None:
    number = open_request(world, "gamma")
    request_id = request_id_for("widget", "gamma")
    store = world.controller.store

    world.github.submit_review(REQUESTS, number, user="bob")
    world.github.merge_pull(REQUESTS, number, user="alice")
    wait_for(lambda: "· merged" in world.comments_by(number, BOT)[0].body)

    assert store.get_request(request_id).status is S.AWAITING_APPROVAL
    assert (
        "- Approval: waiting: an approving review by a code owner (@acme/widgets)"
        " is needed"
    ) in world.comments_by(number, BOT)[0].body

    world.github.submit_review(REQUESTS, number, user="carol", state="APPROVED")
    wait_for(lambda: store.get_request(request_id).status is S.COMPLETED)

    audit = store.list_audit(request_id=request_id, limit=50)
    queued = [e for e in audit if e.to_status == "queued"]
    assert [(e.actor, e.details["approved_by"]) for e in queued] == [
        ("github:carol", ["carol"])
    ]


def test_closing_without_merge_cancels_the_plan(world: World) -> None:
    number = open_request(world, "delta")
    request_id = request_id_for("widget", "delta")

    world.github.close_pull(REQUESTS, number, user="alice")
    wait_for(lambda: "· cancelled" in world.comments_by(number, BOT)[0].body)

    assert world.controller.store.get_request(request_id).status is S.CANCELLED
    world.controller.write_status()
    assert world.file(REQUESTS, "status/widget/delta.yaml") is None


def test_a_draft_gets_the_check_but_no_review_request(world: World) -> None:
    number = open_request(world, "epsilon", draft=True)
    head = world.github.pull(REQUESTS, number).head_sha

    assert [r.conclusion for r in world.check_runs(head, "pao/validate")] == ["success"]
    assert world.github.pull(REQUESTS, number).requested_teams == []

    world.github.mark_ready(REQUESTS, number, user="alice")
    wait_for(lambda: world.github.pull(REQUESTS, number).requested_teams)


def test_a_pull_request_outside_requests_is_left_alone(world: World) -> None:
    world.github.push(REQUESTS, "docs", {"README.md": "more\n"}, user="alice")
    pull = world.github.open_pull(REQUESTS, head="docs", user="alice")
    world.github.comment(REQUESTS, pull.number, "/status", user="alice")
    world.github.webhooks.wait_sent()
    world.controller.deliveries.process_pending()

    assert world.check_runs(pull.head_sha, "pao/validate") == []
    assert world.comments_by(pull.number, BOT) == []


def test_a_removed_request_file_plans_a_decommission(world: World) -> None:
    number = open_request(world, "zeta")
    world.github.submit_review(REQUESTS, number, user="carol")
    world.github.merge_pull(REQUESTS, number, user="alice")
    request_id = request_id_for("widget", "zeta")
    store = world.controller.store
    wait_for(lambda: store.get_request(request_id).status is S.COMPLETED)

    world.github.push(
        REQUESTS, "drop-zeta", {"requests/widget/zeta.yaml": None}, user="alice"
    )
    pull = world.github.open_pull(REQUESTS, head="drop-zeta", user="alice")
    comment = wait_for(lambda: world.comments_by(pull.number, BOT))[0]

    assert "### `widget/zeta` — decommission · planned" in comment.body
    assert store.get_request(request_id).status is S.COMPLETED
