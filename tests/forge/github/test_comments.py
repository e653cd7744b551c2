"""Comments: pao's sticky plan comment, the size limit, reactions."""

from __future__ import annotations

from forge.github.fake_github import FakeGitHub
from pao.forge.github import COMMENT_LIMIT, GitHubRepo, fit_comment

MARKER = "<!-- pao:plan -->"


def test_the_sticky_comment_is_created_once_then_edited_in_place(
    fake: FakeGitHub, repo: GitHubRepo
) -> None:
    fake.add_pull(4)

    first = repo.upsert_sticky_comment(4, marker=MARKER, body="plan v1")
    second = repo.upsert_sticky_comment(4, marker=MARKER, body="plan v2")

    assert first.id == second.id
    assert len(fake.comments) == 1
    assert fake.comments[first.id]["body"] == f"{MARKER}\nplan v2"


def test_an_unchanged_sticky_comment_is_not_written_again(
    fake: FakeGitHub, repo: GitHubRepo
) -> None:
    fake.add_pull(4)
    repo.upsert_sticky_comment(4, marker=MARKER, body="plan")
    writes = sum(c.method != "GET" for c in fake.calls)

    repo.upsert_sticky_comment(4, marker=MARKER, body="plan")

    assert sum(c.method != "GET" for c in fake.calls) == writes


def test_a_marker_in_someone_elses_comment_is_ignored(
    fake: FakeGitHub, repo: GitHubRepo
) -> None:
    fake.add_pull(4)
    planted = fake.add_comment(4, f"{MARKER}\nfake plan", login="mallory")

    mine = repo.upsert_sticky_comment(4, marker=MARKER, body="real plan")

    assert mine.id != planted["id"]
    assert fake.comments[planted["id"]]["body"] == f"{MARKER}\nfake plan"


def test_a_long_body_is_shortened_with_a_pointer(
    fake: FakeGitHub, repo: GitHubRepo
) -> None:
    fake.add_pull(4)
    url = "https://github.example/acme/platform-requests/runs/1"

    comment = repo.upsert_sticky_comment(
        4, marker=MARKER, body="x" * 70_000, pointer=url
    )

    assert len(comment.body) == COMMENT_LIMIT
    assert comment.body.startswith(MARKER)
    assert comment.body.endswith(f"the full text is at {url})")


def test_fit_comment_leaves_short_bodies_alone() -> None:
    assert fit_comment("short", pointer="https://x.example") == "short"


def test_list_create_edit_and_react(fake: FakeGitHub, repo: GitHubRepo) -> None:
    fake.add_pull(2)
    command = fake.add_comment(2, "/retry", login="dev")

    repo.add_reaction(command["id"])
    reply = repo.create_comment(2, "Retrying.")
    repo.edit_comment(reply.id, "Retried.")

    assert fake.reactions == [(command["id"], "eyes")]
    assert [c.body for c in repo.list_comments(2)] == ["/retry", "Retried."]
    assert repo.list_comments(2)[0].user == "dev"
