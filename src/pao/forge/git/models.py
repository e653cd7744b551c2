"""Values the git layer hands to its callers."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

__all__ = ["Change", "ChangeKind", "Changes", "CommitInfo", "Identity"]


@dataclass(frozen=True, slots=True)
class Identity:
    """A commit author or committer."""

    name: str
    email: str

    def __post_init__(self) -> None:
        # Both end up in a commit header line between "<" and ">".
        for value in (self.name, self.email):
            if not value or any(char in value for char in "<>\n\0"):
                message = f"Identity: expected a name and e-mail, got {value!r}"
                raise ValueError(message)

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


@dataclass(frozen=True, slots=True)
class CommitInfo:
    """Who made a commit, when, and why."""

    sha: str
    author_name: str
    author_email: str
    committed_at: datetime
    message: str

    @property
    def author(self) -> Identity:
        return Identity(self.author_name, self.author_email)


class ChangeKind(StrEnum):
    ADDED = "added"
    MODIFIED = "modified"
    DELETED = "deleted"


@dataclass(frozen=True, slots=True)
class Change:
    """One file that differs between two revisions."""

    path: str
    kind: ChangeKind


@dataclass(frozen=True, slots=True)
class Changes:
    """The files that differ between an indexed revision and a new head.

    With ``full`` set the old revision could not be compared (none given,
    unknown after a force push and garbage collection, or from an unrelated
    history): ``changes`` then lists every file of ``head`` as added, and the
    caller should re-index all of them and drop whatever it has beyond them.
    """

    base: str | None
    head: str
    full: bool
    changes: tuple[Change, ...] = field(default=())

    def paths(self, kind: ChangeKind | None = None) -> list[str]:
        """The changed paths, optionally only those of one *kind*."""
        return [c.path for c in self.changes if kind is None or c.kind is kind]

    def __iter__(self) -> Iterator[Change]:
        return iter(self.changes)

    def __len__(self) -> int:
        return len(self.changes)
