"""GitHub REST objects (users, repositories, commits) as GitHub renders them.

Shared by the GitHub stand-ins. ``GitHubSite`` says where the stand-in's
API and web pages live; every URL in an object is built from it, so a
client following ``url`` fields reaches the stand-in.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

__all__ = [
    "GitHubSite",
    "commit_json",
    "fake_sha",
    "gh_time",
    "github_error",
    "node_id",
    "repository_json",
    "user_json",
]

_DOCS = "https://docs.github.com/rest"


def gh_time(moment: datetime | None = None) -> str:
    """GitHub's timestamp format: ``2024-05-01T10:00:00Z``."""
    moment = moment or datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def node_id(kind: str, number: int) -> str:
    return base64.b64encode(f"0{len(kind)}:{kind}{number}".encode()).decode()


def fake_sha(*parts: str) -> str:
    """A stable 40-hex commit id for a name (a branch, a tag)."""
    return hashlib.sha1("/".join(parts).encode(), usedforsecurity=False).hexdigest()


def github_error(message: str, status: int, docs: str = _DOCS) -> dict[str, Any]:
    return {"message": message, "documentation_url": docs, "status": str(status)}


@dataclass(frozen=True)
class GitHubSite:
    """The stand-in's API root and web root (the same server here)."""

    api: str
    web: str


def user_json(
    site: GitHubSite, login: str, number: int, kind: str = "User"
) -> dict[str, Any]:
    api = f"{site.api}/users/{login}"
    return {
        "login": login,
        "id": number,
        "node_id": node_id(kind, number),
        "avatar_url": f"{site.web}/avatars/u/{number}?v=4",
        "gravatar_id": "",
        "url": api,
        "html_url": f"{site.web}/{login}",
        "followers_url": f"{api}/followers",
        "following_url": f"{api}/following{{/other_user}}",
        "gists_url": f"{api}/gists{{/gist_id}}",
        "starred_url": f"{api}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{api}/subscriptions",
        "organizations_url": f"{api}/orgs",
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events{{/privacy}}",
        "received_events_url": f"{api}/received_events",
        "type": kind,
        "site_admin": False,
    }


_REPO_TEMPLATES = {
    "archive_url": "/{archive_format}{/ref}",
    "assignees_url": "/assignees{/user}",
    "blobs_url": "/git/blobs{/sha}",
    "branches_url": "/branches{/branch}",
    "collaborators_url": "/collaborators{/collaborator}",
    "comments_url": "/comments{/number}",
    "commits_url": "/commits{/sha}",
    "compare_url": "/compare/{base}...{head}",
    "contents_url": "/contents/{+path}",
    "contributors_url": "/contributors",
    "deployments_url": "/deployments",
    "downloads_url": "/downloads",
    "events_url": "/events",
    "forks_url": "/forks",
    "git_commits_url": "/git/commits{/sha}",
    "git_refs_url": "/git/refs{/sha}",
    "git_tags_url": "/git/tags{/sha}",
    "hooks_url": "/hooks",
    "issue_comment_url": "/issues/comments{/number}",
    "issue_events_url": "/issues/events{/number}",
    "issues_url": "/issues{/number}",
    "keys_url": "/keys{/key_id}",
    "labels_url": "/labels{/name}",
    "languages_url": "/languages",
    "merges_url": "/merges",
    "milestones_url": "/milestones{/number}",
    "notifications_url": "/notifications{?since,all,participating}",
    "pulls_url": "/pulls{/number}",
    "releases_url": "/releases{/id}",
    "stargazers_url": "/stargazers",
    "statuses_url": "/statuses/{sha}",
    "subscribers_url": "/subscribers",
    "subscription_url": "/subscription",
    "tags_url": "/tags",
    "teams_url": "/teams",
    "trees_url": "/git/trees{/sha}",
}


# What a fresh, empty repository shows for the fields pao does not use.
_REPO_DEFAULTS: dict[str, Any] = {
    "created_at": "2024-01-02T03:04:05Z",
    "updated_at": "2024-01-02T03:04:05Z",
    "pushed_at": "2024-01-02T03:04:05Z",
    "homepage": None,
    "language": None,
    "license": None,
    "mirror_url": None,
    "size": 0,
    "forks": 0,
    "forks_count": 0,
    "open_issues": 0,
    "open_issues_count": 0,
    "stargazers_count": 0,
    "watchers": 0,
    "watchers_count": 0,
    "has_downloads": True,
    "has_issues": True,
    "has_pages": False,
    "has_projects": True,
    "has_wiki": True,
    "is_template": False,
    "topics": [],
    "web_commit_signoff_required": False,
    "custom_properties": {},
}


def repository_json(
    site: GitHubSite,
    *,
    owner: dict[str, Any],
    name: str,
    number: int,
    default_branch: str,
) -> dict[str, Any]:
    """A repository with every field of GitHub's ``minimal-repository``."""
    full_name = f"{owner['login']}/{name}"
    api = f"{site.api}/repos/{full_name}"
    html = f"{site.web}/{full_name}"
    repo: dict[str, Any] = {
        "id": number,
        "node_id": node_id("Repository", number),
        "name": name,
        "full_name": full_name,
        "owner": owner,
        "private": False,
        "html_url": html,
        "description": None,
        "fork": False,
        "url": api,
        "clone_url": f"{html}.git",
        "default_branch": default_branch,
        "visibility": "public",
        "archived": False,
        "disabled": False,
        **_REPO_DEFAULTS,
    }
    host = site.web.split("://", 1)[-1]
    repo |= {
        "git_url": f"git://{host}/{full_name}.git",
        "ssh_url": f"git@{host}:{full_name}.git",
        "svn_url": html,
    }
    repo.update({key: api + suffix for key, suffix in _REPO_TEMPLATES.items()})
    return repo


def commit_json(sha: str, message: str, timestamp: str) -> dict[str, Any]:
    """A ``simple-commit`` as found in a run's ``head_commit``."""
    person = {"name": "pao", "email": "pao@acme.example"}
    return {
        "id": sha,
        "tree_id": fake_sha("tree", sha),
        "message": message,
        "timestamp": timestamp,
        "author": person,
        "committer": person,
    }
