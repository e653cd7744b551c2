"""What the GitHub stand-in's endpoint modules, events and controls share.

``Hub`` holds the state, the app, where the site is served and the event
sink, and answers the lookups every endpoint starts with (the repository,
the pull request, the caller) with GitHub's 404s.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from pao.standins.github_git import MergeConflict, Person
from pao.standins.github_http import ApiError, Call, not_found
from pao.standins.github_objects import GitHubSite
from pao.standins.github_render_pulls import pull_json
from pao.standins.github_state import App, GithubState, Issue, Pull, Repo, User

__all__ = ["EventSink", "Hub", "person_from"]


class EventSink(Protocol):
    """Where the stand-in sends the webhook events it causes."""

    def emit(self, event: str, payload: dict[str, Any]) -> None: ...


class Hub:
    """Shared context of the endpoint modules."""

    def __init__(
        self,
        *,
        state: GithubState,
        app: App,
        site: Callable[[], GitHubSite],
        events: EventSink,
    ) -> None:
        self.state = state
        self.app = app
        self._site = site
        self.events = events

    @property
    def site(self) -> GitHubSite:
        return self._site()

    # -- lookups raising GitHub's errors ---------------------------------------

    def repo(self, call: Call) -> Repo:
        repo = self.state.repo(call.params["owner"], call.params["repo"])
        if repo is None:
            raise not_found()
        return repo

    def issue(self, call: Call, repo: Repo) -> Issue:
        issue = self.state.issues.get((repo.key, call.number("issue_number")))
        if issue is None:
            raise not_found()
        return issue

    def pull(self, call: Call, repo: Repo) -> Pull:
        pull = self.state.pull(repo, call.number("pull_number"))
        if pull is None:
            raise not_found()
        return pull

    def commit_sha(self, repo: Repo, ref: str) -> str:
        """The commit *ref* names, or GitHub's 422 for an unknown ref."""
        sha = repo.git.resolve(ref) if ref else None
        if sha is None:
            message = f"No commit found for SHA: {ref}"
            raise ApiError(message, 422)
        return sha

    def actor(self, call: Call) -> User:
        """The user acting for the caller (the app's bot for an installation)."""
        login = call.principal.login
        user = self.state.user(login)
        if user is None:
            raise ApiError("Resource not accessible by integration", 403)
        return user

    # -- pull requests with numbers taken from git -----------------------------

    def pull_stats(self, pull: Pull) -> dict[str, Any]:
        """The git-derived fields of a full ``pull-request``."""
        git = pull.repo.git
        base = git.merge_base(pull.base_sha, pull.head_sha) or pull.base_sha
        changes = git.diff(base, pull.head_sha)
        stats: dict[str, Any] = {
            "commits": git.count(f"{base}..{pull.head_sha}"),
            "additions": sum(change.additions for change in changes),
            "deletions": sum(change.deletions for change in changes),
            "changed_files": len(changes),
        }
        return stats | self._mergeability(pull)

    def _mergeability(self, pull: Pull) -> dict[str, Any]:
        if pull.state == "closed":
            return {"mergeable": None, "rebaseable": None, "mergeable_state": "unknown"}
        try:
            pull.repo.git.run(
                "merge-tree", "--write-tree", pull.base_sha, pull.head_sha
            )
        except MergeConflict:
            return {"mergeable": False, "rebaseable": False, "mergeable_state": "dirty"}
        state = "draft" if pull.draft else "clean"
        return {"mergeable": True, "rebaseable": True, "mergeable_state": state}

    def pull_json(self, pull: Pull) -> dict[str, Any]:
        """A full ``pull-request``."""
        return pull_json(self.site, self.state, pull, stats=self.pull_stats(pull))

    def refresh_base(self, pull: Pull) -> None:
        """Follow the base branch: GitHub shows its current tip as ``base.sha``."""
        if pull.state != "open":
            return
        tip = pull.repo.git.resolve(f"refs/heads/{pull.base_ref}")
        if tip is not None:
            pull.base_sha = tip


def person_from(value: Any) -> Person | None:
    """An ``author``/``committer`` object of a request body, if complete."""
    if isinstance(value, dict) and value.get("name") and value.get("email"):
        date = str(value.get("date", ""))
        return Person(str(value["name"]), str(value["email"]), date)
    return None
