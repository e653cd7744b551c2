"""The client against the GitHub stand-in: real git behind a REST API.

One pull request's life as the reconciler sees it, through a GitHub App
installation: read it, check it, comment, ask for review, read the
review, and propose the CODEOWNERS block.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from forge.github.conftest import Sleeps
from github_driver import app_private_key
from pao.core.settings import GitHubAppSettings, GitHubSettings
from pao.forge.codeowners import CodeOwners
from pao.forge.codeowners_sync import SYNC_BRANCH, sync_codeowners
from pao.forge.github import (
    Annotation,
    AppCredentials,
    CheckOutput,
    FileStatus,
    GitHub,
    GitHubRateLimited,
    ReviewState,
    Transport,
    connect,
)
from pao.standins.github import GithubStandin

REPO = "acme/platform-requests"
CODEOWNERS = "* @acme/platform-admins\n"
REQUEST = "apiVersion: pao/v1\nkind: Request\ncatalogItem: postgres-database\n"


@pytest.fixture
def standin(tmp_path: Path) -> Iterator[GithubStandin]:
    github = GithubStandin(
        tmp_path / "github",
        app_private_key_pem=app_private_key(),
        actions_step_seconds=None,
    )
    github.add_org("acme", members=["alice", "bob"])
    github.add_team("acme", "dba", members=["alice"])
    github.add_repo(REPO, files={"CODEOWNERS": CODEOWNERS, "README.md": "hi\n"})
    github.add_collaborator(REPO, "alice", "maintain")
    github.install_app("acme")
    with github.serve():
        github.push(
            REPO,
            "add-orders-db",
            {"requests/postgres-database/orders.yaml": REQUEST},
            user="bob",
        )
        github.open_pull(REPO, head="add-orders-db", user="bob", title="Orders DB")
        yield github


@pytest.fixture
def client(standin: GithubStandin, sleeps: Sleeps) -> GitHub:
    app = AppCredentials(
        app_id=standin.github_app.id,
        private_key=standin.app_private_key_pem.decode(),
        api_url=standin.url,
        repository=REPO,
    )
    transport = Transport(
        api_url=standin.url, credentials=app, write_interval=0.0, sleep=sleeps
    )
    return GitHub(transport, app=app)


def test_connect_reaches_the_standin_as_the_app(
    standin: GithubStandin, tmp_path: Path
) -> None:
    key = tmp_path / "app.pem"
    key.write_bytes(standin.app_private_key_pem)
    settings = GitHubSettings(
        api_url=standin.url,
        app=GitHubAppSettings(id=standin.github_app.id, private_key=f"file:{key}"),
        requests_repo=REPO,
    )

    github = connect(settings)

    assert github.repo(REPO).get_pull(1).title == "Orders DB"


def test_a_pull_requests_life_through_the_app(
    standin: GithubStandin, client: GitHub
) -> None:
    repo = client.repo(REPO)

    pull = repo.get_pull(1)
    files = repo.list_pull_files(1)
    repo.request_reviewers(1, teams=["acme/dba"])
    output = CheckOutput(
        "1 error",
        "Fix the request.",
        annotations=tuple(
            Annotation(files[0].path, line, line, "failure", f"problem {line}")
            for line in range(1, 61)
        ),
    )
    run = repo.create_check_run(
        head_sha=pull.head_sha, status="completed", conclusion="failure", output=output
    )
    repo.upsert_sticky_comment(1, marker="<!-- pao:plan -->", body="plan v1")
    comment = repo.upsert_sticky_comment(1, marker="<!-- pao:plan -->", body="v2")
    standin.submit_review(REPO, 1, user="alice")

    assert (pull.author, pull.head_ref, pull.base_ref) == (
        "bob",
        "add-orders-db",
        "main",
    )
    assert [(f.path, f.status) for f in files] == [
        ("requests/postgres-database/orders.yaml", FileStatus.ADDED)
    ]
    assert standin.pull(REPO, 1).requested_teams == ["dba"]
    assert len(standin.state.check_runs[run.id].annotations) == 60
    assert [c.body for c in repo.list_comments(1)] == [comment.body]
    assert comment.user == client.login() == "pao[bot]"
    reviews = repo.list_reviews(1)
    assert [(r.user, r.state) for r in reviews] == [("alice", ReviewState.APPROVED)]
    assert reviews[0].commit_id == pull.head_sha


def test_who_may_act(client: GitHub) -> None:
    repo = client.repo(REPO)

    assert client.is_team_member("acme/dba", "alice")
    assert not client.is_team_member("acme/dba", "bob")
    assert repo.collaborator_permission("alice") == "maintain"


def test_conditional_reads_cost_no_quota(client: GitHub) -> None:
    repo = client.repo(REPO)
    repo.list_pull_files(1)
    assert client.transport.quota is not None
    remaining = client.transport.quota.remaining

    repo.list_pull_files(1)

    assert client.transport.quota.remaining == remaining
    assert client.transport.etags.hits >= 1


def test_the_codeowners_block_is_proposed_once(
    standin: GithubStandin, client: GitHub
) -> None:
    repo = client.repo(REPO)

    first = sync_codeowners(repo, {"postgres-database": "acme/dba"})
    again = sync_codeowners(repo, {"postgres-database": "acme/dba"})

    assert first is not None
    assert again is not None
    assert again.number == first.number
    proposed = repo.read_text("CODEOWNERS", ref=SYNC_BRANCH)
    assert proposed is not None
    rules = CodeOwners(proposed)
    assert rules.owners_of("requests/postgres-database/x.yaml") == ("@acme/dba",)
    assert rules.owners_of("README.md") == ("@acme/platform-admins",)
    assert repo.read_text("CODEOWNERS", ref="main") == CODEOWNERS


def test_limits_are_waited_out_or_reported(
    standin: GithubStandin, client: GitHub, sleeps: Sleeps
) -> None:
    repo = client.repo(REPO)
    repo.get_pull(1)

    standin.trigger_secondary_limit(retry_after=3)
    assert repo.get_pull(1).number == 1
    assert sleeps == [3.0]

    standin.exhaust_rate_limit()
    with pytest.raises(GitHubRateLimited) as caught:
        repo.request_reviewers(1, teams=["acme/dba"])
    assert caught.value.retry_after is not None
