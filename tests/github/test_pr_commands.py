"""Slash commands on a merged pull request whose request failed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import cast

import pytest
from pr_world import REQUESTS, World, request_text, running_world, wait_for

from pao.reconcilers.plan import request_id_for
from pao.reconcilers.pr_commands import CommandRunner, CommentEvent, is_bot
from pao.reconcilers.pull_context import PullContext
from pao.reconcilers.pull_requests import PullRequestReconciler
from pao.reconcilers.slash_commands import HELP
from pao.store import RequestStatus

BOT = "pao[bot]"
S = RequestStatus


@pytest.fixture
def failed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    """A world whose pull request #1 merged a request that failed."""
    with running_world(tmp_path, monkeypatch) as world:
        path = "requests/widget/theta.yaml"
        world.github.push(
            REQUESTS, "theta", {path: request_text("theta")}, user="alice"
        )
        pull = world.github.open_pull(REQUESTS, head="theta", user="alice")
        wait_for(lambda: world.comments_by(pull.number, BOT))
        world.github.submit_review(REQUESTS, pull.number, user="carol")
        world.target.fail_next(500, count=2, path="/v1/registrations")
        world.github.merge_pull(REQUESTS, pull.number, user="alice")
        wait_for(lambda: len(world.comments_by(pull.number, BOT)) == 2)
        yield world


def replies(world: World) -> list[str]:
    return [c.body for c in world.comments_by(1, BOT)[2:]]


def test_status_and_help_in_one_comment_answer_in_one_reply(failed: World) -> None:
    failed.github.comment(REQUESTS, 1, "/status\n\n/HELP", user="carol")
    wait_for(lambda: replies(failed))

    assert replies(failed) == [f"`/status`:\n- `widget/theta`: failed\n\n{HELP}"]


def test_two_retries_in_a_row_run_once(failed: World) -> None:
    request_id = request_id_for("widget", "theta")

    failed.github.comment(REQUESTS, 1, "/retry\n/retry register", user="alice")
    wait_for(lambda: replies(failed))
    wait_for(
        lambda: failed.controller.store.get_request(request_id).status is S.COMPLETED
    )

    assert replies(failed)[0] == (
        "`/retry`:\n- `widget/theta`: retrying from action register\n\n"
        "`/retry`:\n- `widget/theta`: nothing to retry: request"
        f" {request_id} is in_progress, not failed"
    )


def test_an_admin_may_abort(failed: World) -> None:
    request_id = request_id_for("widget", "theta")

    failed.github.comment(REQUESTS, 1, "/abort not needed any more", user="root")
    wait_for(lambda: replies(failed))

    assert replies(failed) == ["`/abort`:\n- `widget/theta`: aborted"]
    assert failed.controller.store.get_request(request_id).status is S.ABORTED


def test_edited_comments_and_bots_are_not_heard(failed: World) -> None:
    mine = failed.github.comment(REQUESTS, 1, "looks odd", user="alice")
    failed.github.edit_comment(mine.id, "/retry", user="alice")
    failed.github.comment(REQUESTS, 1, "/retry", user=BOT)
    failed.github.webhooks.wait_sent()
    while failed.controller.deliveries.process_pending():
        pass

    assert [c.body for c in failed.comments_by(1, BOT)][2:] == ["/retry"]
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
