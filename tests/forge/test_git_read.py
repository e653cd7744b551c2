"""Reading files and listings at a revision."""

from __future__ import annotations

import pytest

from forge.samples import INITIAL
from gitutil import RemoteRepo
from pao.forge.git import GitError, GitRepo


def test_read_returns_the_content_at_that_revision(
    remote: RemoteRepo, repo: GitRepo
) -> None:
    old = repo.head_sha()
    remote.commit({"catalog/postgres.yaml": "kind: Changed\n"})
    new = repo.fetch()

    assert repo.read("catalog/postgres.yaml", old) == b"kind: CatalogItem\n"
    assert repo.read("catalog/postgres.yaml", new) == b"kind: Changed\n"


@pytest.mark.parametrize("path", ["nope.yaml", "catalog", "catalog/"])
def test_read_of_no_file_is_none(repo: GitRepo, path: str) -> None:
    assert repo.read(path, repo.head_sha()) is None


def test_read_at_unknown_revision_raises(repo: GitRepo) -> None:
    with pytest.raises(GitError, match="cat-file"):
        repo.read("README.md", "0123456789abcdef0123456789abcdef01234567")


def test_read_keeps_bytes_exact(remote: RemoteRepo, repo: GitRepo) -> None:
    data = b"line\r\n\x00\xff binary\n\n"
    remote.commit({"blob.bin": data, "café/ünï.yaml": "x: 1\n"})
    head = repo.fetch()

    assert repo.read("blob.bin", head) == data
    assert repo.read("café/ünï.yaml", head) == b"x: 1\n"
    assert "café/ünï.yaml" in repo.list_files("", head)


def test_read_many(repo: GitRepo) -> None:
    head = repo.head_sha()
    paths = [*INITIAL, "missing.yaml", "catalog"]

    found = repo.read_many(paths, head)

    assert found == {path: text.encode() for path, text in INITIAL.items()}


def test_read_many_at_unknown_revision_raises(repo: GitRepo) -> None:
    with pytest.raises(GitError, match="not in the clone"):
        repo.read_many(["README.md"], "0123456789abcdef0123456789abcdef01234567")


def test_list_files_under_a_prefix(repo: GitRepo) -> None:
    head = repo.head_sha()

    assert repo.list_files("requests/", head) == [
        "requests/postgres/billing.yaml",
        "requests/postgres/orders.yaml",
    ]
    assert sorted(repo.list_files("", head)) == sorted(INITIAL)
    assert repo.list_files("status/", head) == []


def test_blob_ids(remote: RemoteRepo, repo: GitRepo) -> None:
    head = repo.head_sha()
    blobs = repo.list_blobs("catalog/", head)

    expected = remote.work and _git_blob(remote, "catalog/postgres.yaml")
    assert blobs == {"catalog/postgres.yaml": expected}
    assert repo.blob_sha("catalog/postgres.yaml", head) == expected
    assert repo.blob_sha("catalog", head) is None
    assert repo.blob_sha("missing", head) is None


def test_has_commit(repo: GitRepo) -> None:
    assert repo.has_commit(repo.head_sha())
    assert not repo.has_commit("0123456789abcdef0123456789abcdef01234567")


def _git_blob(remote: RemoteRepo, path: str) -> str:
    from gitutil import git

    return git("rev-parse", f"{remote.head()}:{path}", cwd=remote.path)
