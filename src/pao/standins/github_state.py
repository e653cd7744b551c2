"""What the GitHub stand-in knows: accounts, repositories, pull requests, checks.

Plain dataclasses guarded by ``GithubState.lock``. Git data (refs, commits,
trees) is not copied here: it is read from each repository's bare
repository when asked for, so pushes made outside the stand-in show at once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pao.standins.github_git import BareRepo, Person
from pao.standins.github_objects import gh_time

__all__ = [
    "Annotation",
    "App",
    "CheckRun",
    "Comment",
    "CommitStatus",
    "GithubState",
    "Installation",
    "Issue",
    "IssuedToken",
    "Org",
    "Pull",
    "Reaction",
    "Repo",
    "Review",
    "Team",
    "User",
]

ReviewState = Literal["APPROVED", "CHANGES_REQUESTED", "COMMENTED", "DISMISSED"]
Permission = Literal["admin", "maintain", "write", "triage", "read", "none"]


@dataclass
class User:
    login: str
    id: int
    name: str
    email: str
    type: Literal["User", "Bot", "Organization"] = "User"
    created_at: str = field(default_factory=gh_time)

    @property
    def person(self) -> Person:
        return Person(self.name, self.email)


@dataclass
class Org:
    login: str
    id: int
    # login -> "admin" | "member"
    members: dict[str, str] = field(default_factory=dict)
    description: str | None = None
    created_at: str = field(default_factory=gh_time)


@dataclass
class Team:
    id: int
    org: str
    slug: str
    name: str
    members: set[str] = field(default_factory=set)
    maintainers: set[str] = field(default_factory=set)
    description: str | None = None
    created_at: str = field(default_factory=gh_time)

    def role(self, login: str) -> str | None:
        if login in self.maintainers:
            return "maintainer"
        return "member" if login in self.members else None


@dataclass
class Repo:
    id: int
    owner: str
    name: str
    git: BareRepo
    default_branch: str
    owner_is_org: bool
    collaborators: dict[str, Permission] = field(default_factory=dict)
    next_number: int = 1
    created_at: str = field(default_factory=gh_time)
    pushed_at: str = field(default_factory=gh_time)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def key(self) -> str:
        return self.full_name.lower()


@dataclass
class Reaction:
    id: int
    user: str
    content: str
    created_at: str = field(default_factory=gh_time)


@dataclass
class Comment:
    id: int
    repo: Repo
    number: int
    user: str
    body: str
    created_at: str = field(default_factory=gh_time)
    updated_at: str = field(default_factory=gh_time)
    reactions: list[Reaction] = field(default_factory=list)


@dataclass(kw_only=True)
class Issue:
    repo: Repo
    number: int
    id: int
    user: str
    title: str
    body: str | None
    state: Literal["open", "closed"] = "open"
    locked: bool = False
    created_at: str = field(default_factory=gh_time)
    updated_at: str = field(default_factory=gh_time)
    closed_at: str | None = None


@dataclass
class Review:
    id: int
    user: str
    state: ReviewState
    body: str
    commit_id: str
    submitted_at: str = field(default_factory=gh_time)


@dataclass(kw_only=True)
class Pull(Issue):
    head_ref: str
    head_sha: str
    base_ref: str
    base_sha: str
    draft: bool = False
    merged: bool = False
    merged_at: str | None = None
    merged_by: str | None = None
    merge_commit_sha: str | None = None
    requested_users: list[str] = field(default_factory=list)
    requested_teams: list[str] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)


@dataclass
class Annotation:
    path: str
    start_line: int
    end_line: int
    annotation_level: str
    message: str
    title: str | None = None
    raw_details: str | None = None
    start_column: int | None = None
    end_column: int | None = None


@dataclass
class CheckRun:
    id: int
    repo: Repo
    head_sha: str
    name: str
    app_id: int
    status: str = "queued"
    conclusion: str | None = None
    started_at: str | None = None
    completed_at: str | None = None
    external_id: str | None = None
    details_url: str | None = None
    title: str | None = None
    summary: str | None = None
    text: str | None = None
    annotations: list[Annotation] = field(default_factory=list)


@dataclass
class CommitStatus:
    id: int
    repo: Repo
    sha: str
    state: str
    context: str
    creator: str
    description: str | None = None
    target_url: str | None = None
    created_at: str = field(default_factory=gh_time)
    updated_at: str = field(default_factory=gh_time)


@dataclass(frozen=True)
class App:
    """The GitHub App pao runs as; its private key signs app JWTs."""

    id: int
    slug: str
    name: str
    owner: str
    public_key_pem: bytes

    @property
    def bot_login(self) -> str:
        return f"{self.slug}[bot]"


@dataclass
class Installation:
    id: int
    account: str
    created_at: str = field(default_factory=gh_time)


@dataclass(frozen=True)
class IssuedToken:
    installation_id: int
    expires_at: datetime


@dataclass
class GithubState:
    """Everything the REST API serves; guarded by ``lock``."""

    users: dict[str, User] = field(default_factory=dict)
    orgs: dict[str, Org] = field(default_factory=dict)
    teams: dict[tuple[str, str], Team] = field(default_factory=dict)
    repos: dict[str, Repo] = field(default_factory=dict)
    issues: dict[tuple[str, int], Issue] = field(default_factory=dict)
    comments: dict[int, Comment] = field(default_factory=dict)
    check_runs: dict[int, CheckRun] = field(default_factory=dict)
    statuses: list[CommitStatus] = field(default_factory=list)
    installations: dict[int, Installation] = field(default_factory=dict)
    # Personal access tokens (token -> login) and issued installation tokens.
    tokens: dict[str, str] = field(default_factory=dict)
    issued: dict[str, IssuedToken] = field(default_factory=dict)
    next_id: int = 1_000_000
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def allocate_id(self) -> int:
        self.next_id += 1
        return self.next_id

    def repo(self, owner: str, name: str) -> Repo | None:
        return self.repos.get(f"{owner}/{name}".lower())

    def user(self, login: str) -> User | None:
        return self.users.get(login.lower())

    def pull(self, repo: Repo, number: int) -> Pull | None:
        issue = self.issues.get((repo.key, number))
        return issue if isinstance(issue, Pull) else None

    def pulls(self, repo: Repo) -> list[Pull]:
        return [
            issue
            for (key, _), issue in self.issues.items()
            if key == repo.key and isinstance(issue, Pull)
        ]

    def installation_for(self, account: str) -> Installation | None:
        for installation in self.installations.values():
            if installation.account.lower() == account.lower():
                return installation
        return None

    def is_member(self, org: str, login: str) -> bool:
        found = self.orgs.get(org.lower())
        return found is not None and login.lower() in found.members

    def permission(self, repo: Repo, login: str) -> Permission:
        """The highest permission *login* holds on *repo*."""
        lowered = login.lower()
        if lowered == repo.owner.lower():
            return "admin"
        org = self.orgs.get(repo.owner.lower())
        if org is not None and org.members.get(lowered) == "admin":
            return "admin"
        if lowered in repo.collaborators:
            return repo.collaborators[lowered]
        return "read" if org is not None and lowered in org.members else "none"

    def association(self, repo: Repo, login: str) -> str:
        """GitHub's ``author_association`` of *login* on *repo*."""
        lowered = login.lower()
        if lowered == repo.owner.lower():
            return "OWNER"
        if repo.owner_is_org and self.is_member(repo.owner, lowered):
            return "MEMBER"
        if lowered in repo.collaborators:
            return "COLLABORATOR"
        return "NONE"
