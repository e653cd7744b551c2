"""Fetching the default branch, and what happens when the remote is gone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gitutil import RemoteRepo
from pao.forge.git import BranchNotFound, GitRepo, GitUnavailable


def test_fetch_returns_the_new_head(remote: RemoteRepo, repo: GitRepo) -> None:
    new = remote.commit({"requests/postgres/new.yaml": "kind: Request\n"})

    assert repo.fetch() == new
    assert repo.head_sha() == new


def test_fetch_without_news_keeps_the_head(remote: RemoteRepo, repo: GitRepo) -> None:
    assert repo.fetch() == remote.head()


def test_fetch_follows_a_force_push(remote: RemoteRepo, repo: GitRepo) -> None:
    first = remote.head()
    remote.commit({"a.txt": "a"})
    repo.fetch()

    rewritten = remote.force_push({"b.txt": "b"}, onto=first)

    assert repo.fetch() == rewritten


def test_unreachable_remote_keeps_the_clone(
    remote: RemoteRepo, repo: GitRepo, tmp_path: Path
) -> None:
    head = repo.head_sha()
    shutil.move(remote.path, tmp_path / "away.git")

    with pytest.raises(GitUnavailable) as caught:
        repo.fetch()

    assert "git fetch in" in str(caught.value)
    assert str(remote.path) in str(caught.value)
    assert repo.head_sha() == head
    assert repo.read("README.md", head) == b"# requests\n"


def test_fetch_recovers_once_the_remote_is_back(
    remote: RemoteRepo, repo: GitRepo, tmp_path: Path
) -> None:
    away = shutil.move(remote.path, tmp_path / "away.git")
    with pytest.raises(GitUnavailable):
        repo.fetch()
    shutil.move(away, remote.path)

    new = remote.commit({"x": "1"})

    assert repo.fetch() == new


def test_deleted_branch_is_reported(remote: RemoteRepo, tmp_path: Path) -> None:
    remote.create_branch("release")
    repo = GitRepo.clone_or_open(remote.url, workdir=tmp_path / "c", branch="release")
    remote.delete_branch("release")

    with pytest.raises(BranchNotFound, match="release"):
        repo.fetch()

    assert repo.head_sha() == remote.head()


def test_slow_remote_is_cut_off(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, remote: RemoteRepo
) -> None:
    # An "ssh" transport that never answers stands in for a hung server.
    monkeypatch.setenv("GIT_SSH_COMMAND", "sleep 30 #")

    with pytest.raises(GitUnavailable, match="did not complete"):
        GitRepo.clone_or_open(
            "ssh://git@127.0.0.1/acme/requests.git",
            workdir=tmp_path / "clone",
            timeout=0.5,
        )


def test_damaged_clone_is_repaired_by_fetch(remote: RemoteRepo, repo: GitRepo) -> None:
    new = remote.commit({"x": "1"})
    (repo.workdir / "HEAD").write_text("garbage\n")

    assert repo.fetch() == new
    assert repo.read("x", new) == b"1"


def test_fetch_ref_reads_other_refs(remote: RemoteRepo, repo: GitRepo) -> None:
    main = remote.head()
    side = remote.commit({"pr.txt": "proposal"})
    remote.create_branch("pull/7/head", side)
    remote.force_push({}, onto=main)  # main no longer has the commit

    assert repo.fetch_ref("refs/heads/pull/7/head") == side
    assert repo.read("pr.txt", side) == b"proposal"


def test_fetch_ref_refuses_options(repo: GitRepo) -> None:
    with pytest.raises(ValueError, match="ref or sha"):
        repo.fetch_ref("--upload-pack=evil")
