"""Building a commit with plumbing only, and reading a push's verdict.

A commit is made without a working tree: the blobs are hashed into the clone,
a throw-away index file is loaded with the head's tree, updated for the
given paths only, and written back as a tree for ``commit-tree``. Nothing
outside those paths can change, so replaying the same files on a newer head
after a rejected push never conflicts with anyone else's work.
"""

from __future__ import annotations

import enum
import posixpath
import tempfile
from collections.abc import Mapping
from pathlib import Path

from pao.forge.git._command import GitCommand
from pao.forge.git.errors import PathNotAllowed
from pao.forge.git.models import Identity

__all__ = [
    "PushVerdict",
    "build_commit",
    "check_paths",
    "hash_blobs",
    "judge_push",
]

FILE_MODE = "100644"


def _path_problem(path: str, allowed_prefix: str) -> str | None:
    if not path or "\0" in path or "\n" in path:
        return "is empty or holds a NUL or newline"
    if path.startswith("/") or posixpath.normpath(path) != path:
        return "is not a normalised relative path"
    if any(part.lower() == ".git" for part in path.split("/")):
        return "names a .git directory"
    if not path.startswith(allowed_prefix) or path == allowed_prefix:
        return f"is outside {allowed_prefix!r}"
    return None


def check_paths(paths: Mapping[str, object], allowed_prefix: str) -> None:
    """Raise :class:`PathNotAllowed` unless every path may be written."""
    for path in paths:
        problem = _path_problem(path, allowed_prefix)
        if problem is not None:
            message = f"commit_files: path {path!r} {problem}"
            raise PathNotAllowed(message)


def hash_blobs(cmd: GitCommand, files: Mapping[str, bytes]) -> dict[str, str]:
    """Store *files* as blobs in the clone; return their object ids."""
    if not files:
        return {}
    with tempfile.TemporaryDirectory(dir=cmd.git_dir, prefix="pao-blobs-") as tmp:
        sources = []
        for number, data in enumerate(files.values()):
            source = Path(tmp, str(number))
            source.write_bytes(data)
            sources.append(str(source))
        # --no-filters: bytes go in as given, whatever autocrlf or
        # attributes the host's git config may set.
        out = cmd.text("hash-object", "-w", "--no-filters", "--", *sources)
    return dict(zip(files, out.split("\n"), strict=True))


def build_commit(
    cmd: GitCommand,
    *,
    head: str,
    blobs: Mapping[str, str],
    deletions: list[str],
    message: str,
    author: Identity,
) -> str | None:
    """Commit *blobs* and *deletions* on top of *head*; ``None`` if that
    changes nothing."""
    index = {"GIT_INDEX_FILE": str(cmd.git_dir / "pao-commit.index")}
    cmd.run("read-tree", head, env=index)

    # One NUL-terminated "mode sha<TAB>path" record per path; mode 0 removes.
    records = [f"{FILE_MODE} {sha}\t{path}" for path, sha in blobs.items()]
    records += [f"0 {'0' * len(head)}\t{path}" for path in deletions]
    stdin = "".join(f"{record}\0" for record in records)
    cmd.run(
        "update-index",
        "-z",
        "--index-info",
        env=index,
        stdin=stdin.encode("utf-8", "surrogateescape"),
    )

    tree = cmd.text("write-tree", env=index)
    if tree == cmd.text("rev-parse", f"{head}^{{tree}}"):
        return None
    return cmd.text("commit-tree", tree, "-p", head, "-m", message, env=_as(author))


def _as(author: Identity) -> dict[str, str]:
    return {
        "GIT_AUTHOR_NAME": author.name,
        "GIT_AUTHOR_EMAIL": author.email,
        "GIT_COMMITTER_NAME": author.name,
        "GIT_COMMITTER_EMAIL": author.email,
    }


class PushVerdict(enum.Enum):
    """How to go on after a push that did not succeed."""

    RETRY = "retry"  # someone pushed first: replay on the new head
    CHECKED_OUT = "checked-out"  # a non-bare remote has the branch checked out
    REFUSED = "refused"  # a hook or branch protection said no
    FAILED = "failed"  # no verdict from the remote: network, auth, timeout


# A ref the remote could not lock was being moved by a concurrent push.
_LOCK_RACE = ("lock", "failed to update ref", "incorrect old value", "but expected")


def judge_push(output: str) -> PushVerdict:
    """Classify the ``--porcelain`` output and stderr of a failed push."""
    lowered = output.lower()
    if "refusing to update checked out branch" in lowered or (
        "branch is currently checked out" in lowered
    ):
        return PushVerdict.CHECKED_OUT
    if "[rejected]" in lowered:
        return PushVerdict.RETRY
    if "[remote rejected]" in lowered:
        if any(hint in lowered for hint in _LOCK_RACE):
            return PushVerdict.RETRY
        return PushVerdict.REFUSED
    return PushVerdict.FAILED
