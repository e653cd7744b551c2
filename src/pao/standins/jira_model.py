"""The Jira stand-in's state and how its objects look on the wire.

The workflow is Jira's simplified one: To Do, In Progress and Done, each
reachable from the others (transition ids 11, 21, 31). Entering Done sets
a resolution (``Done`` unless the transition names another, e.g.
``Won't Do``); leaving it clears the resolution.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = [
    "PRIORITIES",
    "RESOLUTIONS",
    "STATUSES",
    "Flavor",
    "JiraComment",
    "JiraIssue",
    "JiraProject",
    "JiraState",
    "JiraStatus",
    "adf_paragraph",
    "adf_text",
    "is_adf_document",
    "jira_time",
]

Flavor = Literal["cloud", "datacenter"]


@dataclass(frozen=True)
class JiraStatus:
    """A workflow status, its category and the transition that enters it."""

    id: str
    name: str
    category_id: int
    category_key: str
    category_color: str
    category_name: str
    transition_id: str


STATUSES = (
    JiraStatus("10000", "To Do", 2, "new", "blue-gray", "To Do", "11"),
    JiraStatus("3", "In Progress", 4, "indeterminate", "yellow", "In Progress", "21"),
    JiraStatus("10001", "Done", 3, "done", "green", "Done", "31"),
)
RESOLUTIONS = {"Done": "10000", "Won't Do": "10001", "Duplicate": "10002"}
PRIORITIES = {"Highest": "1", "High": "2", "Medium": "3", "Low": "4", "Lowest": "5"}
DEFAULT_ISSUE_TYPES = ("Task", "Bug", "Story", "Incident", "Service Request")


def jira_time(moment: datetime | None = None) -> str:
    """Jira's timestamp format, e.g. ``2024-05-01T10:00:00.000+0000``."""
    moment = moment or datetime.now(UTC)
    return (
        moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"
    )


def status_named(name: str) -> JiraStatus | None:
    return next((s for s in STATUSES if s.name.lower() == name.lower()), None)


def status_entered_by(transition_id: str) -> JiraStatus | None:
    return next((s for s in STATUSES if s.transition_id == transition_id), None)


@dataclass
class JiraProject:
    """A project that issues can be created in."""

    id: str
    key: str
    name: str
    issue_types: tuple[str, ...] = DEFAULT_ISSUE_TYPES
    next_number: int = 1


@dataclass
class JiraComment:
    id: str
    body: Any
    created: str


@dataclass
class JiraIssue:
    """An issue as the stand-in keeps it; ``description`` is ADF or text."""

    id: str
    key: str
    project: JiraProject
    issue_type: str
    summary: str
    description: Any = None
    labels: list[str] = field(default_factory=list)
    priority: str | None = "Medium"
    status: JiraStatus = STATUSES[0]
    resolution: str | None = None
    resolution_date: str | None = None
    custom_fields: dict[str, Any] = field(default_factory=dict)
    comments: list[JiraComment] = field(default_factory=list)
    created: str = field(default_factory=jira_time)
    updated: str = field(default_factory=jira_time)

    def move_to(self, status: JiraStatus, resolution: str | None = None) -> None:
        """Enter *status*; Done gets a resolution, other statuses lose it."""
        self.status = status
        self.updated = jira_time()
        if status.category_key == "done":
            self.resolution = resolution or "Done"
            self.resolution_date = self.updated
        else:
            self.resolution = None
            self.resolution_date = None


@dataclass
class JiraState:
    """Projects and issues; guarded by ``lock``."""

    projects: dict[str, JiraProject] = field(default_factory=dict)
    issues: dict[str, JiraIssue] = field(default_factory=dict)
    next_id: int = 10001
    next_comment_id: int = 20001
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def add_project(self, key: str, name: str | None = None) -> JiraProject:
        project = JiraProject(
            id=str(10000 + len(self.projects)), key=key, name=name or key
        )
        self.projects[key] = project
        return project

    def project(self, ref: dict[str, Any]) -> JiraProject | None:
        """The project named by ``{"key": ...}`` or ``{"id": ...}``."""
        for project in self.projects.values():
            if ref.get("key") == project.key or str(ref.get("id")) == project.id:
                return project
        return None

    def new_issue(self, project: JiraProject, **fields: Any) -> JiraIssue:
        issue = JiraIssue(
            id=str(self.next_id),
            key=f"{project.key}-{project.next_number}",
            project=project,
            **fields,
        )
        self.next_id += 1
        project.next_number += 1
        self.issues[issue.key] = issue
        return issue

    def find(self, key_or_id: str) -> JiraIssue | None:
        issue = self.issues.get(key_or_id.upper())
        if issue is not None:
            return issue
        return next((i for i in self.issues.values() if i.id == key_or_id), None)

    def add_comment(self, issue: JiraIssue, body: Any) -> JiraComment:
        comment = JiraComment(str(self.next_comment_id), body, jira_time())
        self.next_comment_id += 1
        issue.comments.append(comment)
        issue.updated = comment.created
        return comment


# -- Atlassian Document Format -------------------------------------------------


def is_adf_document(value: Any) -> bool:
    """Whether *value* is an ADF ``doc`` node with well-formed children."""
    return (
        isinstance(value, dict)
        and value.get("type") == "doc"
        and value.get("version") == 1
        and isinstance(value.get("content"), list)
        and all(_valid_node(node) for node in value["content"])
    )


def _valid_node(node: Any) -> bool:
    if not isinstance(node, dict) or not isinstance(node.get("type"), str):
        return False
    if node["type"] == "text" and not (
        isinstance(node.get("text"), str) and node["text"]
    ):
        return False
    content = node.get("content", [])
    marks = node.get("marks", [])
    return (
        isinstance(content, list)
        and all(_valid_node(child) for child in content)
        and isinstance(marks, list)
        and all(isinstance(m, dict) and isinstance(m.get("type"), str) for m in marks)
    )


def adf_paragraph(text: str) -> dict[str, Any]:
    """An ADF document holding *text* as one paragraph."""
    paragraph = {"type": "paragraph", "content": [{"type": "text", "text": text}]}
    return {"type": "doc", "version": 1, "content": [paragraph]}


def adf_text(value: Any) -> str:
    """The plain text in an ADF node (or the value itself when a string)."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return ""
    if value.get("type") == "text":
        return str(value.get("text", ""))
    parts = [adf_text(child) for child in value.get("content", [])]
    separator = "\n" if value.get("type") == "doc" else ""
    return separator.join(parts)
