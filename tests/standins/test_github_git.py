"""The GitHub stand-in's git side: pull requests, merges and pushes are real git."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from github_driver import app_private_key
from gitutil import BOB, git
from pao.standins import GithubStandin, RestTarget
from pao.standins.github_http import ApiError

REPO = "acme/platform-requests"
TOKEN = "ghp_alice"


@pytest.fixture
def github(tmp_path: Path, receiver: RestTarget) -> Iterator[GithubStandin]:
    standin = GithubStandin(
        tmp_path / "github",
        app_private_key_pem=app_private_key(),
        tokens={TOKEN: "alice"},
        webhook_secret="s3cret",
    )
    standin.add_org("acme", members=["alice", "bob"])
    standin.add_repo(
        REPO,
        files={"README.md": "# requests\n", "requests/db/old.yaml": "size: 1\n"},
    )
    with standin.serve():
        standin.webhooks.url = receiver.url + "/hooks/github"
        yield standin


@pytest.fixture
def api(github: GithubStandin) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"token {TOKEN}"}
    with httpx.Client(base_url=github.url, headers=headers) as client:
        yield client


def payloads(github: GithubStandin, event: str) -> list[dict[str, Any]]:
    return [d.payload for d in github.webhooks.deliveries(event)]


def test_pull_request_files_come_from_the_real_diff(
    github: GithubStandin, api: httpx.Client
) -> None:
    github.push(
        REPO,
        "add-db",
        [
            {"requests/db/new.yaml": "size: 2\n"},
            {"requests/db/old.yaml": None, "README.md": "# requests\nmore\n"},
        ],
        user="alice",
    )
    pull = github.open_pull(REPO, head="add-db", user="alice", title="Add db")

    files = api.get(f"/repos/{REPO}/pulls/{pull.number}/files").json()
    shown = api.get(f"/repos/{REPO}/pulls/{pull.number}").json()

    by_name = {f["filename"]: f for f in files}
    assert {name: f["status"] for name, f in by_name.items()} == {
        "README.md": "modified",
        "requests/db/new.yaml": "added",
        "requests/db/old.yaml": "removed",
    }
    assert by_name["requests/db/new.yaml"]["patch"] == "@@ -0,0 +1 @@\n+size: 2"
    assert by_name["README.md"]["additions"] == 1
    assert (shown["commits"], shown["changed_files"]) == (2, 3)
    assert shown["head"]["sha"] == github.repo(REPO).git.resolve("refs/heads/add-db")
    assert shown["mergeable"] is True


def test_a_rename_is_reported_with_its_previous_name(
    github: GithubStandin, api: httpx.Client
) -> None:
    old = "requests/db/old.yaml"
    github.push(
        REPO, "move", {old: None, "requests/db/moved.yaml": "size: 1\n"}, user="bob"
    )
    pull = github.open_pull(REPO, head="move", user="bob")

    [entry] = api.get(f"/repos/{REPO}/pulls/{pull.number}/files").json()

    assert entry["status"] == "renamed"
    assert entry["previous_filename"] == old


def _open(github: GithubStandin, branch: str, files: list[dict[str, str]]) -> int:
    github.push(REPO, branch, files, user="alice", message=f"Work on {branch}")
    return github.open_pull(REPO, head=branch, user="alice", title=branch).number


def test_merge_commit_keeps_both_histories(github: GithubStandin) -> None:
    number = _open(github, "one", [{"a.txt": "a\n"}, {"b.txt": "b\n"}])
    base = github.repo(REPO).git.resolve("refs/heads/main")
    head = github.pull(REPO, number).head_sha

    sha = github.merge_pull(REPO, number, user="bob", method="merge")

    repo = github.repo(REPO).git
    assert repo.resolve("refs/heads/main") == sha
    assert repo.commit(sha).parents == (base, head)
    assert repo.commit(sha).message.startswith(f"Merge pull request #{number}")
    assert github.pull(REPO, number).merge_commit_sha == sha


def test_squash_makes_one_commit_with_the_combined_change(
    github: GithubStandin,
) -> None:
    number = _open(github, "two", [{"a.txt": "a\n"}, {"a.txt": "a2\n", "b.txt": "b\n"}])
    base = github.repo(REPO).git.resolve("refs/heads/main")

    sha = github.merge_pull(REPO, number, user="bob", method="squash")

    repo = github.repo(REPO).git
    commit = repo.commit(sha)
    assert commit.parents == (base,)
    assert commit.author.email == github.state.user("alice").email  # PR author
    assert commit.committer.email == "noreply@github.com"
    assert repo.read_blob(repo.entry(sha, "a.txt").sha) == b"a2\n"
    assert {c.status for c in repo.diff(base, sha)} == {"added"}


def test_rebase_replays_each_commit_keeping_authors(github: GithubStandin) -> None:
    number = _open(github, "three", [{"a.txt": "a\n"}, {"b.txt": "b\n"}])
    github.push(REPO, "main", {"other.txt": "moved on\n"}, user="bob")
    before = github.repo(REPO).git.resolve("refs/heads/main")
    originals = github.repo(REPO).git.commits(f"{before}..refs/heads/three")

    sha = github.merge_pull(REPO, number, user="bob", method="rebase")

    repo = github.repo(REPO).git
    replayed = repo.commits(f"{before}..{sha}")
    assert [c.message for c in replayed] == [c.message for c in originals]
    assert {c.sha for c in replayed}.isdisjoint(c.sha for c in originals)
    assert all(c.author.email == originals[0].author.email for c in replayed)
    assert replayed[-1].parents == (before,)
    assert {e.path for e in repo.tree(sha)} >= {"a.txt", "b.txt", "other.txt"}


def test_merge_sends_push_then_closed_with_merged_fields(github: GithubStandin) -> None:
    number = _open(github, "four", [{"a.txt": "a\n"}])

    sha = github.merge_pull(REPO, number, user="bob", method="squash")

    events = [(d.event, d.action) for d in github.webhooks.deliveries()]
    assert events[-2:] == [("push", None), ("pull_request", "closed")]
    closed = github.webhooks.deliveries("pull_request", "closed")[-1].payload
    pull = closed["pull_request"]
    assert (pull["merged"], pull["merge_commit_sha"]) == (True, sha)
    assert pull["merged_by"]["login"] == "bob"
    assert pull["merged_at"] is not None


def test_conflicting_pull_request_is_not_mergeable(
    github: GithubStandin, api: httpx.Client
) -> None:
    number = _open(github, "clash", [{"README.md": "theirs\n"}])
    github.push(REPO, "main", {"README.md": "ours\n"}, user="bob")

    shown = api.get(f"/repos/{REPO}/pulls/{number}").json()

    assert (shown["mergeable"], shown["mergeable_state"]) == (False, "dirty")
    with pytest.raises(ApiError, match="Merge conflict"):
        github.merge_pull(REPO, number, user="bob")


def test_close_and_reopen_without_merge(github: GithubStandin) -> None:
    number = _open(github, "five", [{"a.txt": "a\n"}])

    github.close_pull(REPO, number, user="alice")
    github.reopen_pull(REPO, number, user="alice")

    actions = [d.action for d in github.webhooks.deliveries("pull_request")]
    assert actions == ["opened", "closed", "reopened"]
    closed = github.webhooks.deliveries("pull_request", "closed")[0].payload
    assert closed["pull_request"]["merged"] is False
    assert github.pull(REPO, number).state == "open"


def test_push_webhook_lists_at_most_twenty_commits(github: GithubStandin) -> None:
    changes = [{"counter.txt": f"{n}\n"} for n in range(25)]
    tip = github.push(REPO, "main", changes, user="alice", message="Count")

    push = payloads(github, "push")[-1]

    assert len(push["commits"]) == 20
    assert push["commits"][-1]["id"] == tip == push["after"]
    assert push["commits"][0]["message"] == "Count (6)"
    assert push["head_commit"]["id"] == tip
    assert push["commits"][-1]["modified"] == ["counter.txt"]
    assert push["commits"][-1]["author"]["username"] == "alice"


def test_push_flags_created_forced_and_deleted(github: GithubStandin) -> None:
    github.push(REPO, "topic", {"a.txt": "a\n"}, user="alice")
    github.force_push(REPO, "topic", {"b.txt": "b\n"}, user="alice")
    github.delete_branch(REPO, "topic", user="alice")
    github.push_tag(REPO, "v1.0.0", user="alice")

    pushes = payloads(github, "push")[-4:]

    flags = [(p["ref"], p["created"], p["forced"], p["deleted"]) for p in pushes]
    assert flags == [
        ("refs/heads/topic", True, False, False),
        ("refs/heads/topic", False, True, False),
        ("refs/heads/topic", False, False, True),
        ("refs/tags/v1.0.0", True, False, False),
    ]
    assert pushes[2]["after"] == "0" * 40
    assert pushes[2]["head_commit"] is None


def test_a_push_from_a_clone_synchronizes_the_pull_request(
    github: GithubStandin, tmp_path: Path
) -> None:
    number = _open(github, "six", [{"a.txt": "a\n"}])
    clone = tmp_path / "clone"
    git("clone", "--quiet", github.clone_url(REPO), str(clone))
    git("checkout", "--quiet", "six", cwd=clone)
    (clone / "a.txt").write_text("changed\n")
    git("commit", "--quiet", "-am", "Change a", cwd=clone, author=BOB)

    git("push", "--quiet", "origin", "six", cwd=clone, author=BOB)
    github.pushes.absorb(github.repo(REPO))

    new_tip = git("rev-parse", "HEAD", cwd=clone)
    sync = github.webhooks.deliveries("pull_request", "synchronize")[-1].payload
    assert (sync["number"], sync["after"]) == (number, new_tip)
    assert sync["pull_request"]["head"]["sha"] == new_tip
    assert github.pull(REPO, number).head_sha == new_tip
    assert payloads(github, "push")[-1]["pusher"]["name"] == "pao[bot]"


def test_deleting_the_head_branch_closes_the_pull_request(
    github: GithubStandin,
) -> None:
    number = _open(github, "seven", [{"a.txt": "a\n"}])

    github.delete_branch(REPO, "seven", user="alice")

    assert github.pull(REPO, number).state == "closed"
    assert github.webhooks.deliveries("pull_request")[-1].action == "closed"


def test_pushing_the_head_onto_the_base_marks_the_pull_request_merged(
    github: GithubStandin,
) -> None:
    number = _open(github, "eight", [{"a.txt": "a\n"}])
    head = github.pull(REPO, number).head_sha

    github.repo(REPO).git.push({"refs/heads/main": head}, pusher="bob")
    github.pushes.absorb(github.repo(REPO))

    pull = github.pull(REPO, number)
    assert (pull.merged, pull.merge_commit_sha, pull.merged_by) == (True, head, "bob")


def test_opening_a_pull_request_without_changes_is_refused(
    github: GithubStandin, api: httpx.Client
) -> None:
    github.push(REPO, "empty", [], user="alice")

    answer = api.post(
        f"/repos/{REPO}/pulls", json={"title": "x", "head": "empty", "base": "main"}
    )

    assert answer.status_code == 422
    assert answer.json()["errors"][0]["message"] == "No commits between main and empty"


def test_a_clone_sees_what_the_rest_api_committed(
    github: GithubStandin, api: httpx.Client, tmp_path: Path
) -> None:
    import base64

    answer = api.put(
        f"/repos/{REPO}/contents/status/db/x.yaml",
        json={
            "message": "Record status",
            "content": base64.b64encode(b"ok\n").decode(),
        },
    )
    clone = tmp_path / "clone"
    git("clone", "--quiet", github.clone_url(REPO), str(clone))

    assert answer.status_code == 201
    assert (clone / "status/db/x.yaml").read_text() == "ok\n"
    assert git("log", "-1", "--format=%s", cwd=clone) == "Record status"
