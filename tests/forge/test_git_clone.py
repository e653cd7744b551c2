"""Cloning, reopening and repairing the local clone."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gitutil import RemoteRepo, git, make_remote
from pao.forge.git import BranchNotFound, GitError, GitRepo, GitUnavailable


def test_clone_from_path_tracks_the_default_branch(
    remote: RemoteRepo, tmp_path: Path
) -> None:
    repo = GitRepo.clone_or_open(remote.url, workdir=tmp_path / "clone")

    assert repo.default_branch == "main"
    assert repo.head_sha() == remote.head()
    assert repo.url == str(remote.path)


def test_clone_from_file_url(remote: RemoteRepo, tmp_path: Path) -> None:
    repo = GitRepo.clone_or_open(remote.file_url, workdir=tmp_path / "clone")

    assert repo.head_sha() == remote.head()
    assert repo.url == remote.file_url


def test_relative_path_is_resolved(
    remote: RemoteRepo, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(remote.path.parent)

    repo = GitRepo.clone_or_open(remote.path.name, workdir=tmp_path / "clone")

    assert repo.url == str(remote.path)


def test_default_branch_follows_the_remote_head(tmp_path: Path) -> None:
    remote = make_remote(tmp_path, branch="trunk")

    repo = GitRepo.clone_or_open(remote.url, workdir=tmp_path / "clone")

    assert repo.default_branch == "trunk"


@pytest.mark.parametrize(
    ("present", "expected"), [("main", "main"), ("master", "master")]
)
def test_default_branch_falls_back_to_main_or_master(
    tmp_path: Path, present: str, expected: str
) -> None:
    remote = make_remote(tmp_path, branch=present)
    remote.create_branch("feature")
    remote.set_default_branch("gone")  # HEAD names a branch that does not exist

    repo = GitRepo.clone_or_open(remote.url, workdir=tmp_path / "clone")

    assert repo.default_branch == expected


def test_remote_without_usable_branch_is_reported(tmp_path: Path) -> None:
    remote = make_remote(tmp_path, branch="one")
    remote.create_branch("two")
    remote.set_default_branch("gone")

    with pytest.raises(BranchNotFound, match="configure the branch"):
        GitRepo.clone_or_open(remote.url, workdir=tmp_path / "clone")


def test_explicit_branch_is_used(remote: RemoteRepo, tmp_path: Path) -> None:
    remote.create_branch("release")
    remote.commit({"README.md": "main moved on\n"})

    repo = GitRepo.clone_or_open(remote.url, workdir=tmp_path / "c", branch="release")

    assert repo.default_branch == "release"
    assert repo.head_sha() == remote.head("release")


def test_missing_explicit_branch_raises(remote: RemoteRepo, tmp_path: Path) -> None:
    with pytest.raises(BranchNotFound, match="nope"):
        GitRepo.clone_or_open(remote.url, workdir=tmp_path / "c", branch="nope")

    assert not (tmp_path / "c").exists()


def test_invalid_branch_name_is_refused(remote: RemoteRepo, tmp_path: Path) -> None:
    with pytest.raises(GitError, match="not a valid git branch name"):
        GitRepo.clone_or_open(remote.url, workdir=tmp_path / "c", branch="a..b")


def test_reopen_needs_no_remote(remote: RemoteRepo, tmp_path: Path) -> None:
    first = GitRepo.clone_or_open(remote.url, workdir=tmp_path / "clone")
    shutil.move(remote.path, tmp_path / "elsewhere.git")

    again = GitRepo.clone_or_open(remote.url, workdir=tmp_path / "clone")

    assert again.head_sha() == first.head_sha()
    assert again.read("README.md", again.head_sha()) == b"# requests\n"


def test_unreachable_remote_on_first_clone(tmp_path: Path) -> None:
    missing = tmp_path / "missing.git"

    with pytest.raises(GitUnavailable, match="does not appear to be a git repository"):
        GitRepo.clone_or_open(missing, workdir=tmp_path / "clone")

    assert list(tmp_path.iterdir()) == []


def _garble_head(workdir: Path) -> None:
    (workdir / "HEAD").write_text("garbage\n")


def _delete_config(workdir: Path) -> None:
    (workdir / "config").unlink()


def _delete_objects(workdir: Path) -> None:
    shutil.rmtree(workdir / "objects")
    (workdir / "objects").mkdir()


def _empty_tracking_head(workdir: Path) -> None:
    (workdir / "refs" / "remotes" / "origin" / "HEAD").write_text("")


def _wipe(workdir: Path) -> None:
    shutil.rmtree(workdir)
    workdir.mkdir()


@pytest.mark.parametrize(
    "damage",
    [_garble_head, _delete_config, _delete_objects, _empty_tracking_head, _wipe],
)
def test_damaged_clone_is_cloned_again(
    remote: RemoteRepo, tmp_path: Path, damage: object
) -> None:
    workdir = tmp_path / "clone"
    GitRepo.clone_or_open(remote.url, workdir=workdir)
    damage(workdir)  # type: ignore[operator]

    repo = GitRepo.clone_or_open(remote.url, workdir=workdir)

    assert repo.head_sha() == remote.head()
    assert repo.read("README.md", remote.head()) == b"# requests\n"


def test_clone_of_another_remote_is_replaced(tmp_path: Path) -> None:
    one = make_remote(tmp_path, {"a": "1"}, name="one")
    two = make_remote(tmp_path, {"b": "2"}, name="two")
    GitRepo.clone_or_open(one.url, workdir=tmp_path / "clone")

    repo = GitRepo.clone_or_open(two.url, workdir=tmp_path / "clone")

    assert repo.list_files("", repo.head_sha()) == ["b"]


def test_foreign_directory_is_never_deleted(remote: RemoteRepo, tmp_path: Path) -> None:
    workdir = tmp_path / "precious"
    workdir.mkdir()
    (workdir / "notes.txt").write_text("keep me")

    with pytest.raises(GitError, match="refusing to replace"):
        GitRepo.clone_or_open(remote.url, workdir=workdir)

    assert (workdir / "notes.txt").read_text() == "keep me"


def test_clone_is_bare_and_untouched_by_commits(
    remote: RemoteRepo, repo: GitRepo
) -> None:
    assert git("rev-parse", "--is-bare-repository", cwd=repo.workdir) == "true"
    assert repr(repo) == f"GitRepo({remote.url!r}, branch='main')"
