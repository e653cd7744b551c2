"""What the stand-in's git layer returns: people, commits, diffs, tree entries."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = [
    "CommitInfo",
    "FileChange",
    "GitError",
    "MergeConflict",
    "Person",
    "PushRecord",
    "TreeEntry",
]


class GitError(RuntimeError):
    """A git command against a stand-in repository failed."""


class MergeConflict(GitError):
    """Two histories cannot be merged without a conflict."""


@dataclass(frozen=True)
class Person:
    """An author or committer as git records them."""

    name: str
    email: str
    date: str = ""

    def env(self, role: str) -> dict[str, str]:
        env = {f"GIT_{role}_NAME": self.name, f"GIT_{role}_EMAIL": self.email}
        if self.date:
            env[f"GIT_{role}_DATE"] = self.date
        return env


@dataclass(frozen=True)
class CommitInfo:
    sha: str
    tree: str
    parents: tuple[str, ...]
    author: Person
    committer: Person
    message: str


@dataclass(frozen=True)
class FileChange:
    """One file of a diff, with the counts and patch GitHub reports."""

    filename: str
    status: str
    sha: str | None
    additions: int
    deletions: int
    patch: str | None
    previous_filename: str | None = None


@dataclass(frozen=True)
class TreeEntry:
    path: str
    mode: str
    type: str
    sha: str
    size: int | None


@dataclass(frozen=True)
class PushRecord:
    """One ref a push moved; a zero sha on either side means create/delete."""

    ref: str
    before: str
    after: str
    pusher: str
