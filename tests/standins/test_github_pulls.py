"""Pull-request life in the GitHub stand-in: drafts, edits, reviews, comments."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from github_driver import app_private_key
from pao.standins import GithubStandin, WorkflowInput
from pao.standins.github_http import ApiError

PAT = "ghp_bob"
REPO = "acme/platform-requests"


@pytest.fixture
def github(tmp_path: Path) -> Iterator[GithubStandin]:
    standin = GithubStandin(
        tmp_path / "github",
        app_private_key_pem=app_private_key(),
        tokens={PAT: "bob"},
        actions_step_seconds=None,
    )
    standin.add_team("acme", "payments", members=["alice", "bob", "carol"])
    standin.install_app("acme")
    standin.add_repo(REPO)
    standin.push(REPO, "feature", {"requests/db/a.yaml": "size: 1\n"}, user="alice")
    with standin.serve():
        yield standin


@pytest.fixture
def api(github: GithubStandin) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"token {PAT}"}
    with httpx.Client(base_url=github.url, headers=headers) as client:
        yield client


def actions(github: GithubStandin, event: str) -> list[str | None]:
    return [d.action for d in github.webhooks.deliveries(event)]


def test_a_draft_becomes_ready_and_its_edits_carry_the_old_values(
    github: GithubStandin,
) -> None:
    pull = github.open_pull(REPO, head="feature", user="alice", title="Old", draft=True)

    github.mark_ready(REPO, pull.number, user="alice")
    github.edit_pull(REPO, pull.number, user="alice", title="New")

    assert actions(github, "pull_request") == ["opened", "ready_for_review", "edited"]
    edited = github.webhooks.deliveries("pull_request", "edited")[0].payload
    assert edited["changes"] == {"title": {"from": "Old"}}
    assert edited["pull_request"]["title"] == "New"
    assert edited["pull_request"]["draft"] is False


def test_a_draft_cannot_be_merged(github: GithubStandin) -> None:
    pull = github.open_pull(REPO, head="feature", user="alice", draft=True)

    with pytest.raises(ApiError, match="draft"):
        github.merge_pull(REPO, pull.number, user="bob")


def test_opening_through_the_api_sends_opened(
    github: GithubStandin, api: httpx.Client
) -> None:
    answer = api.post(
        f"/repos/{REPO}/pulls",
        json={"title": "Add db", "head": "acme:feature", "base": "main", "body": "x"},
    )

    assert answer.status_code == 201
    assert answer.json()["user"]["login"] == "bob"
    assert actions(github, "pull_request") == ["opened"]
    listed = api.get(f"/repos/{REPO}/pulls", params={"head": "acme:feature"}).json()
    assert [p["number"] for p in listed] == [answer.json()["number"]]


def test_requested_reviewers_and_what_a_review_changes(
    github: GithubStandin, api: httpx.Client
) -> None:
    pull = github.open_pull(REPO, head="feature", user="alice")
    url = f"/repos/{REPO}/pulls/{pull.number}"

    api.post(
        f"{url}/requested_reviewers",
        json={"reviewers": ["carol"], "team_reviewers": ["payments"]},
    )
    github.submit_review(REPO, pull.number, user="carol", body="fine")

    requested = api.get(f"{url}/requested_reviewers").json()
    assert [u["login"] for u in requested["users"]] == []
    assert [t["slug"] for t in requested["teams"]] == ["payments"]
    [review] = api.get(f"{url}/reviews").json()
    assert (review["state"], review["user"]["login"]) == ("APPROVED", "carol")
    assert review["commit_id"] == pull.head_sha
    assert actions(github, "pull_request")[-2:] == [
        "review_requested",
        "review_requested",
    ]


def test_an_author_cannot_approve_their_own_pull_request(github: GithubStandin) -> None:
    pull = github.open_pull(REPO, head="feature", user="alice")

    with pytest.raises(ApiError, match="your own pull request"):
        github.submit_review(REPO, pull.number, user="alice")


def test_comment_edits_and_deletes_send_their_events(
    github: GithubStandin, api: httpx.Client
) -> None:
    pull = github.open_pull(REPO, head="feature", user="alice")
    comment = github.comment(REPO, pull.number, "/retry", user="alice")

    github.edit_comment(comment.id, "/retry provision", user="alice")
    api.delete(f"/repos/{REPO}/issues/comments/{comment.id}")

    assert actions(github, "issue_comment") == ["created", "edited", "deleted"]
    edited = github.webhooks.deliveries("issue_comment", "edited")[0].payload
    assert edited["changes"] == {"body": {"from": "/retry"}}
    assert edited["comment"]["body"] == "/retry provision"
    deleted = github.webhooks.deliveries("issue_comment", "deleted")[0].payload
    assert deleted["sender"]["login"] == "bob"
    assert api.get(f"/repos/{REPO}/issues/comments/{comment.id}").status_code == 404


def test_workflow_runs_are_dispatched_and_reported_through_one_server(
    github: GithubStandin, api: httpx.Client
) -> None:
    github.actions.add_workflow(
        REPO, "provision.yml", inputs={"size": WorkflowInput(required=True)}
    )

    answer = api.post(
        f"/repos/{REPO}/actions/workflows/provision.yml/dispatches",
        json={"ref": "feature", "inputs": {"size": "small"}},
    )
    [run] = github.actions.runs()
    github.actions.advance(run.id, steps=2)

    assert answer.status_code == 204
    assert run.head_sha == github.repo(REPO).git.resolve("refs/heads/feature")
    assert actions(github, "workflow_run") == ["requested", "in_progress", "completed"]
    completed = github.webhooks.deliveries("workflow_run", "completed")[0].payload
    assert completed["workflow_run"]["conclusion"] == "success"
    assert completed["repository"]["clone_url"] == github.clone_url(REPO)
    assert "installation" in completed
