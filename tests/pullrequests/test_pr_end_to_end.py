"""The whole pull-request story on the GitHub stand-in, through pao's API.

Webhooks are the stand-in's own, signed, delivered to pao's webhook
endpoint under uvicorn; pao answers through the GitHub REST API. Every
body pao writes is asserted exactly.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from pr_world import REQUESTS, World, request_text, running_world, wait_for

from pao.reconcilers.plan import request_id_for
from pao.store import RequestStatus

pytestmark = pytest.mark.slow

ALPHA = "requests/widget/alpha.yaml"
BOT = "pao[bot]"


def plan_head(count_line: str) -> str:
    return f"<!-- pao:plan -->\n## pao plan\n\n{count_line}\n\n"


ITEM_LINES = (
    "- Catalog item: Widget (`widget`) 1.2.0\n"
    "- Owner team: @acme/widgets\n"
    "- SLA: 4 hours\n"
)
FOOTER = "Comment `/help` for the commands pao understands.\n"


def create_config(url: str, name: str, size: int) -> str:
    return (
        "```json\n{\n"
        '  "method": "POST",\n'
        f'  "url": "{url}/v1/widgets",\n'
        '  "auth": {\n    "type": "bearer",\n    "token": "***"\n  },\n'
        f'  "body": {{\n    "name": "{name}",\n    "size": {size}\n  }}\n'
        "}\n```"
    )


def register_config(url: str, widget: str) -> str:
    return (
        "```json\n{\n"
        '  "method": "POST",\n'
        f'  "url": "{url}/v1/registrations",\n'
        f'  "body": {{\n    "widget": "{widget}"\n  }}\n'
        "}\n```"
    )


def indent(block: str) -> str:
    return "\n".join(f"   {line}" for line in block.splitlines())


def pao_comments(world: World, number: int) -> list[str]:
    return [c.body for c in world.comments_by(number, BOT)]


def test_a_request_goes_from_pull_request_to_fulfilment_and_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_world(tmp_path, monkeypatch) as world:
        gh, store, url = world.github, world.controller.store, world.target.url
        alpha = request_id_for("widget", "alpha")

        # An invalid request: annotated at its line, planned as failed.
        gh.push(REQUESTS, "alpha", {ALPHA: request_text("alpha", "big")}, user="alice")
        pull = gh.open_pull(REQUESTS, head="alpha", user="alice", title="Widget alpha")
        number, bad_head = pull.number, pull.head_sha
        [bad] = wait_for(lambda: world.check_runs(bad_head, "pao/validate"))
        first = wait_for(lambda: world.comments_by(number, BOT))[0]

        assert (bad.status, bad.conclusion) == ("completed", "failure")
        assert bad.title == "1 error in 1 request file"
        assert bad.summary == f"- `widget/alpha` (`{ALPHA}`): 1 error"
        assert [
            (a.path, a.start_line, a.start_column, a.annotation_level, a.title)
            for a in bad.annotations
        ] == [(ALPHA, 7, 9, "failure", "invalid-field")]
        assert first.body == (
            plan_head(f"1 request at `{bad_head[:7]}`")
            + "### `widget/alpha` — create · failed\n\n"
            + ITEM_LINES
            + "\nProblems:\n\n"
            + f"- `{ALPHA}:7:9` fields.size: must be a finite number, got a string"
            " [invalid-field]\n\n" + FOOTER
        )
        assert store.get_request(alpha).status is RequestStatus.FAILED
        assert store.get_request(alpha).pr_number == number

        # Fixed: the check goes green and the same comment shows the plan.
        good_head = gh.push(
            REQUESTS, "alpha", {ALPHA: request_text("alpha", 3)}, user="alice"
        )
        [good] = wait_for(lambda: world.check_runs(good_head, "pao/validate"))
        wait_for(lambda: "awaiting approval" in world.comments_by(number, BOT)[0].body)
        [plan] = world.comments_by(number, BOT)

        assert (good.conclusion, good.title) == ("success", "1 request file valid")
        assert good.annotations == []
        assert plan.id == first.id
        assert plan.body == (
            plan_head(f"1 request at `{good_head[:7]}`")
            + "### `widget/alpha` — create · awaiting approval\n\n"
            + ITEM_LINES
            + "- Approval: an approving review by a code owner (@acme/widgets) of"
            " the latest commit; it runs after the merge\n\nActions:\n\n"
            + "1. `create` Create the widget (rest-api) — planned\n\n"
            + indent(create_config(url, "alpha", 3))
            + "\n\n2. `register` Register it (rest-api) — planned\n\n"
            + indent(register_config(url, "{{outputs.create.widgetId}}"))
            + "\n\n"
            + FOOTER
        )
        assert gh.pull(REQUESTS, number).requested_teams == ["widgets"]
        assert store.get_request(alpha).status is RequestStatus.AWAITING_APPROVAL
        assert world.file(REQUESTS, "status/widget/alpha.yaml") is None

        # Approved by the owner team, merged; the second action fails.
        gh.submit_review(REQUESTS, number, user="carol")
        world.target.fail_next(500, count=2, path="/v1/registrations")
        gh.merge_pull(REQUESTS, number, user="alice", method="squash")
        wait_for(lambda: store.get_request(alpha).status is RequestStatus.FAILED)
        wait_for(lambda: len(pao_comments(world, number)) == 2)
        fulfil = wait_for(
            lambda: [
                r for r in world.check_runs(good_head, "pao/fulfil") if r.conclusion
            ]
        )
        widget = _outputs(world, alpha, "create")["widgetId"]
        error = (
            f"POST {url}/v1/registrations answered 500 Internal Server Error;"
            ' response body: {"error":"unavailable","message":"scripted fault (500)"}'
        )

        assert (fulfil[0].conclusion, fulfil[0].title) == (
            "failure",
            "1 of 1 request failed",
        )
        assert fulfil[0].summary == "- `widget/alpha`: failed"
        assert pao_comments(world, number)[1] == (
            "❌ **`widget/alpha` failed at action `register`.**\n\n"
            f"> {error}\n\n"
            "Done before the failure:\n\n"
            f"- `create`: `status`: `201`, `widgetId`: `{widget}`\n"
            f"  - cleanup: Delete widget {widget}.\n\n"
            "What next? Comment one of:\n\n"
            "- `/retry` to run it again from the failed action"
            " (`/retry <action-id>` to start from another one)\n"
            "- `/abort [reason]` to give it up; what was created stays as it is\n"
            "- `/escalate [reason]` to hand it to the platform team as an incident\n"
        )
        assert "### `widget/alpha` — create · failed" in pao_comments(world, number)[0]

        # Someone who may not: refused, saying who may.
        refused = gh.comment(REQUESTS, number, "/retry", user="bob")
        wait_for(lambda: len(pao_comments(world, number)) == 3)

        assert [r.content for r in refused.reactions] == ["eyes"]
        assert pao_comments(world, number)[2] == (
            "@bob you may not run pao commands on this pull request. Allowed: the"
            " pull request's author (@alice), members of @acme/widgets or pao"
            " admins (@acme/platform-admins)."
        )
        assert store.get_request(alpha).status is RequestStatus.FAILED

        # The author retries: it runs from the failed action and completes.
        gh.comment(REQUESTS, number, "Once more:\n/retry", user="alice")
        wait_for(lambda: store.get_request(alpha).status is RequestStatus.COMPLETED)
        wait_for(lambda: len(pao_comments(world, number)) == 5)

        assert pao_comments(world, number)[3] == (
            "`/retry`:\n- `widget/alpha`: retrying from action register"
        )
        assert pao_comments(world, number)[4] == (
            "✅ **`widget/alpha` completed.**\n\nOutputs:\n\n"
            f"- `create`: `status`: `201`, `widgetId`: `{widget}`\n"
            "- `register`: `status`: `201`\n"
        )
        wait_for(
            lambda: [
                r
                for r in world.check_runs(good_head, "pao/fulfil")
                if r.conclusion == "success"
            ]
        )
        status = wait_for(lambda: _status(world, "alpha", "completed"))
        assert status["team"] == "acme/payments"
        assert [a["id"] for a in status["actions"]] == ["create", "register"]
        assert store.get_request(alpha).requester == _noreply(world, "alice")

        # A second request fails and is escalated into a Jira incident.
        beta = request_id_for("widget", "beta")
        gh.push(
            REQUESTS,
            "beta",
            {"requests/widget/beta.yaml": request_text("beta")},
            user="alice",
        )
        second = gh.open_pull(REQUESTS, head="beta", user="alice", title="Widget beta")
        wait_for(
            lambda: (
                store.find_request(beta) is not None
                and store.get_request(beta).status is RequestStatus.AWAITING_APPROVAL
            )
        )
        gh.submit_review(REQUESTS, second.number, user="carol")
        world.target.fail_next(500, count=2, path="/v1/registrations")
        gh.merge_pull(REQUESTS, second.number, user="alice", method="merge")
        wait_for(lambda: len(pao_comments(world, second.number)) == 2)
        gh.comment(REQUESTS, second.number, "/escalate needs a human", user="alice")
        wait_for(lambda: store.get_request(beta).status is RequestStatus.ESCALATED)
        wait_for(lambda: len(pao_comments(world, second.number)) == 3)
        escalation = store.get_request(beta).escalation or {}
        issue = world.jira.issue(str(escalation.get("key")))

        assert pao_comments(world, second.number)[2] == (
            f"`/escalate`:\n- `widget/beta`: escalated as {escalation['key']}"
        )
        assert escalation["key"].startswith("ORCHESTRATION-")
        assert escalation["reason"] == "needs a human"
        assert issue.project.key == "ORCHESTRATION"
        assert wait_for(lambda: _status(world, "beta", "escalated"))

        # Every commit pao made on the default branch is a status commit.
        for message, paths in _pao_commits(world):
            assert message.startswith("pao: ")
            assert all(path.startswith("status/") for path in paths)


def _outputs(world: World, request_id: str, action: str) -> dict[str, object]:
    runs = world.controller.store.list_action_runs(request_id=request_id)
    return dict(next(r.outputs for r in runs if r.action_id == action and r.outputs))


def _status(world: World, name: str, phase: str) -> dict[str, object] | None:
    text = world.file(REQUESTS, f"status/widget/{name}.yaml")
    document = yaml.safe_load(text) if text else None
    return document if document and document.get("phase") == phase else None


def _noreply(world: World, login: str) -> str:
    with world.github.state.lock:
        user = world.github.state.user(login)
    assert user is not None
    return user.email


def _pao_commits(world: World) -> list[tuple[str, list[str]]]:
    git = world.github.repo(REQUESTS).git
    found = []
    for commit in git.commits("refs/heads/main"):
        if commit.author.name == "pao":
            changed = git.changed_paths(commit)
            found.append(
                (commit.message, sorted(p for ps in changed.values() for p in ps))
            )
    return found
