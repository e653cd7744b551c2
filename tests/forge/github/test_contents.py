"""Files at a ref, and a change proposed as one pull request."""

from __future__ import annotations

from forge.github.fake_github import FakeGitHub, Fault
from pao.forge.github import GitHubRepo

PROPOSAL = {
    "branch": "pao/codeowners",
    "commit_message": "Update CODEOWNERS",
    "title": "Update CODEOWNERS",
    "body": "Owners changed in the catalog.",
}


def test_read_file_at_a_ref_and_a_missing_one(
    fake: FakeGitHub, repo: GitHubRepo
) -> None:
    sha = fake.commit({"CODEOWNERS": "* @acme/admins\n", "requests/a/b.yaml": "x: 1\n"})

    found = repo.read_file("requests/a/b.yaml", ref=sha)

    assert found is not None
    assert found.text == "x: 1\n"
    assert repo.read_text("CODEOWNERS", ref="main") == "* @acme/admins\n"
    assert repo.read_file("nope.yaml", ref="main") is None


def test_a_file_over_one_megabyte_is_read_from_its_blob(
    fake: FakeGitHub, repo: GitHubRepo
) -> None:
    big = "y" * (1024 * 1024 + 10)
    fake.commit({"big.txt": big})

    assert repo.read_text("big.txt", ref="main") == big
    assert "/git/blobs/" in fake.calls[-1].path


def test_propose_change_opens_one_pull_request_and_then_updates_it(
    fake: FakeGitHub, repo: GitHubRepo
) -> None:
    fake.commit({"CODEOWNERS": "old\n", "README.md": "hi\n"})

    first = repo.propose_change(files={"CODEOWNERS": "new\n"}, **PROPOSAL)
    second = repo.propose_change(files={"CODEOWNERS": "newer\n"}, **PROPOSAL)

    assert first.number == second.number
    assert len(fake.pulls) == 1
    assert (first.head_ref, first.base_ref) == ("pao/codeowners", "main")
    assert repo.read_text("CODEOWNERS", ref="pao/codeowners") == "newer\n"
    assert repo.read_text("README.md", ref="pao/codeowners") == "hi\n"
    assert repo.read_text("CODEOWNERS", ref="main") == "old\n"


def test_a_branch_that_already_holds_the_change_is_left_alone(
    fake: FakeGitHub, repo: GitHubRepo
) -> None:
    fake.commit({"CODEOWNERS": "old\n"})
    repo.propose_change(files={"CODEOWNERS": "new\n"}, **PROPOSAL)
    head = fake.refs["pao/codeowners"]
    calls = len(fake.calls)

    repo.propose_change(files={"CODEOWNERS": "new\n"}, **PROPOSAL)

    assert fake.refs["pao/codeowners"] == head
    assert all(c.method == "GET" for c in fake.calls[calls:])


def test_a_branch_created_meanwhile_is_moved_instead(
    fake: FakeGitHub, repo: GitHubRepo
) -> None:
    fake.commit({"CODEOWNERS": "old\n"})
    fake.commit({"CODEOWNERS": "someone else's\n"}, branch="pao/codeowners")
    # Another replica creates the branch between pao's look-up and its
    # create call: the look-up still says there is none.
    missing = Fault("GET", r".*/git/ref/heads/pao/codeowners", 404, {"message": "x"})
    fake.faults.append(missing)

    repo.propose_change(files={"CODEOWNERS": "new\n"}, **PROPOSAL)

    ref_calls = [c for c in fake.calls if "/git/refs" in c.path]
    assert [(c.method, c.status) for c in ref_calls] == [("POST", 422), ("PATCH", 200)]
    assert repo.read_text("CODEOWNERS", ref="pao/codeowners") == "new\n"
