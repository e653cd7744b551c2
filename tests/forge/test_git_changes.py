"""Which files changed between an indexed revision and a new head."""

from __future__ import annotations

from pathlib import Path

import pytest

from forge.samples import INITIAL
from gitutil import RemoteRepo
from pao.forge.git import Change, ChangeKind, GitRepo

ADDED, MODIFIED, DELETED = ChangeKind.ADDED, ChangeKind.MODIFIED, ChangeKind.DELETED


def _kinds(changes: object) -> set[tuple[str, ChangeKind]]:
    return {(c.path, c.kind) for c in changes}  # type: ignore[attr-defined]


def test_changes_across_commits(remote: RemoteRepo, repo: GitRepo) -> None:
    old = repo.head_sha()
    remote.commit({"requests/postgres/new.yaml": "kind: Request\n"})
    remote.commit({"requests/postgres/orders.yaml": "kind: Request\nteam: ops\n"})
    remote.commit({"requests/postgres/billing.yaml": None})
    new = repo.fetch()

    changes = repo.changes(old, new)

    assert not changes.full
    assert (changes.base, changes.head) == (old, new)
    assert _kinds(changes) == {
        ("requests/postgres/new.yaml", ADDED),
        ("requests/postgres/orders.yaml", MODIFIED),
        ("requests/postgres/billing.yaml", DELETED),
    }


def test_a_file_changed_and_reverted_is_no_change(
    remote: RemoteRepo, repo: GitRepo
) -> None:
    old = repo.head_sha()
    remote.commit({"catalog/postgres.yaml": "changed\n"})
    remote.commit({"catalog/postgres.yaml": INITIAL["catalog/postgres.yaml"]})

    assert len(repo.changes(old, repo.fetch())) == 0


def test_prefix_limits_the_changes(remote: RemoteRepo, repo: GitRepo) -> None:
    old = repo.head_sha()
    remote.commit({"catalog/redis.yaml": "kind: CatalogItem\n", "README.md": "new\n"})

    changes = repo.changes(old, repo.fetch(), prefix="catalog/")

    assert changes.changes == (Change("catalog/redis.yaml", ADDED),)


def test_rename_is_a_delete_and_an_add(remote: RemoteRepo, repo: GitRepo) -> None:
    old = repo.head_sha()
    remote.rename("requests/postgres/orders.yaml", "requests/postgres/shop.yaml")

    changes = repo.changes(old, repo.fetch())

    assert _kinds(changes) == {
        ("requests/postgres/orders.yaml", DELETED),
        ("requests/postgres/shop.yaml", ADDED),
    }
    assert changes.paths(ADDED) == ["requests/postgres/shop.yaml"]


def test_no_indexed_revision_lists_everything(repo: GitRepo) -> None:
    changes = repo.changes(None, repo.head_sha(), prefix="requests/")

    assert changes.full
    assert _kinds(changes) == {
        ("requests/postgres/billing.yaml", ADDED),
        ("requests/postgres/orders.yaml", ADDED),
    }


def test_force_push_onto_older_commit_is_diffed(
    remote: RemoteRepo, repo: GitRepo
) -> None:
    base = remote.head()
    remote.commit({"a.txt": "a"})
    indexed = repo.fetch()

    new = remote.force_push({"b.txt": "b"}, onto=base)
    changes = repo.changes(indexed, repo.fetch())

    # The old head is still in the clone, so the trees compare exactly.
    assert not changes.full
    assert _kinds(changes) == {("a.txt", DELETED), ("b.txt", ADDED)}
    assert changes.head == new


def test_force_push_with_pruned_history_lists_everything(
    remote: RemoteRepo, repo: GitRepo, tmp_path: Path
) -> None:
    remote.commit({"a.txt": "a"})
    indexed = repo.fetch()
    remote.force_push({"b.txt": "b"}, onto=remote.history()[1])
    remote.prune()
    # A fresh clone (a new replica, a lost data dir) never saw the old head.
    fresh = GitRepo.clone_or_open(remote.url, workdir=tmp_path / "fresh")

    changes = fresh.changes(indexed, fresh.head_sha())

    assert changes.full
    assert "b.txt" in changes.paths(ADDED)
    assert "a.txt" not in changes.paths()


def test_unrelated_history_lists_everything(remote: RemoteRepo, repo: GitRepo) -> None:
    indexed = repo.head_sha()
    remote.force_push({"only.txt": "new root"}, onto=None)

    changes = repo.changes(indexed, repo.fetch())

    assert changes.full
    assert changes.changes == (Change("only.txt", ADDED),)


def test_unknown_sha_lists_everything(repo: GitRepo) -> None:
    changes = repo.changes("0123456789abcdef0123456789abcdef01234567", repo.head_sha())

    assert changes.full
    assert len(changes) == len(INITIAL)


@pytest.mark.parametrize("bad", ["HEAD", "--all", "main~1", ""])
def test_changes_takes_only_shas(repo: GitRepo, bad: str) -> None:
    with pytest.raises(ValueError, match="commit sha"):
        repo.changes(bad, repo.head_sha())
    with pytest.raises(ValueError, match="commit sha"):
        repo.changes(None, bad)
