"""Values the GitHub client hands to its callers, parsed from GitHub's JSON.

Only the fields pao acts on are kept; each ``from_api`` reads one object
of GitHub's REST answer.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, Self

from pao.core.diagnostics import Diagnostic, Severity

__all__ = [
    "Annotation",
    "CheckOutput",
    "CheckRun",
    "Comment",
    "FileContent",
    "FileStatus",
    "PullFile",
    "PullRequest",
    "RepoName",
    "Review",
    "ReviewState",
]

_NAME_PART = re.compile(r"^[A-Za-z0-9_.-]+$")

AnnotationLevel = Literal["notice", "warning", "failure"]


@dataclass(frozen=True, slots=True)
class RepoName:
    """``owner/name`` of a repository."""

    owner: str
    name: str

    def __post_init__(self) -> None:
        for part in (self.owner, self.name):
            if not _NAME_PART.match(part) or part in {".", ".."}:
                message = f"RepoName: expected owner/name, got {self.owner}/{self.name}"
                raise ValueError(message)

    @classmethod
    def parse(cls, full_name: str) -> Self:
        owner, slash, name = full_name.strip().removesuffix(".git").partition("/")
        if not slash:
            message = f"expected a repository as owner/name, got {full_name!r}"
            raise ValueError(message)
        return cls(owner, name)

    @property
    def path(self) -> str:
        """The API path of the repository."""
        return f"/repos/{self.owner}/{self.name}"

    def __str__(self) -> str:
        return f"{self.owner}/{self.name}"


def _login(user: Any) -> str:
    return str(user.get("login", "")) if isinstance(user, Mapping) else ""


def _is_bot(user: Any) -> bool:
    return isinstance(user, Mapping) and user.get("type") == "Bot"


@dataclass(frozen=True, slots=True)
class PullRequest:
    """A pull request as the reconciler needs it."""

    number: int
    state: str
    title: str
    author: str
    author_is_bot: bool
    draft: bool
    merged: bool
    merge_commit_sha: str | None
    head_sha: str
    head_ref: str
    head_repo: str | None
    base_ref: str
    base_sha: str
    html_url: str

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        head, base = data["head"], data["base"]
        head_repo = head.get("repo")
        return cls(
            number=int(data["number"]),
            state=str(data["state"]),
            title=str(data.get("title") or ""),
            author=_login(data.get("user")),
            author_is_bot=_is_bot(data.get("user")),
            draft=bool(data.get("draft")),
            merged=bool(data.get("merged") or data.get("merged_at")),
            merge_commit_sha=data.get("merge_commit_sha"),
            head_sha=str(head["sha"]),
            head_ref=str(head["ref"]),
            head_repo=head_repo.get("full_name") if head_repo else None,
            base_ref=str(base["ref"]),
            base_sha=str(base["sha"]),
            html_url=str(data.get("html_url") or ""),
        )


class FileStatus(StrEnum):
    ADDED = "added"
    REMOVED = "removed"
    MODIFIED = "modified"
    RENAMED = "renamed"
    COPIED = "copied"
    CHANGED = "changed"
    UNCHANGED = "unchanged"


@dataclass(frozen=True, slots=True)
class PullFile:
    """One file a pull request changes; renames carry the old path."""

    path: str
    status: FileStatus
    previous_path: str | None
    sha: str | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            path=str(data["filename"]),
            status=FileStatus(data["status"]),
            previous_path=data.get("previous_filename"),
            sha=data.get("sha"),
        )


class ReviewState(StrEnum):
    APPROVED = "APPROVED"
    CHANGES_REQUESTED = "CHANGES_REQUESTED"
    COMMENTED = "COMMENTED"
    DISMISSED = "DISMISSED"
    PENDING = "PENDING"


@dataclass(frozen=True, slots=True)
class Review:
    """One review of a pull request, in the order GitHub lists them."""

    id: int
    user: str
    user_is_bot: bool
    state: ReviewState
    commit_id: str | None
    submitted_at: str | None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=int(data["id"]),
            user=_login(data.get("user")),
            user_is_bot=_is_bot(data.get("user")),
            state=ReviewState(str(data["state"]).upper()),
            commit_id=data.get("commit_id"),
            submitted_at=data.get("submitted_at"),
        )


@dataclass(frozen=True, slots=True)
class Comment:
    """An issue (conversation) comment on a pull request."""

    id: int
    body: str
    user: str
    user_is_bot: bool
    html_url: str
    created_at: str | None = None

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=int(data["id"]),
            body=str(data.get("body") or ""),
            user=_login(data.get("user")),
            user_is_bot=_is_bot(data.get("user")),
            html_url=str(data.get("html_url") or ""),
            created_at=data.get("created_at"),
        )


@dataclass(frozen=True, slots=True)
class Annotation:
    """A check-run annotation: a message at a file's line range."""

    path: str
    start_line: int
    end_line: int
    level: AnnotationLevel
    message: str
    title: str | None = None
    start_column: int | None = None
    end_column: int | None = None

    @classmethod
    def from_diagnostic(cls, diagnostic: Diagnostic) -> Self:
        level: AnnotationLevel = (
            "failure" if diagnostic.severity is Severity.ERROR else "warning"
        )
        line = max(diagnostic.line, 1)
        column = max(diagnostic.column, 1)
        return cls(
            path=diagnostic.file,
            start_line=line,
            end_line=line,
            level=level,
            message=diagnostic.message,
            title=diagnostic.code,
            start_column=column,
            end_column=column,
        )

    def to_api(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "path": self.path,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "annotation_level": self.level,
            "message": self.message,
        }
        if self.title:
            data["title"] = self.title
        # GitHub accepts columns only on single-line annotations.
        if self.start_line == self.end_line and self.start_column is not None:
            data["start_column"] = self.start_column
            data["end_column"] = self.end_column or self.start_column
        return data


@dataclass(frozen=True, slots=True)
class CheckOutput:
    """A check run's title, summary, details text and annotations."""

    title: str
    summary: str
    text: str | None = None
    annotations: tuple[Annotation, ...] = field(default=())


@dataclass(frozen=True, slots=True)
class CheckRun:
    id: int
    name: str
    head_sha: str
    status: str
    conclusion: str | None
    html_url: str

    @classmethod
    def from_api(cls, data: Mapping[str, Any]) -> Self:
        return cls(
            id=int(data["id"]),
            name=str(data["name"]),
            head_sha=str(data["head_sha"]),
            status=str(data["status"]),
            conclusion=data.get("conclusion"),
            html_url=str(data.get("html_url") or ""),
        )


@dataclass(frozen=True, slots=True)
class FileContent:
    """A file's bytes at a ref, with its blob sha."""

    path: str
    sha: str
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")
