"""Deliveries that come twice, late, out of order or not at all."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pr_world import HOOK_SECRET, REQUESTS, World, request_text, running_world, wait_for

from github_driver import sign
from pao.controller.github_events import meaning_key

BOT = "pao[bot]"
PATH = "requests/widget/eta.yaml"


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with running_world(tmp_path, monkeypatch) as running:
        yield running


def settle(world: World) -> None:
    world.github.webhooks.wait_sent()
    while world.controller.deliveries.process_pending():
        pass


def post_again(world: World, body: bytes, event: str) -> httpx.Response:
    """The same payload under a new delivery id, signed as GitHub does."""
    url = world.github.webhooks.url
    assert url is not None
    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": sign(HOOK_SECRET, body),
    }
    return httpx.post(url, content=body, headers=headers)


def test_a_redelivery_and_a_same_meaning_delivery_are_handled_once(
    world: World,
) -> None:
    world.github.push(REQUESTS, "eta", {PATH: request_text("eta")}, user="alice")
    pull = world.github.open_pull(REQUESTS, head="eta", user="alice")
    wait_for(lambda: world.check_runs(pull.head_sha, "pao/validate"))
    settle(world)
    [opened] = world.github.webhooks.deliveries("pull_request", "opened")

    again = world.github.webhooks.redeliver(opened.guid)
    again.wait()
    same = post_again(world, opened.body, "pull_request")
    settle(world)

    assert again.payload == opened.payload
    assert again.transport is not None
    assert json.loads(again.transport.response_body)["duplicate"] is True
    assert same.status_code == 202
    assert same.json()["duplicate"] is False
    assert len(world.check_runs(pull.head_sha, "pao/validate")) == 1
    assert meaning_key("pull_request", opened.payload) == (
        f"pr:{REQUESTS}#{pull.number}@{pull.head_sha}"
    )


def test_deliveries_out_of_order_end_on_the_latest_head(world: World) -> None:
    github = world.github
    first = github.push(REQUESTS, "eta", {PATH: request_text("eta", 1)}, user="alice")
    github.webhooks.hold()
    pull = github.open_pull(REQUESTS, head="eta", user="alice")
    github.push(REQUESTS, "eta", {PATH: request_text("eta", "big")}, user="alice")
    latest = github.push(REQUESTS, "eta", {PATH: request_text("eta", 5)}, user="alice")

    github.webhooks.release("reverse")
    comment = wait_for(lambda: world.comments_by(pull.number, BOT))[0]
    settle(world)
    comment = world.comments_by(pull.number, BOT)[0]

    assert f"1 request at `{latest[:7]}`" in comment.body
    assert '"size": 5' in comment.body
    assert [r.conclusion for r in world.check_runs(latest, "pao/validate")] == [
        "success"
    ]
    assert world.check_runs(first, "pao/validate") == []


def test_the_resync_repairs_a_lost_delivery(world: World) -> None:
    world.github.webhooks.drop_next(event="pull_request")
    world.github.push(REQUESTS, "eta", {PATH: request_text("eta")}, user="alice")
    pull = world.github.open_pull(REQUESTS, head="eta", user="alice")
    settle(world)
    assert world.comments_by(pull.number, BOT) == []

    integration = world.controller.github
    assert integration is not None
    synced = integration.resync()

    assert synced == 1
    assert [r.conclusion for r in world.check_runs(pull.head_sha, "pao/validate")] == [
        "success"
    ]
    assert integration.resync() == 0


@pytest.mark.parametrize(
    "push",
    [
        lambda w: w.github.push_tag(REQUESTS, "v1", user="alice"),
        lambda w: w.github.push(REQUESTS, "side", {"x.txt": "1\n"}, user="alice"),
        lambda w: w.github.delete_branch(REQUESTS, "side", user="alice"),
    ],
    ids=["tag", "other-branch", "deleted-branch"],
)
def test_pushes_off_the_default_branch_do_not_index(world: World, push: object) -> None:
    world.github.push(REQUESTS, "side", {"y.txt": "1\n"}, user="alice")
    settle(world)
    before = world.controller.store.get_repo_state("requests")

    push(world)  # type: ignore[operator]
    settle(world)

    after = world.controller.store.get_repo_state("requests")
    assert before is not None
    assert after is not None
    assert after.fetched_at == before.fetched_at
