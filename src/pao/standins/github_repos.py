"""Repository endpoints of the GitHub stand-in, read from the bare repositories.

``GET /repos/{owner}/{repo}``, branches, commits (list and one, with
files), ``compare/{base}...{head}``, contents (read, and ``PUT`` to commit
a file through git), collaborators and their permission, CODEOWNERS errors.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import replace
from typing import Any

from starlette.routing import BaseRoute, Route

from pao.standins.github_git import TreeEntry
from pao.standins.github_http import (
    ApiError,
    Call,
    Reply,
    endpoint,
    not_found,
    paginate,
)
from pao.standins.github_hub import Hub, person_from
from pao.standins.github_render import repo_json, user_ref
from pao.standins.github_render_git import (
    content_json,
    diff_entry_json,
    git_commit_json,
    rest_commit_json,
)
from pao.standins.github_state import Repo

__all__ = ["RepoEndpoints"]

_CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
# GitHub's legacy ``permission`` field folds the newer roles into three.
_LEGACY = {"maintain": "write", "triage": "read"}
_RANK = ["none", "read", "triage", "write", "maintain", "admin"]
# GitHub lists at most 250 commits in a comparison.
_COMPARE_COMMITS = 250


class RepoEndpoints:
    """Routes under ``/repos/{owner}/{repo}`` that read git."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def routes(self) -> list[BaseRoute]:
        repo = "/repos/{owner}/{repo}"
        return [
            Route(repo, endpoint(self.show), methods=["GET"]),
            Route(f"{repo}/branches/{{branch:path}}", endpoint(self.branch)),
            Route(f"{repo}/commits", endpoint(self.commits), methods=["GET"]),
            Route(f"{repo}/commits/{{ref:path}}", endpoint(self.commit)),
            Route(f"{repo}/compare/{{basehead:path}}", endpoint(self.compare)),
            Route(
                f"{repo}/contents/{{path:path}}",
                endpoint(self.contents),
                methods=["GET", "PUT"],
            ),
            Route(
                f"{repo}/collaborators/{{username}}",
                endpoint(self.collaborator),
                methods=["GET"],
            ),
            Route(
                f"{repo}/collaborators/{{username}}/permission",
                endpoint(self.permission),
                methods=["GET"],
            ),
            Route(f"{repo}/codeowners/errors", endpoint(self.codeowners_errors)),
        ]

    def show(self, call: Call) -> Reply:
        with self.hub.state.lock:
            repo = self.hub.repo(call)
            return Reply(repo_json(self.hub.site, self.hub.state, repo, full=True))

    def branch(self, call: Call) -> Reply:
        site = self.hub.site
        with self.hub.state.lock:
            repo = self.hub.repo(call)
        name = call.params["branch"]
        sha = repo.git.resolve(f"refs/heads/{name}")
        if sha is None:
            raise ApiError("Branch not found", 404)
        api = f"{site.api}/repos/{repo.full_name}/branches/{name}"
        commit = rest_commit_json(site, self.hub.state, repo, repo.git.commit(sha))
        return Reply(
            {
                "name": name,
                "commit": commit,
                "_links": {
                    "self": api,
                    "html": f"{site.web}/{repo.full_name}/tree/{name}",
                },
                "protected": False,
                "protection": {
                    "enabled": False,
                    "required_status_checks": {
                        "enforcement_level": "off",
                        "contexts": [],
                        "checks": [],
                    },
                },
                "protection_url": f"{api}/protection",
            }
        )

    def commits(self, call: Call) -> Reply:
        with self.hub.state.lock:
            repo = self.hub.repo(call)
        start = call.query.get("sha") or repo.default_branch
        sha = repo.git.resolve(start)
        if sha is None:
            raise ApiError(f"No commit found for SHA: {start}", 404)
        revs = [sha]
        if author := call.query.get("author"):
            user = self.hub.state.user(author)
            revs.append(f"--author={user.email if user else author}")
        for name in ("since", "until"):
            if value := call.query.get(name):
                revs.append(f"--{name}={value}")
        if path := call.query.get("path"):
            revs += ["--", path]
        found = repo.git.commits(*revs)
        items = [
            rest_commit_json(self.hub.site, self.hub.state, repo, commit)
            for commit in found
        ]
        return paginate(call, items)

    def commit(self, call: Call) -> Reply:
        with self.hub.state.lock:
            repo = self.hub.repo(call)
        sha = self.hub.commit_sha(repo, call.params["ref"])
        info = repo.git.commit(sha)
        parent = info.parents[0] if info.parents else _EMPTY_TREE
        files = repo.git.diff(parent, sha)
        body = rest_commit_json(self.hub.site, self.hub.state, repo, info, files=files)
        return Reply(body)

    def compare(self, call: Call) -> Reply:
        with self.hub.state.lock:
            repo = self.hub.repo(call)
        base_name, dots, head_name = call.params["basehead"].partition("...")
        if not dots:
            base_name, _, head_name = call.params["basehead"].partition("..")
        base, head = repo.git.resolve(base_name), repo.git.resolve(head_name)
        if base is None or head is None:
            raise not_found()
        merge_base = repo.git.merge_base(base, head)
        if merge_base is None:
            message = f"No common ancestor between {base_name} and {head_name}."
            raise ApiError(message, 404)
        return Reply(self._comparison(repo, base, head, merge_base, call))

    def _comparison(
        self, repo: Repo, base: str, head: str, merge_base: str, call: Call
    ) -> dict[str, Any]:
        site, state, git = self.hub.site, self.hub.state, repo.git
        ahead, behind = git.count(f"{base}..{head}"), git.count(f"{head}..{base}")
        status = "identical" if ahead == behind == 0 else "diverged"
        if ahead == 0 < behind:
            status = "behind"
        elif behind == 0 < ahead:
            status = "ahead"
        newest = git.commits(f"{base}..{head}", limit=_COMPARE_COMMITS)
        commits = list(reversed(newest))
        basehead = call.params["basehead"]
        web = f"{site.web}/{repo.full_name}/compare/{basehead}"
        return {
            "url": f"{site.api}/repos/{repo.full_name}/compare/{basehead}",
            "html_url": web,
            "permalink_url": f"{site.web}/{repo.full_name}/compare/{base}...{head}",
            "diff_url": f"{web}.diff",
            "patch_url": f"{web}.patch",
            "base_commit": rest_commit_json(site, state, repo, git.commit(base)),
            "merge_base_commit": rest_commit_json(
                site, state, repo, git.commit(merge_base)
            ),
            "status": status,
            "ahead_by": ahead,
            "behind_by": behind,
            "total_commits": ahead,
            "commits": [rest_commit_json(site, state, repo, c) for c in commits],
            "files": [
                diff_entry_json(site, repo, change, head)
                for change in git.diff(merge_base, head)
            ],
        }

    # -- contents ------------------------------------------------------------------

    def contents(self, call: Call) -> Reply:
        if call.request.method == "PUT":
            return self._put_file(call)
        with self.hub.state.lock:
            repo = self.hub.repo(call)
        ref = call.query.get("ref") or repo.default_branch
        sha = repo.git.resolve(ref)
        path = call.params["path"].strip("/")
        entry = repo.git.entry(sha, path) if sha and path else None
        if sha is None or entry is None:
            raise not_found(
                "https://docs.github.com/rest/repos/contents#get-repository-content"
            )
        site = self.hub.site
        if entry.type == "tree":
            listing = repo.git.tree(f"{sha}:{path}")
            items = [
                content_json(site, repo, _under(path, item), ref=ref)
                for item in listing
            ]
            return Reply(items)
        data = repo.git.read_blob(entry.sha)
        return Reply(content_json(site, repo, entry, ref=ref, data=data))

    def _put_file(self, call: Call) -> Reply:
        body = call.json()
        with self.hub.state.lock:
            repo = self.hub.repo(call)
            actor = self.hub.actor(call)
        for name in ("message", "content"):
            if not isinstance(body.get(name), str):
                raise ApiError(f'Invalid request.\n\n"{name}" wasn\'t supplied.', 422)
        try:
            data = base64.b64decode(body["content"], validate=False)
        except binascii.Error:
            raise ApiError("content is not valid Base64", 422) from None
        branch = body.get("branch") or repo.default_branch
        parent = repo.git.resolve(f"refs/heads/{branch}")
        if parent is None:
            raise ApiError(f"Branch {branch} not found", 404)
        path = call.params["path"].strip("/")
        existing = repo.git.entry(parent, path)
        if existing is not None and body.get("sha") != existing.sha:
            if "sha" not in body:
                raise ApiError('Invalid request.\n\n"sha" wasn\'t supplied.', 422)
            raise ApiError(f"{path} does not match {body['sha']}", 409)
        author = person_from(body.get("author")) or actor.person
        committer = person_from(body.get("committer")) or author
        sha = repo.git.write_commit(
            parent=parent,
            files={path: data},
            message=body["message"],
            author=author,
            committer=committer,
        )
        repo.git.push({f"refs/heads/{branch}": sha}, pusher=actor.login)
        entry = repo.git.entry(sha, path)
        assert entry is not None
        site = self.hub.site
        return Reply(
            {
                "content": content_json(site, repo, entry, ref=branch),
                "commit": git_commit_json(site, repo, repo.git.commit(sha)),
            },
            status=200 if existing else 201,
        )

    # -- access ----------------------------------------------------------------------

    def collaborator(self, call: Call) -> Reply:
        with self.hub.state.lock:
            repo = self.hub.repo(call)
            user = self.hub.state.user(call.params["username"])
            if user is None or self.hub.state.permission(repo, user.login) == "none":
                raise ApiError("Not Found", 404, bare=True)
        return Reply(status=204)

    def permission(self, call: Call) -> Reply:
        state = self.hub.state
        with state.lock:
            repo = self.hub.repo(call)
            user = state.user(call.params["username"])
            if user is None:
                raise ApiError(f"{call.params['username']} is not a user", 404)
            role = state.permission(repo, user.login)
            rank = _RANK.index(role)
            collaborator = user_ref(self.hub.site, state, user.login) | {
                "role_name": role,
                "permissions": {
                    "pull": rank >= _RANK.index("read"),
                    "triage": rank >= _RANK.index("triage"),
                    "push": rank >= _RANK.index("write"),
                    "maintain": rank >= _RANK.index("maintain"),
                    "admin": role == "admin",
                },
            }
        return Reply(
            {
                "permission": _LEGACY.get(role, role),
                "role_name": role,
                "user": collaborator,
            }
        )

    def codeowners_errors(self, call: Call) -> Reply:
        with self.hub.state.lock:
            repo = self.hub.repo(call)
        ref = call.query.get("ref") or repo.default_branch
        sha = repo.git.resolve(ref)
        for path in _CODEOWNERS_PATHS:
            entry = repo.git.entry(sha, path) if sha else None
            if entry is not None and entry.type == "blob":
                text = repo.git.read_blob(entry.sha).decode(errors="replace")
                with self.hub.state.lock:
                    return Reply({"errors": self._owner_errors(repo, path, text)})
        raise not_found()

    def _owner_errors(self, repo: Repo, path: str, text: str) -> list[dict[str, Any]]:
        errors = []
        for number, line in enumerate(text.splitlines(), start=1):
            content = line.split("#", 1)[0]
            for owner in content.split()[1:]:
                if self._owner_exists(repo, owner):
                    continue
                column = line.index(owner) + 1
                pointer = " " * (column - 1) + "^"
                errors.append(
                    {
                        "line": number,
                        "column": column,
                        "kind": "Unknown owner",
                        "source": line,
                        "suggestion": (
                            f"make sure {owner} exists and has write access "
                            "to the repository"
                        ),
                        "message": (
                            f"Unknown owner on line {number}: make sure {owner} "
                            "exists and has write access to the repository\n\n"
                            f"  {line}\n  {pointer}"
                        ),
                        "path": path,
                    }
                )
        return errors

    def _owner_exists(self, repo: Repo, owner: str) -> bool:
        state = self.hub.state
        if "@" in owner and not owner.startswith("@"):
            return True  # an email address: GitHub resolves it to a user later
        name = owner.removeprefix("@")
        if "/" in name:
            org, _, slug = name.partition("/")
            return (org.lower(), slug.lower()) in state.teams
        return state.user(name) is not None


_EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"


def _under(path: str, entry: TreeEntry) -> TreeEntry:
    return replace(entry, path=f"{path}/{entry.path}")
