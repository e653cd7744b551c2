"""GitHub mode: route deliveries to the pull-request reconcilers, and repair.

Built by the controller when ``github`` is configured with a requests
repo. :meth:`GitHubIntegration.route` handles one recorded delivery (the
controller's delivery loop calls it in arrival order):

* ``pull_request`` opened / synchronize / reopened / ready_for_review /
  edited (base changed) / closed, and ``check_run`` rerequested of
  ``pao/validate``: the pull request is handled as it is now on GitHub;
  on the catalog repo, its check is posted;
* ``pull_request_review`` submitted or dismissed: a merged pull request's
  requests are approved again (queued when a code owner approved);
* ``issue_comment`` created: slash commands;
* ``push`` to a default branch: index now. Pushes to other branches (pull
  request branches send ``synchronize``), tag pushes and branch deletions
  are ignored on purpose; a force push to a default branch is indexed like
  any push (the indexer diffs in git and lists everything when the old
  head is gone).

Deliveries are verified and de-duplicated by id in the API; here, a
``pull_request`` opened/synchronize of a head already handled under
another delivery id is skipped (:func:`meaning_key`), and one pull request
is handled by one replica at a time (a store lock). Nothing in a payload
is trusted beyond "look at pull request N now", so a late, reordered or
replayed delivery at worst repeats work. :meth:`GitHubIntegration.tick`
reports progress and, every ``resync_interval`` seconds, resyncs every
open pull request whose head pao has not handled — the repair for lost
deliveries.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any

import structlog

from pao.catalog import CatalogLoad
from pao.core.settings import Settings
from pao.forge.codeowners_sync import sync_codeowners
from pao.forge.git import GitRepo
from pao.forge.github import GitHub, GitHubError, connect
from pao.reconcilers.catalog_pull_requests import CatalogChecks
from pao.reconcilers.catalog_sync import CatalogSyncReport
from pao.reconcilers.check_runs import VALIDATE_CHECK
from pao.reconcilers.escalation import escalator_for
from pao.reconcilers.pr_commands import CommandRunner, CommentEvent
from pao.reconcilers.pr_progress import ProgressReporter
from pao.reconcilers.pull_context import PullContext
from pao.reconcilers.pull_records import never_on_branch
from pao.reconcilers.pull_requests import PullRequestReconciler
from pao.store import RequestRecord, Store, WebhookDelivery

__all__ = ["GitHubIntegration", "github_configured", "meaning_key"]

logger = structlog.get_logger(__name__)

_PULL_ACTIONS = frozenset(
    {"opened", "synchronize", "reopened", "ready_for_review", "closed"}
)
_SAME_MEANING = frozenset({"opened", "synchronize"})
_LOCK_SECONDS = 120.0
_LOCK_WAIT = 30.0


def github_configured(settings: Settings) -> bool:
    """Whether pao runs in GitHub mode (pull requests, reviews, commands)."""
    github = settings.github
    return bool(
        github and github.requests_repo and (github.token or github.app is not None)
    )


def meaning_key(event: str, payload: Any) -> str | None:
    """What a delivery means, when two deliveries can mean the same: a pull
    request's head to validate (``pr:acme/requests#12@<sha>``)."""
    if event != "pull_request" or not isinstance(payload, Mapping):
        return None
    if payload.get("action") not in _SAME_MEANING:
        return None
    pull = payload.get("pull_request") or {}
    repo = (payload.get("repository") or {}).get("full_name")
    head = (pull.get("head") or {}).get("sha")
    if not (repo and head and pull.get("number")):
        return None
    return f"pr:{repo}#{pull['number']}@{head}"


