"""Webhook payloads for the events the GitHub stand-in causes.

Each payload has the fields of GitHub's own deliveries for that event and
action: ``repository``, ``sender``, ``organization`` for organization
repositories and ``installation`` where the app is installed on the owner.
``push`` lists at most ``commit_limit`` commits (the oldest first, as
GitHub does); receivers must read the rest from git.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pao.standins.github_git import ZERO_SHA, CommitInfo, PushRecord
from pao.standins.github_hub import Hub
from pao.standins.github_objects import node_id
from pao.standins.github_render import installation_ref, repo_json, user_ref
from pao.standins.github_render_pulls import (
    comment_json,
    issue_json,
    pull_json,
    review_json,
)
from pao.standins.github_state import CheckRun, Comment, Pull, Repo, Review

__all__ = ["EventBuilder"]


def _unix(timestamp: str) -> int:
    moment = datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)
    return int(moment.timestamp())


class EventBuilder:
    """Builds payloads from the hub's state and hands them to its sink."""

    def __init__(self, hub: Hub, *, commit_limit: int = 20) -> None:
        self.hub = hub
        self.commit_limit = commit_limit

    def _envelope(self, repo: Repo, sender: str) -> dict[str, Any]:
        site, state = self.hub.site, self.hub.state
        envelope: dict[str, Any] = {"repository": repo_json(site, state, repo)}
        if repo.owner_is_org:
            envelope["organization"] = self._org_ref(repo.owner)
        installation = state.installation_for(repo.owner)
        if installation is not None:
            envelope["installation"] = installation_ref(installation)
        envelope["sender"] = user_ref(site, state, sender)
        return envelope

    def _org_ref(self, login: str) -> dict[str, Any]:
        org = self.hub.state.orgs[login.lower()]
        api = f"{self.hub.site.api}/orgs/{org.login}"
        return {
            "login": org.login,
            "id": org.id,
            "node_id": node_id("Organization", org.id),
            "url": api,
            "repos_url": f"{api}/repos",
            "events_url": f"{api}/events",
            "hooks_url": f"{api}/hooks",
            "issues_url": f"{api}/issues",
            "members_url": f"{api}/members{{/member}}",
            "public_members_url": f"{api}/public_members{{/member}}",
            "avatar_url": f"{self.hub.site.web}/avatars/u/{org.id}?v=4",
            "description": org.description or "",
        }

    # -- pull requests ---------------------------------------------------------

    def pull_request(
        self, action: str, pull: Pull, sender: str, **extra: Any
    ) -> dict[str, Any]:
        """``opened``, ``synchronize`` (with before/after), ``edited`` (with
        changes), ``closed``, ``reopened``, ``ready_for_review``…"""
        payload: dict[str, Any] = {
            "action": action,
            "number": pull.number,
            "pull_request": self.hub.pull_json(pull),
            **extra,
            **self._envelope(pull.repo, sender),
        }
        self.hub.events.emit("pull_request", payload)
        return payload

    def review_submitted(self, pull: Pull, review: Review) -> dict[str, Any]:
        site, state = self.hub.site, self.hub.state
        payload = {
            "action": "submitted",
            "review": review_json(site, state, pull, review, event=True),
            "pull_request": pull_json(site, state, pull),
            **self._envelope(pull.repo, review.user),
        }
        self.hub.events.emit("pull_request_review", payload)
        return payload

    def issue_comment(
        self, action: str, comment: Comment, sender: str, **extra: Any
    ) -> dict[str, Any]:
        """``created``, ``edited`` (with changes) or ``deleted``."""
        site, state = self.hub.site, self.hub.state
        issue = state.issues[(comment.repo.key, comment.number)]
        payload = {
            "action": action,
            "issue": issue_json(site, state, issue),
            "comment": comment_json(site, state, comment),
            **extra,
            **self._envelope(comment.repo, sender),
        }
        self.hub.events.emit("issue_comment", payload)
        return payload

    def check_run(
        self, action: str, run: CheckRun, body: dict[str, Any], sender: str
    ) -> dict[str, Any]:
        payload = {
            "action": action,
            "check_run": body,
            **self._envelope(run.repo, sender),
        }
        self.hub.events.emit("check_run", payload)
        return payload

    def workflow_run(self, repo: Repo, extra: dict[str, Any]) -> dict[str, Any]:
        payload = {**extra, **self._envelope(repo, self.hub.app.bot_login)}
        self.hub.events.emit("workflow_run", payload)
        return payload

    # -- pushes ------------------------------------------------------------------

    def push(self, repo: Repo, record: PushRecord, pusher: str) -> dict[str, Any]:
        created, deleted = record.before == ZERO_SHA, record.after == ZERO_SHA
        commits = [] if deleted else self._pushed_commits(repo, record)
        forced = not (created or deleted) and not repo.git.is_ancestor(
            record.before, record.after
        )
        head = (
            None if deleted else self._push_commit(repo, repo.git.commit(record.after))
        )
        user = self.hub.state.user(pusher)
        payload = {
            "ref": record.ref,
            "before": record.before,
            "after": record.after,
            "created": created,
            "deleted": deleted,
            "forced": forced,
            "base_ref": None,
            "compare": self._compare_url(repo, record),
            "commits": [self._push_commit(repo, commit) for commit in commits],
            "head_commit": head,
            "pusher": {
                "name": pusher,
                "email": user.email if user is not None else None,
            },
            **self._envelope(repo, pusher),
        }
        payload["repository"] = self._push_repository(payload["repository"], repo)
        self.hub.events.emit("push", payload)
        return payload

    def _push_repository(self, shown: dict[str, Any], repo: Repo) -> dict[str, Any]:
        # A push event still shows the repository in its older form: Unix
        # timestamps, ``stargazers``, ``master_branch``, an owner with name
        # and email.
        owner = self.hub.state.user(repo.owner)
        return shown | {
            "created_at": _unix(shown["created_at"]),
            "pushed_at": _unix(shown["pushed_at"]),
            "stargazers": 0,
            "master_branch": repo.default_branch,
            "owner": shown["owner"]
            | {
                "name": repo.owner,
                "email": owner.email if owner is not None else None,
            },
        }

    def _pushed_commits(self, repo: Repo, record: PushRecord) -> list[CommitInfo]:
        # The commits the push brought to this ref that no other branch had.
        others = [
            f"^{sha}"
            for ref, sha in repo.git.refs("refs/heads/").items()
            if ref != record.ref
        ]
        if record.before != ZERO_SHA:
            others.append(f"^{record.before}")
        # Beyond the limit GitHub keeps the newest commits, oldest first.
        newest = repo.git.commits(record.after, *others, limit=self.commit_limit)
        return list(reversed(newest))

    def _compare_url(self, repo: Repo, record: PushRecord) -> str:
        web = f"{self.hub.site.web}/{repo.full_name}"
        if record.before == ZERO_SHA:
            return f"{web}/commit/{record.after}"
        return f"{web}/compare/{record.before[:12]}...{record.after[:12]}"

    def _push_commit(self, repo: Repo, commit: CommitInfo) -> dict[str, Any]:
        def person(name: str, email: str) -> dict[str, Any]:
            found = next(
                (u for u in self.hub.state.users.values() if u.email == email), None
            )
            entry: dict[str, Any] = {"name": name, "email": email}
            if found is not None:
                entry["username"] = found.login
            return entry

        return {
            "id": commit.sha,
            "tree_id": commit.tree,
            "distinct": True,
            "message": commit.message,
            "timestamp": commit.committer.date,
            "url": f"{self.hub.site.web}/{repo.full_name}/commit/{commit.sha}",
            "author": person(commit.author.name, commit.author.email),
            "committer": person(commit.committer.name, commit.committer.email),
            **repo.git.changed_paths(commit),
        }
