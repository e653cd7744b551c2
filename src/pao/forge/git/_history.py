"""Parsers for the machine-readable output of git's tree and log commands."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from datetime import datetime

from pao.forge.git.models import Change, ChangeKind, CommitInfo

__all__ = [
    "COMMIT_FORMAT",
    "WALK_FORMAT",
    "decode_path",
    "is_utf8",
    "parse_commit",
    "parse_entries",
    "parse_name_status",
    "parse_names",
    "parse_tree",
    "pathspecs",
    "walk_names",
]

# Fields are split by US (0x1f), which cannot occur in names, e-mail
# addresses or dates and never does in a commit message in practice.
COMMIT_FORMAT = "%H%x1f%an%x1f%ae%x1f%cI%x1f%B"
# In a --name-only walk each commit starts with RS (0x1e).
WALK_FORMAT = f"%x1e{COMMIT_FORMAT}"

_STATUS_KINDS = {
    "A": ChangeKind.ADDED,
    "D": ChangeKind.DELETED,
    "M": ChangeKind.MODIFIED,
    # A file that became a symlink (or back) is still the same path.
    "T": ChangeKind.MODIFIED,
}


def decode_path(raw: bytes) -> str:
    # Git paths are bytes; surrogateescape keeps non-UTF-8 names round-trip
    # safe when they are handed back to git as arguments.
    return raw.decode("utf-8", "surrogateescape")


def parse_names(out: bytes) -> list[str]:
    """Paths from ``-z --name-only`` output."""
    return [decode_path(raw) for raw in out.split(b"\0") if raw]


def parse_tree(out: bytes) -> dict[str, tuple[str, str, str]]:
    """Mode, object type and id by path, from ``ls-tree -z`` output."""
    entries = {}
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _tab, raw_path = record.partition(b"\t")
        mode, kind, sha = meta.decode("ascii").split(" ")
        entries[decode_path(raw_path)] = (mode, kind, sha)
    return entries


def parse_entries(out: bytes) -> dict[str, str]:
    """Blob ids by path, from ``ls-tree -z`` output."""
    return {
        path: sha
        for path, (_mode, kind, sha) in parse_tree(out).items()
        if kind == "blob"
    }


def parse_name_status(out: bytes) -> list[Change]:
    """Changes from ``diff-tree -r -z --name-status --no-renames`` output."""
    tokens = [token for token in out.split(b"\0") if token]
    changes = []
    for status, raw_path in zip(tokens[::2], tokens[1::2], strict=True):
        kind = _STATUS_KINDS.get(status.decode("ascii")[:1], ChangeKind.MODIFIED)
        changes.append(Change(decode_path(raw_path), kind))
    return changes


def parse_commit(text: str) -> CommitInfo:
    """A commit from one record printed with :data:`COMMIT_FORMAT`."""
    sha, name, email, date, message = text.split("\x1f", 4)
    return CommitInfo(
        sha=sha,
        author_name=name,
        author_email=email,
        committed_at=datetime.fromisoformat(date),
        message=message.rstrip("\n"),
    )


def walk_names(chunks: Iterable[bytes]) -> Iterator[tuple[CommitInfo, list[str]]]:
    """Commits and the paths each touched, from a ``log -z --name-only``
    walk printed with :data:`WALK_FORMAT`.

    The stream reads ``RS header NUL`` then, unless the commit touched no
    path (a merge), ``LF path NUL path NUL …``.
    """
    commit: CommitInfo | None = None
    names: list[str] = []
    pending = b""
    for chunk in chunks:
        *tokens, pending = (pending + chunk).split(b"\0")
        for token in tokens:
            if token.startswith(b"\x1e"):
                if commit is not None:
                    yield commit, names
                commit = parse_commit(token[1:].decode("utf-8", "replace"))
                names = []
            elif token:
                raw = token[1:] if not names and token.startswith(b"\n") else token
                names.append(decode_path(raw))
    if commit is not None:
        yield commit, names


def is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def pathspecs(paths: Collection[str], *, limit: int) -> list[str]:
    """*paths* as pathspecs, or their top-level directories if too many."""
    if len(paths) <= limit:
        return sorted(paths)
    return sorted({path.split("/", 1)[0] for path in paths})
