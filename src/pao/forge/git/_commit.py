"""Building a status commit with plumbing only, and reading a push's verdict.

No working tree and no index are involved. The files' blob ids are computed
here and compared with the head's (one ``ls-tree``) to skip commits that
would change nothing; otherwise one ``git fast-import`` run writes the
blobs, the touched trees and the commit on top of the head. Only the given
paths change, so replaying the same files on a newer head after a rejected
push never conflicts with anyone else's work.
"""

from __future__ import annotations

import enum
import hashlib
import posixpath
import random
from collections.abc import Collection, Mapping

from pao.forge.git import _history
from pao.forge.git._command import GitCommand
from pao.forge.git.errors import PathNotAllowed
from pao.forge.git.models import Identity

__all__ = [
    "PushVerdict",
    "backoff",
    "check_paths",
    "checked_out_message",
    "current_entries",
    "is_unchanged",
    "judge_push",
    "make_commit",
]

FILE_MODE = "100644"
# Backoff between push attempts: jittered, doubling from 20 ms up to 0.5 s.
_BACKOFF_FIRST = 0.02
_BACKOFF_CAP = 0.5
# fast-import needs a branch to build on; it is moved with --force on every
# commit and only keeps the latest commit alive until the push lands.
SCRATCH_REF = "refs/pao/commit"


def _path_problem(path: str, allowed_prefix: str) -> str | None:
    if not path or any(char in path for char in "\0\n\r") or path[0] == '"':
        return "is empty, starts with a quote or holds a NUL or line break"
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


def _blob_id(data: bytes, *, hex_length: int) -> str:
    # Git's object id: the hash of "blob <size>\0" and the content, with the
    # repository's hash function (told apart by the length of its ids).
    digest = hashlib.sha1 if hex_length == 40 else hashlib.sha256
    return digest(b"blob %d\0" % len(data) + data).hexdigest()


def current_entries(
    cmd: GitCommand, *, head: str, paths: Collection[str]
) -> dict[str, tuple[str, str, str]]:
    """Mode, type and id at *head* of those of *paths* that exist there."""
    return _history.parse_tree(cmd.run("ls-tree", "-z", head, "--", *paths))


def is_unchanged(
    files: Mapping[str, bytes | None],
    current: Mapping[str, tuple[str, str, str]],
    *,
    hex_length: int,
) -> bool:
    """Whether the *current* entries already are *files* (``None``: absent)."""
    for path, data in files.items():
        entry = current.get(path)
        if data is None:
            if entry is not None:
                return False
        elif entry != (FILE_MODE, "blob", _blob_id(data, hex_length=hex_length)):
            return False
    return True


def _import_stream(
    *,
    head: str,
    files: Mapping[str, bytes | None],
    message: str,
    author: Identity,
) -> bytes:
    # https://git-scm.com/docs/git-fast-import: one commit on top of head,
    # then "get-mark" prints its id on standard output.
    text = message.encode()
    parts = [
        b"feature done\n",
        f"commit {SCRATCH_REF}\nmark :1\n".encode(),
        f"author {author} now\ncommitter {author} now\n".encode(),
        b"data %d\n%s\n" % (len(text), text),
        f"from {head}\n".encode(),
    ]
    for path, data in files.items():
        raw_path = path.encode("utf-8", "surrogateescape")
        if data is None:
            parts.append(b"D %s\n" % raw_path)
        else:
            parts.append(b"M %s inline %s\n" % (FILE_MODE.encode(), raw_path))
            parts.append(b"data %d\n%s\n" % (len(data), data))
    parts.append(b"\nget-mark :1\ndone\n")
    return b"".join(parts)


def make_commit(
    cmd: GitCommand,
    *,
    head: str,
    files: Mapping[str, bytes | None],
    message: str,
    author: Identity,
) -> str:
    """Write *files* (``None`` deletes) as a commit on *head*; return it."""
    stream = _import_stream(head=head, files=files, message=message, author=author)
    out = cmd.run(
        "fast-import", "--quiet", "--force", "--date-format=now", stdin=stream
    )
    return out.decode("ascii").strip()


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


def backoff(attempt: int) -> float:
    # A rejection means someone has just pushed, so the next window is open
    # right now: retry at once. Only repeated losses (several writers) back
    # off, with full jitter to spread them apart.
    if attempt <= 1:
        return 0.0
    ceiling = min(_BACKOFF_CAP, _BACKOFF_FIRST * 2 ** (attempt - 2))
    return random.uniform(0, ceiling)  # noqa: S311 — jitter, not crypto


def checked_out_message(url: str, branch: str) -> str:
    return (
        f"{url} has branch {branch!r} checked out, so git refuses pushes to "
        "it. Point pao at a bare repository (git clone --bare), or let the "
        "checkout follow pushes with: git -C <repo> config "
        "receive.denyCurrentBranch updateInstead"
    )