class GitHubIntegration:
    """Everything pao does on GitHub, for one controller."""

    def __init__(
        self,
        *,
        settings: Settings,
        store: Store,
        requests_clone: Callable[[], GitRepo | None],
        catalog_clone: Callable[[], GitRepo | None],
        catalog: Callable[[], CatalogLoad],
        refresh: Callable[[], None],
        wake: Callable[[], None],
        github: GitHub | None = None,
        resync_interval: float = 300.0,
        write_interval: float = 1.0,
    ) -> None:
        configured = settings.github
        assert configured is not None
        assert configured.requests_repo is not None
        self.store = store
        self.github = github or connect(configured, write_interval=write_interval)
        self.requests_name = configured.requests_repo
        self.catalog_name = configured.catalog_repo
        self.requests_clone = requests_clone
        self.resync_interval = resync_interval
        self.ctx = PullContext(
            store=store,
            github=self.github,
            repo=self.github.repo(self.requests_name),
            clone=requests_clone,
            catalog=catalog,
            environment_allow=tuple(settings.environment),
            refresh=refresh,
            wake=wake,
        )
        self.pulls = PullRequestReconciler(self.ctx)
        self.progress = ProgressReporter(self.ctx)
        self.commands = CommandRunner(
            self.ctx,
            reconciler=self.pulls,
            escalator=lambda: escalator_for(settings, store),
        )
        self.catalog_checks = (
            CatalogChecks(repo=self.github.repo(self.catalog_name), clone=catalog_clone)
            if self.catalog_name
            else None
        )
        self._owner = uuid.uuid4().hex
        self._handled: dict[tuple[str, int], str] = {}
        self._last_resync = 0.0
        self._reported_catalog: str | None = None
        self._lock = threading.Lock()

    # -- deliveries --------------------------------------------------------

    def route(self, delivery: WebhookDelivery) -> None:
        """Handle one GitHub delivery (raises to mark it failed)."""
        payload = delivery.payload if isinstance(delivery.payload, Mapping) else {}
        repo = str((payload.get("repository") or {}).get("full_name") or "")
        action = str(payload.get("action") or "")
        log = logger.bind(delivery_id=delivery.delivery_id, event=delivery.event)
        key = delivery.meaning_key or meaning_key(delivery.event, payload)
        if key and self.store.seen_meaning(key):
            log.info("delivery_meaning_seen", meaning=key)
            return
        handler = {
            "pull_request": self._on_pull_request,
            "check_run": self._on_check_run,
            "pull_request_review": self._on_review,
            "issue_comment": self._on_comment,
            "push": self._on_push,
        }.get(delivery.event)
        if handler is None or not self._is_ours(repo):
            log.debug("delivery_ignored", repo=repo, action=action)
            return
        handler(repo, action, payload)

    def _on_pull_request(
        self, repo: str, action: str, payload: Mapping[str, Any]
    ) -> None:
        base_changed = action == "edited" and "base" in (payload.get("changes") or {})
        if action not in _PULL_ACTIONS and not base_changed:
            return
        pull = payload.get("pull_request") or {}
        head = (pull.get("head") or {}).get("sha")
        # Another delivery of the same head (or the resync) may have done
        # it already; any other action asks for a fresh look.
        again = action not in _SAME_MEANING
        self._sync(repo, int(pull.get("number") or 0), head=head, again=again)

    def _on_check_run(self, repo: str, action: str, payload: Mapping[str, Any]) -> None:
        run = payload.get("check_run") or {}
        if action != "rerequested" or run.get("name") != VALIDATE_CHECK:
            return
        for pull in run.get("pull_requests") or ():
            self._sync(repo, int(pull["number"]), head=run.get("head_sha"), again=True)

    def _on_review(self, repo: str, action: str, payload: Mapping[str, Any]) -> None:
        if repo != self.requests_name or action not in ("submitted", "dismissed"):
            return
        number = int((payload.get("pull_request") or {}).get("number") or 0)
        with self._pull_lock(repo, number):
            pull = self.ctx.repo.get_pull(number)
            if pull.merged and self.pulls.merged.review(pull):
                self.pulls.publish(number)

    def _on_comment(self, repo: str, action: str, payload: Mapping[str, Any]) -> None:
        if repo != self.requests_name:
            return
        event = CommentEvent.from_payload(payload)
        with self._pull_lock(repo, event.number):
            self.commands.handle(event)

    def _on_push(self, repo: str, action: str, payload: Mapping[str, Any]) -> None:
        default = (payload.get("repository") or {}).get("default_branch")
        if payload.get("deleted") or payload.get("ref") != f"refs/heads/{default}":
            return  # tags, other branches and deletions: see the module doc
        self.ctx.refresh()

    def _sync(
        self, repo: str, number: int, *, head: str | None, again: bool = False
    ) -> None:
        if not number:
            return
        key = (repo, number)
        with self._pull_lock(repo, number):
            if not again and self._seen(key, head):
                return  # a late or repeated delivery of a head already handled
            if repo == self.requests_name:
                plan = self.pulls.sync(number)
                head = plan.head_sha if plan else head
            elif self.catalog_checks is not None:
                self.catalog_checks.check_pull(number)
            with self._lock:
                if head:
                    self._handled[key] = head

    def _seen(self, key: tuple[str, int], head: str | None) -> bool:
        """Whether the delivered head, or the pull request's head now, was
        handled already."""
        with self._lock:
            handled = self._handled.get(key)
        if handled is None:
            return False
        if handled == head:
            return True
        return handled == self.github.repo(key[0]).get_pull(key[1]).head_sha

    def _is_ours(self, repo: str) -> bool:
        return repo in (self.requests_name, self.catalog_name)

    # -- after the controller's passes ---------------------------------------

    def after_catalog_sync(
        self, report: CatalogSyncReport, catalog: CatalogLoad
    ) -> None:
        """Report the indexed catalog commit; propose CODEOWNERS changes."""
        if self.catalog_checks is not None and report.head != self._reported_catalog:
            self._guarded(self.catalog_checks.report_push, report.head, report.errors)
            self._reported_catalog = report.head
        if report.changed or report.removed:
            owners = {
                item_id: loaded.item.metadata.owner.team
                for item_id, loaded in catalog.items.items()
            }
            self._guarded(sync_codeowners, self.ctx.repo, owners)

    def after_requests_sync(self) -> None:
        """Queue merged requests whose approval arrived meanwhile."""
        self._guarded(self.pulls.merged.review_waiting)

    def skip_status(self, record: RequestRecord) -> bool:
        """Whether *record* lives on a pull request only (no status file)."""
        clone = self.requests_clone()
        return clone is not None and never_on_branch(clone, record)

    # -- periodic ------------------------------------------------------------

    def tick(self) -> None:
        """Report progress; resync open pull requests when it is time."""
        self.progress.report_pending()
        if time.monotonic() - self._last_resync >= self.resync_interval:
            self.resync()

    def resync(self) -> int:
        """Handle every open pull request whose head pao has not handled."""
        self._last_resync = time.monotonic()
        synced = 0
        for name in (self.requests_name, self.catalog_name):
            if not name:
                continue
            for pull in self.github.repo(name).list_open_pulls():
                with self._lock:
                    seen = self._handled.get((name, pull.number))
                if seen == pull.head_sha:
                    continue
                self._sync(name, pull.number, head=pull.head_sha)
                synced += 1
        if synced:
            logger.info("pull_requests_resynced", count=synced)
        return synced

    def _guarded(self, step: Callable[..., object], *args: object) -> None:
        try:
            step(*args)
        except GitHubError as exc:
            # GitHub being away must not stop indexing; the next pass repeats.
            logger.warning("github_step_failed", step=step.__name__, error=str(exc))

    def _pull_lock(self, repo: str, number: int) -> _PullLock:
        return _PullLock(self.store, f"pull:{repo}#{number}", self._owner)


class _PullLock:
    """One replica at a time per pull request (waits, then goes ahead)."""

    def __init__(self, store: Store, name: str, owner: str) -> None:
        self.store = store
        self.name = name
        self.owner = f"{owner}:{threading.get_ident()}"

    def __enter__(self) -> None:
        deadline = time.monotonic() + _LOCK_WAIT
        while not self.store.try_lock(
            name=self.name, owner=self.owner, ttl_seconds=_LOCK_SECONDS
        ):
            if time.monotonic() > deadline:
                message = f"{self.name} is being handled elsewhere; try again later"
                raise TimeoutError(message)
            time.sleep(0.05)

    def __exit__(self, *_: object) -> None:
        self.store.unlock(name=self.name, owner=self.owner)
