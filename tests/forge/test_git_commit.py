"""Committing status files and pushing them, alone and under contention."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from forge.samples import INITIAL, PAO
from gitutil import BOB, RemoteRepo, git, make_remote
from pao.forge.git import GitRepo, Identity, PathNotAllowed, PushRejected


def _changed(remote: RemoteRepo, sha: str) -> list[str]:
    out = git(
        "diff-tree",
        "-r",
        "--name-only",
        "--no-commit-id",
        f"{sha}^",
        sha,
        cwd=remote.path,
    )
    return sorted(out.splitlines())


def test_commit_pushes_only_the_given_paths(remote: RemoteRepo, repo: GitRepo) -> None:
    before = remote.head()
    files = {
        "status/postgres/orders.yaml": b"phase: running\n",
        "status/postgres/b.yaml": b"x\n",
    }

    sha = repo.commit_files(files, message="Status of orders", author=PAO)

    assert sha == remote.head()
    assert repo.head_sha() == sha
    assert remote.parents(sha) == [before]
    assert _changed(remote, sha) == sorted(files)
    for path, text in INITIAL.items():
        assert remote.read(path) == text.encode()
    assert remote.read("status/postgres/orders.yaml") == b"phase: running\n"
    author = git("log", "-1", "--format=%an <%ae>|%cn|%s", sha, cwd=remote.path)
    assert author == "pao <pao@acme.example>|pao|Status of orders"


def test_unchanged_content_writes_nothing(remote: RemoteRepo, repo: GitRepo) -> None:
    files = {"status/postgres/orders.yaml": b"phase: done\n"}
    first = repo.commit_files(files, message="Status", author=PAO)

    again = repo.commit_files(files, message="Status", author=PAO)

    assert first is not None
    assert again is None
    assert remote.head() == first


def test_deleting_a_status_file(remote: RemoteRepo, repo: GitRepo) -> None:
    repo.commit_files({"status/a.yaml": b"a\n"}, message="Add", author=PAO)

    sha = repo.commit_files({"status/a.yaml": None}, message="Remove", author=PAO)

    assert sha is not None
    assert remote.read("status/a.yaml") is None
    assert _changed(remote, sha) == ["status/a.yaml"]


def test_deleting_an_absent_file_is_a_no_op(repo: GitRepo) -> None:
    assert (
        repo.commit_files({"status/none.yaml": None}, message="x", author=PAO) is None
    )


def test_file_may_replace_a_directory(remote: RemoteRepo, repo: GitRepo) -> None:
    repo.commit_files({"status/x/y.yaml": b"1"}, message="Dir", author=PAO)

    repo.commit_files({"status/x": b"2"}, message="File", author=PAO)

    assert remote.read("status/x") == b"2"
    assert remote.read("status/x/y.yaml") is None


def test_commit_lands_on_top_of_commits_it_has_not_fetched(
    remote: RemoteRepo, repo: GitRepo
) -> None:
    theirs = remote.commit(
        {"requests/postgres/new.yaml": "kind: Request\n"}, author=BOB
    )

    sha = repo.commit_files({"status/s.yaml": b"s\n"}, message="Status", author=PAO)

    assert sha is not None
    assert remote.parents(sha) == [theirs]
    assert remote.read("requests/postgres/new.yaml") == b"kind: Request\n"
    assert _changed(remote, sha) == ["status/s.yaml"]


@pytest.mark.parametrize(
    "path",
    [
        "requests/postgres/orders.yaml",
        "/status/a.yaml",
        "status/../requests/a.yaml",
        "status/./a.yaml",
        "status//a.yaml",
        "status/",
        "status/.git/config",
        "status/a\nb",
        "statusx/a.yaml",
        "",
    ],
)
def test_paths_outside_the_prefix_are_refused(
    remote: RemoteRepo, repo: GitRepo, path: str
) -> None:
    before = remote.head()

    with pytest.raises(PathNotAllowed, match="commit_files: path"):
        repo.commit_files({"status/ok.yaml": b"1", path: b"x"}, message="x", author=PAO)

    assert remote.head() == before


def test_another_prefix_can_be_allowed(remote: RemoteRepo, repo: GitRepo) -> None:
    sha = repo.commit_files(
        {"CODEOWNERS": b"* @acme/platform\n"},
        message="Owners",
        author=PAO,
        allowed_prefix="",
    )

    assert sha is not None
    assert remote.read("CODEOWNERS") == b"* @acme/platform\n"


def test_commit_to_file_url(remote: RemoteRepo, tmp_path: Path) -> None:
    repo = GitRepo.clone_or_open(remote.file_url, workdir=tmp_path / "viaurl")

    sha = repo.commit_files({"status/u.yaml": b"u"}, message="x", author=PAO)

    assert sha == remote.head()


def test_concurrent_commits_from_threads_and_replicas_all_land(
    remote: RemoteRepo, tmp_path: Path
) -> None:
    errors: list[BaseException] = []
    shas: list[str | None] = []

    def write(repo: GitRepo, worker: int) -> None:
        for n in range(5):
            path = f"status/w{worker}/s{n}.yaml"
            try:
                sha = repo.commit_files({path: b"ok\n"}, message=path, author=PAO)
            except BaseException as exc:
                errors.append(exc)
            else:
                shas.append(sha)

    with capture_logs() as logs:
        # Two clones stand for two replicas; each is used by two threads.
        replicas = [
            GitRepo.clone_or_open(remote.url, workdir=tmp_path / f"replica{n}")
            for n in range(2)
        ]
        threads = [
            threading.Thread(target=write, args=(replicas[w % 2], w)) for w in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert errors == []
    assert None not in shas
    history = remote.history()
    assert set(shas) <= set(history)
    # Writes queued while another was pushing share its successor commit.
    assert 1 < len(history) <= 1 + 20
    assert all(len(remote.parents(sha)) == 1 for sha in history[:-1])
    status = [path for path in remote.files() if path.startswith("status/")]
    assert len(status) == 20
    # The replicas raced: some pushes were replayed on a newer head.
    assert any(entry["event"] == "git.push.retry" for entry in logs)


def test_push_gives_up_after_bounded_retries(
    remote: RemoteRepo, repo: GitRepo, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Never learning the new head, every attempt is rejected as stale.
    monkeypatch.setattr(repo, "_fetch", lambda: None)
    monkeypatch.setattr("pao.forge.git._commit.backoff", lambda attempt: 0.0)
    theirs = remote.commit({"other.txt": "x"}, author=BOB)

    with pytest.raises(PushRejected, match="rejected 16 times"):
        repo.commit_files({"status/s.yaml": b"s"}, message="x", author=PAO)

    assert remote.head() == theirs


def test_push_refused_by_a_hook_is_not_retried(
    remote: RemoteRepo, repo: GitRepo, tmp_path: Path
) -> None:
    hook = remote.path / "hooks" / "pre-receive"
    counter = tmp_path / "calls"
    hook.write_text(
        f"#!/bin/sh\necho x >> {counter}\necho 'protected branch' >&2\nexit 1\n"
    )
    hook.chmod(0o755)

    with pytest.raises(PushRejected, match="protected branch"):
        repo.commit_files({"status/s.yaml": b"s"}, message="x", author=PAO)

    assert counter.read_text().count("x") == 1


def test_checked_out_branch_of_a_non_bare_remote(tmp_path: Path) -> None:
    remote = make_remote(tmp_path)
    repo = GitRepo.clone_or_open(remote.work, workdir=tmp_path / "clone")

    with pytest.raises(PushRejected, match=r"bare repository.*updateInstead"):
        repo.commit_files({"status/s.yaml": b"s"}, message="x", author=PAO)


def test_non_bare_remote_that_follows_pushes(tmp_path: Path) -> None:
    remote = make_remote(tmp_path)
    git("config", "receive.denyCurrentBranch", "updateInstead", cwd=remote.work)
    repo = GitRepo.clone_or_open(remote.work, workdir=tmp_path / "clone")

    sha = repo.commit_files({"status/s.yaml": b"s"}, message="x", author=PAO)

    assert sha == git("rev-parse", "HEAD", cwd=remote.work)
    assert (remote.work / "status" / "s.yaml").read_bytes() == b"s"


def test_empty_message_is_refused(repo: GitRepo) -> None:
    with pytest.raises(ValueError, match="message"):
        repo.commit_files({"status/s.yaml": b"s"}, message=" ", author=PAO)


def test_queued_writes_share_commits_but_never_authors(
    remote: RemoteRepo, repo: GitRepo
) -> None:
    other = Identity("reporter", "reporter@acme.example")
    results: dict[str, tuple[Identity, str | None]] = {}
    start = threading.Barrier(8)

    def write(worker: int) -> None:
        author = PAO if worker % 2 else other
        start.wait()
        for n in range(4):
            path = f"status/w{worker}/s{n}.yaml"
            sha = repo.commit_files({path: b"x"}, message=path, author=author)
            results[path] = (author, sha)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == 32
    assert len(remote.history()) < 1 + 32
    for path, (author, sha) in results.items():
        assert sha is not None
        assert remote.read(path, sha) == b"x"
        email = git("log", "-1", "--format=%ae", sha, cwd=remote.path)
        assert email == author.email
