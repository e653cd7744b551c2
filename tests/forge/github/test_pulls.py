"""Pull requests: read, files over pages, reviews, review requests."""

from __future__ import annotations

from forge.github.fake_github import FakeGitHub
from pao.forge.github import FileStatus, GitHubRepo, ReviewState


def test_get_pull_reads_head_base_author_and_merge_state(
    fake: FakeGitHub, repo: GitHubRepo
) -> None:
    fake.add_pull(
        7,
        merged=True,
        merge_commit_sha="c" * 40,
        draft=True,
        user=fake.user("renovate[bot]", "Bot"),
        head={"sha": "1" * 40, "ref": "add-db"},
        base={"sha": "2" * 40, "ref": "main"},
    )

    pull = repo.get_pull(7)

    assert (pull.number, pull.head_sha, pull.head_ref) == (7, "1" * 40, "add-db")
    assert (pull.base_ref, pull.base_sha) == ("main", "2" * 40)
    assert pull.merged
    assert pull.merge_commit_sha == "c" * 40
    assert pull.draft
    assert pull.author == "renovate[bot]"
    assert pull.author_is_bot


def test_list_pull_files_follows_pages_and_keeps_renames(
    fake: FakeGitHub, repo: GitHubRepo
) -> None:
    fake.add_pull(3)
    fake.files[3] = [
        {"filename": f"requests/db/r{i:03d}.yaml", "status": "added"}
        for i in range(230)
    ] + [
        {
            "filename": "requests/db/new.yaml",
            "status": "renamed",
            "previous_filename": "requests/db/old.yaml",
        },
        {"filename": "requests/db/gone.yaml", "status": "removed"},
    ]

    files = repo.list_pull_files(3)

    assert len(files) == 232
    assert [c.path for c in fake.calls].count(
        "/repos/acme/platform-requests/pulls/3/files"
    ) == 3
    renamed = files[230]
    assert renamed.status is FileStatus.RENAMED
    assert renamed.previous_path == "requests/db/old.yaml"
    assert files[231].status is FileStatus.REMOVED


def test_repeated_file_listing_is_answered_from_the_etag_cache(
    fake: FakeGitHub, repo: GitHubRepo
) -> None:
    fake.add_pull(3)
    fake.files[3] = [{"filename": "requests/db/a.yaml", "status": "modified"}]
    first = repo.list_pull_files(3)
    used = fake.used

    second = repo.list_pull_files(3)

    assert second == first
    assert fake.calls[-1].status == 200
    assert fake.used == used, "a 304 costs no quota"
    assert "if-none-match" in fake.calls[-1].headers
    fake.files[3].append({"filename": "requests/db/b.yaml", "status": "added"})
    assert len(repo.list_pull_files(3)) == 2


def test_list_reviews_in_submission_order(fake: FakeGitHub, repo: GitHubRepo) -> None:
    fake.add_pull(5)
    fake.reviews[5] = [
        {
            "id": 1,
            "user": fake.user("alice"),
            "state": "CHANGES_REQUESTED",
            "commit_id": "a" * 40,
        },
        {
            "id": 2,
            "user": fake.user("alice"),
            "state": "APPROVED",
            "commit_id": "b" * 40,
        },
    ]

    reviews = repo.list_reviews(5)

    assert [r.state for r in reviews] == [
        ReviewState.CHANGES_REQUESTED,
        ReviewState.APPROVED,
    ]
    assert reviews[1].user == "alice"
    assert reviews[1].commit_id == "b" * 40


def test_request_reviewers_sends_team_slugs(fake: FakeGitHub, repo: GitHubRepo) -> None:
    fake.add_pull(9)

    repo.request_reviewers(9, teams=["acme/dba", "@acme/dba", "acme/sre"])
    repo.request_reviewers(9)

    assert fake.review_requests == [
        (9, {"team_reviewers": ["dba", "sre"], "reviewers": []})
    ]
