"""What GitHub does after a push: webhooks and pull-request bookkeeping.

The bare repositories' hook spools every push, whoever made it (a test
control, a REST call, or the code under test pushing over ``file://``).
``PushAbsorber`` takes the spool and, per moved branch or tag: moves the
head of open pull requests from that branch (``synchronize``), closes
those whose branch was deleted, marks as merged those whose head the base
branch now contains, and sends the ``push`` webhook.
"""

from __future__ import annotations

from collections.abc import Callable

from pao.standins.github_events import EventBuilder
from pao.standins.github_git import ZERO_SHA, PushRecord
from pao.standins.github_hub import Hub
from pao.standins.github_objects import gh_time
from pao.standins.github_state import Pull, Repo

__all__ = ["PushAbsorber"]

_WATCHED = ("refs/heads/", "refs/tags/")


class PushAbsorber:
    """Turns spooled pushes into state changes and webhooks."""

    def __init__(
        self,
        hub: Hub,
        events: EventBuilder,
        *,
        default_pusher: Callable[[], str],
        on_refs_changed: Callable[[Repo], None],
    ) -> None:
        self.hub = hub
        self.events = events
        self.default_pusher = default_pusher
        self.on_refs_changed = on_refs_changed

    def absorb_all(self) -> None:
        with self.hub.state.lock:
            repos = list(self.hub.state.repos.values())
        for repo in repos:
            self.absorb(repo)

    def absorb(self, repo: Repo) -> None:
        """Handle every push spooled for *repo*, oldest first."""
        with self.hub.state.lock:
            records = [r for r in repo.git.take_pushes() if r.ref.startswith(_WATCHED)]
            if not records:
                return
            for record in records:
                self._absorb_one(repo, record)
            self.on_refs_changed(repo)

    def _absorb_one(self, repo: Repo, record: PushRecord) -> None:
        pusher = record.pusher or self.default_pusher()
        repo.pushed_at = gh_time()
        self.events.push(repo, record, pusher)
        if not record.ref.startswith("refs/heads/"):
            return
        branch = record.ref.removeprefix("refs/heads/")
        for pull in self.hub.state.pulls(repo):
            if pull.state != "open":
                continue
            if pull.head_ref == branch:
                self._head_moved(pull, record, pusher)
            elif pull.base_ref == branch and record.after != ZERO_SHA:
                self._base_moved(pull, record, pusher)

    def _head_moved(self, pull: Pull, record: PushRecord, pusher: str) -> None:
        pull.updated_at = gh_time()
        if record.after == ZERO_SHA:
            # GitHub closes a pull request whose head branch is deleted.
            pull.state, pull.closed_at = "closed", pull.updated_at
            self.events.pull_request("closed", pull, pusher)
            return
        before, pull.head_sha = pull.head_sha, record.after
        self.hub.refresh_base(pull)
        self.events.pull_request(
            "synchronize", pull, pusher, before=before, after=record.after
        )

    def _base_moved(self, pull: Pull, record: PushRecord, pusher: str) -> None:
        pull.base_sha = record.after
        if not pull.repo.git.is_ancestor(pull.head_sha, record.after):
            return
        # The head landed on the base by a plain git push: GitHub marks
        # the pull request merged, with the pushed tip as merge commit.
        now = gh_time()
        pull.state, pull.closed_at, pull.updated_at = "closed", now, now
        pull.merged, pull.merged_at, pull.merged_by = True, now, pusher
        pull.merge_commit_sha = record.after
        self.events.pull_request("closed", pull, pusher)
