"""Who last changed a file: one at a time and in a batch."""

from __future__ import annotations

from datetime import datetime

from gitutil import ALICE, BOB, Author, RemoteRepo, git
from pao.forge.git import GitRepo

CAROL = Author("Carol Example", "carol@acme.example")


def test_last_change_names_the_latest_author(remote: RemoteRepo, repo: GitRepo) -> None:
    remote.commit({"requests/postgres/orders.yaml": "v2\n"}, author=BOB, message="Ask")
    remote.commit({"README.md": "later, elsewhere\n"}, author=CAROL)
    head = repo.fetch()

    info = repo.last_change("requests/postgres/orders.yaml", head)

    assert info is not None
    assert (info.author_name, info.author_email) == (BOB.name, BOB.email)
    assert info.message == "Ask"
    assert info.sha == remote.history()[1]
    assert isinstance(info.committed_at, datetime)
    assert info.committed_at.tzinfo is not None


def test_last_change_at_an_older_revision(remote: RemoteRepo, repo: GitRepo) -> None:
    first = repo.head_sha()
    remote.commit({"requests/postgres/orders.yaml": "v2\n"}, author=BOB)
    repo.fetch()

    info = repo.last_change("requests/postgres/orders.yaml", first)

    assert info is not None
    assert info.author_email == ALICE.email
    assert info.sha == first


def test_last_change_of_unknown_path_is_none(repo: GitRepo) -> None:
    assert repo.last_change("requests/none.yaml", repo.head_sha()) is None


def test_multiline_message_is_kept(remote: RemoteRepo, repo: GitRepo) -> None:
    remote.commit({"a": "1"}, message="Subject\n\nBody line one\nline two")

    info = repo.last_change("a", repo.fetch())

    assert info is not None
    assert info.message == "Subject\n\nBody line one\nline two"


def test_last_changes_matches_last_change(remote: RemoteRepo, repo: GitRepo) -> None:
    files = {f"requests/item{n % 3}/req{n}.yaml": f"n: {n}\n" for n in range(12)}
    remote.commit(files, author=ALICE)
    authors = [BOB, CAROL, ALICE]
    for n in range(0, 12, 2):
        path = f"requests/item{n % 3}/req{n}.yaml"
        remote.commit({path: "changed\n"}, author=authors[n % 3])
    head = repo.fetch()
    paths = [*files, "requests/postgres/orders.yaml", "requests/never.yaml"]

    batch = repo.last_changes(paths, head)

    single = {p: repo.last_change(p, head) for p in paths}
    assert batch == {p: info for p, info in single.items() if info is not None}
    assert "requests/never.yaml" not in batch


def test_last_changes_follows_merged_branches(
    remote: RemoteRepo, repo: GitRepo
) -> None:
    base = remote.head()
    git("checkout", "--quiet", "-b", "feature", base, cwd=remote.work)
    (remote.work / "requests").mkdir(exist_ok=True)
    (remote.work / "requests" / "side.yaml").write_text("side\n")
    git("add", "--all", cwd=remote.work)
    git("commit", "--quiet", "-m", "Side", cwd=remote.work, author=CAROL)
    remote.commit({"requests/main.yaml": "main\n"}, author=BOB)
    git("checkout", "--quiet", "main", cwd=remote.work)
    git("merge", "--quiet", "--no-edit", "feature", cwd=remote.work, author=ALICE)
    git("push", "--quiet", "origin", "HEAD:refs/heads/main", cwd=remote.work)
    head = repo.fetch()
    paths = ["requests/side.yaml", "requests/main.yaml"]

    batch = repo.last_changes(paths, head)

    assert batch["requests/side.yaml"].author_email == CAROL.email
    assert batch["requests/main.yaml"].author_email == BOB.email
    assert batch == {p: repo.last_change(p, head) for p in paths}


def test_last_changes_over_many_paths(remote: RemoteRepo, repo: GitRepo) -> None:
    files = {f"requests/item{n % 7}/req{n}.yaml": f"n: {n}\n" for n in range(150)}
    remote.commit(files, author=BOB)
    remote.commit({"requests/item1/req1.yaml": "changed\n"}, author=CAROL)
    head = repo.fetch()

    batch = repo.last_changes(files, head)

    assert len(batch) == 150
    assert batch["requests/item1/req1.yaml"].author_email == CAROL.email
    assert batch["requests/item0/req0.yaml"].author_email == BOB.email


def test_last_changes_of_nothing(repo: GitRepo) -> None:
    assert repo.last_changes([], repo.head_sha()) == {}
