"""The CODEOWNERS block proposed as one pull request on the requests repo."""

from __future__ import annotations

from forge.github.fake_github import FakeGitHub
from pao.forge.codeowners import BEGIN_MARKER, END_MARKER
from pao.forge.codeowners_sync import SYNC_BRANCH, describe_changes, sync_codeowners
from pao.forge.github import GitHubRepo

OURS = "# Ours.\n* @acme/platform-admins\n"


def _block(*lines: str) -> str:
    return "".join(f"{line}\n" for line in (BEGIN_MARKER, *lines, END_MARKER))


def test_a_right_block_needs_no_pull_request(
    fake: FakeGitHub, repo: GitHubRepo
) -> None:
    fake.commit({"CODEOWNERS": OURS + _block("/requests/dns/ @acme/net")})

    assert sync_codeowners(repo, {"dns": "acme/net"}) is None
    assert all(c.method == "GET" for c in fake.calls)


def test_a_change_opens_one_pull_request_and_later_ones_update_it(
    fake: FakeGitHub, repo: GitHubRepo
) -> None:
    fake.commit({"CODEOWNERS": OURS + _block("/requests/dns/ @acme/net")})

    first = sync_codeowners(repo, {"dns": "acme/net", "kafka": "acme/streaming"})
    second = sync_codeowners(repo, {"dns": "acme/dns-team"})

    assert first is not None
    assert second is not None
    assert first.number == second.number
    assert len(fake.pulls) == 1
    assert fake.pulls[first.number]["head"]["ref"] == SYNC_BRANCH
    proposed = repo.read_text("CODEOWNERS", ref=SYNC_BRANCH)
    assert proposed == OURS + _block("/requests/dns/ @acme/dns-team")
    assert "kafka" in fake.pulls[first.number]["body"]


def test_the_file_github_reads_first_is_the_one_changed(
    fake: FakeGitHub, repo: GitHubRepo
) -> None:
    fake.commit({".github/CODEOWNERS": OURS, "CODEOWNERS": "ignored\n"})

    sync_codeowners(repo, {"dns": "acme/net"})

    assert repo.read_text(".github/CODEOWNERS", ref=SYNC_BRANCH) == (
        OURS + "\n" + _block("/requests/dns/ @acme/net")
    )
    assert repo.read_text("CODEOWNERS", ref=SYNC_BRANCH) == "ignored\n"


def test_a_repo_without_codeowners_gets_one(fake: FakeGitHub, repo: GitHubRepo) -> None:
    fake.commit({"README.md": "hi\n"})

    sync_codeowners(repo, {"dns": "acme/net"})

    assert repo.read_text("CODEOWNERS", ref=SYNC_BRANCH) == _block(
        "/requests/dns/ @acme/net"
    )


def test_the_description_lists_each_change() -> None:
    text = describe_changes(
        {"dns": "acme/net", "old": "acme/x", "same": "acme/s"},
        {"dns": "@acme/dns-team", "new": "acme/y", "same": "acme/s"},
    )

    assert text.splitlines()[2:] == [
        "- `/requests/dns/`: @acme/net → @acme/dns-team",
        "- `/requests/new/`: new, owned by @acme/y",
        "- `/requests/old/`: removed (was @acme/x)",
    ]
