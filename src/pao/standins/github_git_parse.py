"""Parsers for the output of the git commands the GitHub stand-in runs."""

from __future__ import annotations

import re

from pao.standins.github_git_models import CommitInfo, Person, TreeEntry

__all__ = [
    "LOG_FORMAT",
    "parse_log",
    "parse_numstat",
    "parse_raw",
    "parse_tree",
    "split_patches",
]

_FILE_HEADER = re.compile(r"^diff --git ", re.MULTILINE)
_STATUS = {"A": "added", "D": "removed", "M": "modified", "R": "renamed"}
_STATUS |= {"C": "copied", "T": "changed"}


LOG_FORMAT = "%H%x00%T%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B%x01"


def parse_log(out: str) -> list[CommitInfo]:
    commits = []
    for record in out.split("\x01"):
        fields = record.lstrip("\n").split("\x00")
        if len(fields) < 10:
            continue
        sha, tree, parents, an, ae, ad, cn, ce, cd, message = fields[:10]
        commits.append(
            CommitInfo(
                sha=sha,
                tree=tree,
                parents=tuple(parents.split()),
                author=Person(an, ae, ad),
                committer=Person(cn, ce, cd),
                message=message.rstrip("\n"),
            )
        )
    return commits


def parse_tree(out: str) -> list[TreeEntry]:
    entries = []
    for record in filter(None, out.split("\x00")):
        meta, path = record.split("\t", 1)
        mode, kind, sha, size = meta.split()
        entries.append(
            TreeEntry(path, mode, kind, sha, None if size == "-" else int(size))
        )
    return entries


def parse_raw(out: str) -> list[tuple[str, str, str | None, str]]:
    """``(status, path, old path, new blob sha)`` from ``diff --raw -z``."""
    fields = out.split("\x00")
    parsed = []
    index = 0
    while index < len(fields) and fields[index].startswith(":"):
        meta = fields[index][1:].split()
        letter = meta[4][0]
        if letter in "RC":
            old, path = fields[index + 1], fields[index + 2]
            index += 3
        else:
            old, path = None, fields[index + 1]
            index += 2
        parsed.append((_STATUS.get(letter, "modified"), path, old, meta[3]))
    return parsed


def parse_numstat(out: str) -> list[tuple[int, int]]:
    fields = out.split("\x00")
    counts = []
    index = 0
    while index < len(fields) and fields[index]:
        added, deleted, path = fields[index].split("\t", 2)
        # A rename leaves the path empty and lists old and new after it.
        index += 1 if path else 3
        counts.append(
            (0 if added == "-" else int(added), 0 if deleted == "-" else int(deleted))
        )
    return counts


def split_patches(out: str) -> list[str | None]:
    """The hunks of each file of a unified diff, as GitHub's ``patch``."""
    patches: list[str | None] = []
    for chunk in _FILE_HEADER.split(out)[1:]:
        start = chunk.find("\n@@")
        patches.append(chunk[start + 1 :].rstrip("\n") if start >= 0 else None)
    return patches
