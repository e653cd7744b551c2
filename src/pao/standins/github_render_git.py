"""Git data (commits, diffs, files, trees, refs) as GitHub's REST API shows it."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from pao.standins.github_git import CommitInfo, FileChange, Person, TreeEntry
from pao.standins.github_objects import GitHubSite, gh_time
from pao.standins.github_render import user_ref
from pao.standins.github_state import GithubState, Repo

__all__ = [
    "content_json",
    "diff_entry_json",
    "git_commit_json",
    "git_ref_json",
    "iso_utc",
    "rest_commit_json",
]

_UNSIGNED = {
    "verified": False,
    "reason": "unsigned",
    "signature": None,
    "payload": None,
    "verified_at": None,
}


def iso_utc(date: str) -> str:
    """A git ISO 8601 date in GitHub's UTC ``Z`` form."""
    return gh_time(datetime.fromisoformat(date).astimezone(UTC))


def _person(person: Person) -> dict[str, str]:
    return {"name": person.name, "email": person.email, "date": iso_utc(person.date)}


def _account(
    site: GitHubSite, state: GithubState, person: Person
) -> dict[str, Any] | None:
    for user in state.users.values():
        if user.email.lower() == person.email.lower():
            return user_ref(site, state, user.login)
    return None


def _sha_node(sha: str) -> str:
    return base64.b64encode(f"04:Commit{sha}".encode()).decode()


def git_commit_json(site: GitHubSite, repo: Repo, commit: CommitInfo) -> dict[str, Any]:
    """A ``git-commit`` (the Git Database API's view)."""
    api = f"{site.api}/repos/{repo.full_name}"
    web = f"{site.web}/{repo.full_name}"
    return {
        "sha": commit.sha,
        "node_id": _sha_node(commit.sha),
        "url": f"{api}/git/commits/{commit.sha}",
        "html_url": f"{web}/commit/{commit.sha}",
        "author": _person(commit.author),
        "committer": _person(commit.committer),
        "tree": {"sha": commit.tree, "url": f"{api}/git/trees/{commit.tree}"},
        "message": commit.message,
        "parents": [
            {
                "sha": parent,
                "url": f"{api}/git/commits/{parent}",
                "html_url": f"{web}/commit/{parent}",
            }
            for parent in commit.parents
        ],
        "verification": dict(_UNSIGNED),
    }


def rest_commit_json(
    site: GitHubSite,
    state: GithubState,
    repo: Repo,
    commit: CommitInfo,
    *,
    files: list[FileChange] | None = None,
) -> dict[str, Any]:
    """A ``commit``; with *files*, also its ``stats`` and ``files``."""
    api = f"{site.api}/repos/{repo.full_name}"
    web = f"{site.web}/{repo.full_name}"
    body: dict[str, Any] = {
        "url": f"{api}/commits/{commit.sha}",
        "sha": commit.sha,
        "node_id": _sha_node(commit.sha),
        "html_url": f"{web}/commit/{commit.sha}",
        "comments_url": f"{api}/commits/{commit.sha}/comments",
        "commit": {
            "url": f"{api}/git/commits/{commit.sha}",
            "author": _person(commit.author),
            "committer": _person(commit.committer),
            "message": commit.message,
            "tree": {"sha": commit.tree, "url": f"{api}/git/trees/{commit.tree}"},
            "comment_count": 0,
            "verification": dict(_UNSIGNED),
        },
        "author": _account(site, state, commit.author),
        "committer": _account(site, state, commit.committer),
        "parents": [
            {
                "sha": parent,
                "url": f"{api}/commits/{parent}",
                "html_url": f"{web}/commit/{parent}",
            }
            for parent in commit.parents
        ],
    }
    if files is not None:
        additions = sum(change.additions for change in files)
        deletions = sum(change.deletions for change in files)
        body["stats"] = {
            "additions": additions,
            "deletions": deletions,
            "total": additions + deletions,
        }
        body["files"] = [
            diff_entry_json(site, repo, change, commit.sha) for change in files
        ]
    return body


def diff_entry_json(
    site: GitHubSite, repo: Repo, change: FileChange, ref: str
) -> dict[str, Any]:
    """A ``diff-entry`` of a pull request, commit or comparison."""
    web = f"{site.web}/{repo.full_name}"
    path = quote(change.filename)
    entry: dict[str, Any] = {
        "sha": change.sha,
        "filename": change.filename,
        "status": change.status,
        "additions": change.additions,
        "deletions": change.deletions,
        "changes": change.additions + change.deletions,
        "blob_url": f"{web}/blob/{ref}/{path}",
        "raw_url": f"{web}/raw/{ref}/{path}",
        "contents_url": f"{site.api}/repos/{repo.full_name}/contents/{path}?ref={ref}",
    }
    if change.patch is not None:
        entry["patch"] = change.patch
    if change.previous_filename is not None:
        entry["previous_filename"] = change.previous_filename
    return entry


def content_json(
    site: GitHubSite,
    repo: Repo,
    entry: TreeEntry,
    *,
    ref: str,
    data: bytes | None = None,
) -> dict[str, Any]:
    """A ``content-file`` (with *data*) or a directory listing item."""
    api = f"{site.api}/repos/{repo.full_name}"
    path = quote(entry.path)
    kind = {"blob": "file", "tree": "dir", "commit": "submodule"}[entry.type]
    git_url = f"{api}/git/{'trees' if kind == 'dir' else 'blobs'}/{entry.sha}"
    view = "tree" if kind == "dir" else "blob"
    html = f"{site.web}/{repo.full_name}/{view}/{ref}/{path}"
    self_url = f"{api}/contents/{path}?ref={ref}"
    body: dict[str, Any] = {
        "type": kind,
        "size": entry.size or 0,
        "name": entry.path.rsplit("/", 1)[-1],
        "path": entry.path,
        "sha": entry.sha,
        "url": self_url,
        "git_url": git_url,
        "html_url": html,
        "download_url": (
            f"{site.web}/{repo.full_name}/raw/{ref}/{path}" if kind == "file" else None
        ),
        "_links": {"self": self_url, "git": git_url, "html": html},
    }
    if data is not None:
        encoded = base64.encodebytes(data).decode()
        body |= {"content": encoded, "encoding": "base64"}
    return body


def git_ref_json(site: GitHubSite, repo: Repo, ref: str, sha: str) -> dict[str, Any]:
    """A ``git-ref`` pointing at commit *sha*."""
    api = f"{site.api}/repos/{repo.full_name}"
    return {
        "ref": ref,
        "node_id": base64.b64encode(f"03:Ref{repo.id}:{ref}".encode()).decode(),
        "url": f"{api}/git/{ref}",
        "object": {"type": "commit", "sha": sha, "url": f"{api}/git/commits/{sha}"},
    }
