"""Slash commands on a merged pull request whose request failed."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import cast

import pytest
from pr_world import REQUESTS, World, request_text, wait_for

from pao.reconcilers.plan import request_id_for
from pao.reconcilers.pr_commands import CommandRunner, CommentEvent, is_bot
from pao.reconcilers.pull_context import PullContext
from pao.reconcilers.pull_requests import PullRequestReconciler
from pao.reconcilers.slash_commands import HELP
from pao.standins.github_state import Comment
from pao.store import RequestStatus

BOT = "pao[bot]"
S = RequestStatus
_NAMES = itertools.count(1)


@dataclass
class Failed:
    """A merged pull request whose one request failed."""

    world: World
    number: int
    name: str

    def replies(self) -> list[str]:
        return [c.body for c in self.world.comments_by(self.number, BOT)[2:]]

    def comment(self, body: str, *, user: str) -> Comment:
        return self.world.github.comment(REQUESTS, self.number, body, user=user)


@pytest.fixture
def failed(module_world: World) -> Failed:
    world = module_world
    name = f"theta-{next(_NAMES)}"
    path = f"requests/widget/{name}.yaml"
    world.github.push(REQUESTS, name, {path: request_text(name)}, user="alice")
    pull = world.github.open_pull(REQUESTS, head=name, user="alice")
    wait_for(lambda: world.comments_by(pull.number, BOT))
    world.github.submit_review(REQUESTS, pull.number, user="carol")
    world.target.fail_next(500, count=2, path="/v1/registrations")
    world.github.merge_pull(REQUESTS, pull.number, user="alice")
    wait_for(lambda: len(world.comments_by(pull.number, BOT)) == 2)
    return Failed(world, pull.number, name)


def test_status_and_help_in_one_comment_answer_in_one_reply(failed: Failed) -> None:
    failed.comment("/status\n\n/HELP", user="carol")
    wait_for(failed.replies)

    assert failed.replies() == [
        f"`/status`:\n- `widget/{failed.name}`: failed\n\n{HELP}"
    ]


def test_two_retries_in_a_row_run_once(failed: Failed) -> None:
    request_id = request_id_for("widget", failed.name)
    store = failed.world.controller.store

    failed.comment("/retry\n/retry register", user="alice")
    wait_for(failed.replies)
    wait_for(lambda: store.get_request(request_id).status is S.COMPLETED)

    label = f"`widget/{failed.name}`"
    assert failed.replies()[0] == (
        f"`/retry`:\n- {label}: retrying from action register\n\n"
        f"`/retry`:\n- {label}: nothing to retry: request"
        f" {request_id} is in_progress, not failed"
    )


def test_an_admin_may_abort(failed: Failed) -> None:
    request_id = request_id_for("widget", failed.name)

    failed.comment("/abort not needed any more", user="root")
    wait_for(failed.replies)

    assert failed.replies() == [f"`/abort`:\n- `widget/{failed.name}`: aborted"]
    store = failed.world.controller.store
    assert store.get_request(request_id).status is S.ABORTED


def test_edited_comments_and_bots_are_not_heard(failed: Failed) -> None:
    github = failed.world.github
    mine = failed.comment("looks odd", user="alice")
    github.edit_comment(mine.id, "/retry", user="alice")
    failed.comment("/retry", user=BOT)
    github.webhooks.wait_sent()
    while failed.world.controller.deliveries.process_pending():
        pass

    assert failed.replies() == ["/retry"]
    assert mine.reactions == []


@pytest.mark.parametrize(
    ("login", "kind", "bot"),
    [
        ("dependabot[bot]", "Bot", True),
        ("renovate[bot]", "User", True),
        ("pao-app", "User", True),
        ("alice", "User", False),
    ],
)
def test_bots_and_pao_itself_are_recognised(login: str, kind: str, bot: bool) -> None:
    assert is_bot(login, kind, own_login="PAO-app") is bot


@pytest.mark.parametrize(
    "payload",
    [
        {"action": "edited", "issue": {"number": 1, "pull_request": {}}},
        {"action": "deleted", "issue": {"number": 1, "pull_request": {}}},
        {"action": "created", "issue": {"number": 1}},
    ],
    ids=["edited", "deleted", "plain-issue"],
)
def test_only_new_comments_on_pull_requests_are_read(
    payload: dict[str, object],
) -> None:
    payload["comment"] = {"id": 5, "body": "/retry", "user": {"login": "alice"}}
    # Nothing of the context is touched: reaching it would raise.
    ctx = cast(PullContext, object())
    runner = CommandRunner(ctx, reconciler=cast(PullRequestReconciler, object()))

    assert runner.handle(CommentEvent.from_payload(payload)) == []
