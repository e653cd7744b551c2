"""The controller: pao's main job, wiring repos, index and workers together.

One :class:`Controller` per process. It keeps local clones of the catalog
and requests repos under the data dir and runs three loops:

* the **poll loop** (every ``poll_interval`` seconds, or when triggered by
  a webhook or ``POST /catalog/refresh``) fetches both repos and indexes
  what changed — only on the replica holding leadership;
* the **dispatcher** claims queued requests and runs them on worker
  threads through the fulfillment engine;
* the **status writer** commits status files for every state change.

Everything it knows is in git or the store, so a crash at any point is
repaired by the next pass of each loop.
"""

from __future__ import annotations

import contextlib
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import structlog

from pao.actions.vendors import register_vendor_executors
from pao.catalog import CatalogLoad
from pao.controller.deliveries import DeliveryProcessor
from pao.controller.github_events import GitHubIntegration, github_configured
from pao.controller.loops import PeriodicLoop
from pao.controller.status_writer import StatusWriter
from pao.controller.ticket_comments import TicketCommenter
from pao.controller.workers import Dispatcher
from pao.core.metrics import METRICS
from pao.core.secrets import VaultReader
from pao.core.settings import Settings
from pao.forge.git import GitError, GitRepo, Identity
from pao.reconcilers.catalog_sync import CatalogSync
from pao.reconcilers.fulfillment import Advance, EngineSettings, Fulfiller
from pao.reconcilers.request_sync import RequestSync
from pao.store import (
    Cache,
    CacheKeys,
    RequestRecord,
    RequestStatus,
    Store,
    StoreError,
    invalidate_catalog,
    open_cache,
    open_store,
)
from pao.templates import DefaultSecretResolver

__all__ = ["Controller", "ControllerOptions"]

logger = structlog.get_logger(__name__)


@dataclass(frozen=True, kw_only=True)
class ControllerOptions:
    """Knobs that are not user configuration (tests and the demo set them)."""

    #: Overrides ``settings.lease_seconds`` when set.
    lease_seconds: float | None = None
    status_interval: float = 1.0
    #: Reads ``vault:PATH#KEY`` references; None refuses them clearly.
    vault: VaultReader | None = None
    git_author: Identity = field(
        default_factory=lambda: Identity("pao", "pao@localhost")
    )
    #: GitHub mode: how often open pull requests are resynced, and how
    #: often progress is reported on them.
    github_resync_interval: float = 300.0
    github_interval: float = 2.0
    #: Pause between GitHub writes (GitHub asks integrators for about 1 s).
    github_write_interval: float = 1.0


class Controller:
    """Owns the loops of one pao process."""

    def __init__(
        self,
        settings: Settings,
        *,
        store: Store | None = None,
        cache: Cache | None = None,
        options: ControllerOptions | None = None,
    ) -> None:
        self.settings = settings
        self.options = options or ControllerOptions()
        self.data_dir = Path(settings.data_dir)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.store = store or open_store(settings.database_url, data_dir=self.data_dir)
        self.store.migrate()
        self.cache = cache or open_cache(settings.redis_url)
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.catalog_repo: GitRepo | None = None
        self.requests_repo: GitRepo | None = None
        self.catalog_sync: CatalogSync | None = None
        self.request_sync: RequestSync | None = None
        self.status_writer: StatusWriter | None = None
        self.fetched = threading.Event()
        self._reconciling = threading.RLock()
        self._leadership = self.store.leadership("poller")
        # Jira, Terraform and GitHub executors take their instances and
        # credentials (references, resolved per call) from configuration.
        self.vendors = register_vendor_executors(settings)
        self.fulfiller = Fulfiller(
            store=self.store,
            settings=EngineSettings(
                worker=self.owner,
                environment_allow=tuple(settings.environment),
                correlation_header=settings.correlation_id_header,
            ),
            resolver=DefaultSecretResolver(vault=self.options.vault),
            field_resolver=DefaultSecretResolver(
                vault=self.options.vault,
                allowed_env=settings.request_secret_env,
                file_roots=(),
            ),
            on_change=self._changed,
        )
        self.dispatcher = Dispatcher(
            store=self.store,
            fulfiller=self.fulfiller,
            catalog=self.catalog,
            owner=self.owner,
            workers=settings.workers,
            lease_seconds=self.options.lease_seconds or settings.lease_seconds,
            on_finished=self._finished,
        )
        self.poller = PeriodicLoop(
            "poller", self.reconcile, interval=settings.poll_interval, min_gap=0.05
        )
        self.github = (
            GitHubIntegration(
                settings=settings,
                store=self.store,
                requests_clone=lambda: self.requests_repo,
                catalog_clone=lambda: self.catalog_repo,
                catalog=self.catalog,
                refresh=self.reconcile,
                wake=self.dispatcher.wake,
                resync_interval=self.options.github_resync_interval,
                write_interval=self.options.github_write_interval,
            )
            if github_configured(settings)
            else None
        )
        self.deliveries = DeliveryProcessor(
            store=self.store,
            trigger=self.trigger,
            wake_requests=self.dispatcher.wake,
            route_github=self.github.route if self.github else None,
        )
        self.github_loop = PeriodicLoop(
            "github", self._tend_github, interval=self.options.github_interval
        )
        self.delivery_loop = PeriodicLoop(
            "deliveries", self.deliveries.process_pending, interval=2.0, min_gap=0.02
        )
        self.commenter = (
            TicketCommenter(store=self.store, jira=self.vendors.jira)
            if settings.jira is not None and settings.jira.instances
            else None
        )
        self.comment_loop = PeriodicLoop(
            "ticket-comments", self._comment_tickets, interval=5.0
        )
        self.status_loop = PeriodicLoop(
            "status-writer",
            self.write_status,
            interval=self.options.status_interval,
            min_gap=0.05,
        )

    # -- lifecycle -----------------------------------------------------------

    def start(self) -> None:
        self.poller.start()
        self.dispatcher.start()
        self.status_loop.start()
        self.delivery_loop.start()
        if self.commenter is not None:
            self.comment_loop.start()
        if self.github is not None:
            self.github_loop.start()
        logger.info("controller_started", owner=self.owner)

    def trigger(self) -> None:
        """Look at the repos now (a webhook or a refresh asked)."""
        self.poller.wake()

    def delivery_received(self) -> None:
        """A webhook delivery was recorded: handle it soon."""
        self.delivery_loop.wake()

    def stop(self, *, timeout: float = 30.0) -> None:
        """Drain: no new work, let running actions finish, write status."""
        logger.info("controller_stopping", inflight=self.dispatcher.busy())
        self.poller.stop(timeout=timeout)
        self.delivery_loop.stop(timeout=timeout)
        self.github_loop.stop(timeout=timeout)
        self.dispatcher.drain(timeout=timeout)
        self.status_loop.stop(timeout=timeout)
        self.comment_loop.stop(timeout=timeout)
        self._write_status_safely()
        self._leadership.release()
        logger.info("controller_stopped")

    def close(self) -> None:
        self.store.close()

    # -- the passes ----------------------------------------------------------

    def catalog(self) -> CatalogLoad:
        return self.catalog_sync.current() if self.catalog_sync else CatalogLoad()

    def reconcile(self) -> None:
        """Fetch both repos and index what changed (leader only)."""
        started = time.monotonic()
        if not self._leadership.try_acquire():
            return
        # A webhook handler may ask for a pass while the poller runs one.
        with self._reconciling:
            self._reconcile()
        logger.debug("reconciled", seconds=round(time.monotonic() - started, 3))

    def _reconcile(self) -> None:
        self._open_repos()
        catalog_head = self._fetch("catalog", self.catalog_repo)
        requests_head = self._fetch("requests", self.requests_repo)
        if catalog_head and self.catalog_sync:
            with self._timed("catalog"):
                report = self.catalog_sync.sync(catalog_head)
            if self.github is not None:
                self.github.after_catalog_sync(report, self.catalog())
        # Requests are validated against a catalog: none before it loaded.
        catalog_ready = self.catalog_sync is not None and self.catalog_sync.head
        if requests_head and self.request_sync and catalog_ready:
            with self._timed("requests"):
                self.request_sync.sync(requests_head)
            if self.github is not None:
                self.github.after_requests_sync()
        if catalog_head and requests_head:
            self.fetched.set()
        self.dispatcher.wake()

    def _tend_github(self) -> None:
        if self.github is not None and self.fetched.is_set():
            self.github.tick()

    def _comment_tickets(self) -> None:
        if self.commenter is not None:
            self.commenter.comment_pending()

    def write_status(self) -> None:
        if self.status_writer is not None:
            self.status_writer.write_pending()

    def run_until_settled(self, *, timeout: float = 60.0) -> bool:
        """Reconcile and work in this thread until nothing is left to do.

        For ``pao reindex``, the demo and tests; ``True`` when settled.
        """
        deadline = time.monotonic() + timeout
        self.reconcile()
        while time.monotonic() < deadline:
            started = self.dispatcher.dispatch()
            if not started and not self.dispatcher.busy() and not self._claimable():
                self.write_status()
                return True
            time.sleep(0.02)
            self.write_status()
        return False

    # -- steps ---------------------------------------------------------------

    def _open_repos(self) -> None:
        if self.catalog_repo is None and self.settings.catalog_repo:
            self.catalog_repo = self._clone("catalog", self.settings.catalog_repo)
            if self.catalog_repo is not None:
                self.catalog_sync = CatalogSync(
                    store=self.store,
                    repo=self.catalog_repo,
                    on_change=self._catalog_changed,
                )
        if self.requests_repo is None and self.settings.requests_repo:
            self.requests_repo = self._clone("requests", self.settings.requests_repo)
            if self.requests_repo is not None:
                self.request_sync = RequestSync(
                    store=self.store,
                    repo=self.requests_repo,
                    catalog=self.catalog,
                    on_change=self._changed,
                    needs_approval=self.github is not None,
                    off_branch=self._off_branch,
                )
                self.request_sync.defer_running()
                self.status_writer = StatusWriter(
                    store=self.store,
                    repo=self.requests_repo,
                    author=self.options.git_author,
                    skip=self._off_branch,
                    on_seen=self._forget_statuses,
                )

    def _clone(self, name: str, url: str) -> GitRepo | None:
        try:
            return GitRepo.clone_or_open(url, workdir=self.data_dir / "repos" / name)
        except GitError as exc:
            self.store.set_repo_state(repo=name, last_error=str(exc))
            logger.warning("repo_unavailable", repo=name, error=str(exc))
            return None

    def _fetch(self, name: str, repo: GitRepo | None) -> str | None:
        if repo is None:
            return None
        try:
            head = repo.fetch()
        except GitError as exc:
            self.store.set_repo_state(repo=name, last_error=str(exc))
            logger.warning("fetch_failed", repo=name, error=str(exc))
            return None
        self.store.set_repo_state(
            repo=name, fetched_at=datetime.now(UTC), last_error=None
        )
        return head

    @contextlib.contextmanager
    def _timed(self, repo: str) -> Iterator[None]:
        started = time.monotonic()
        try:
            yield
        finally:
            elapsed = time.monotonic() - started
            METRICS.reconcile_duration.labels(repo=repo).observe(elapsed)

    def _claimable(self) -> bool:
        page = self.store.list_requests(
            statuses=[RequestStatus.QUEUED], limit=1, with_total=False
        )
        if page.items:
            return True
        running = self.store.list_requests(
            statuses=[RequestStatus.IN_PROGRESS], limit=200, with_total=False
        )
        now = datetime.now(UTC)
        return any(
            r.lease_expires_at is None or r.lease_expires_at <= now
            for r in running.items
        )

    def _forget_statuses(self, request_ids: set[str]) -> None:
        # The API caches each request's status briefly; a change from any
        # process ends that early.
        for request_id in request_ids:
            self.cache.delete(CacheKeys.request_status(request_id))

    def _changed(self, request_id: str) -> None:
        self.cache.delete(CacheKeys.request_status(request_id))
        if self.status_writer is not None:
            self.status_writer.mark(request_id)
        self.status_loop.wake()

    def _off_branch(self, request: RequestRecord) -> bool:
        return self.github is not None and self.github.skip_status(request)

    def _catalog_changed(self) -> None:
        invalidate_catalog(self.cache)

    def _finished(self, request: RequestRecord, advance: Advance) -> None:
        if advance.status in (RequestStatus.COMPLETED, RequestStatus.FAILED):
            self._recheck(request)
        self.status_loop.wake()

    def _recheck(self, request: RequestRecord) -> None:
        if self.request_sync is None:
            return
        try:
            self.request_sync.recheck(self.store.get_request(request.id))
        except (GitError, StoreError) as exc:
            logger.warning("recheck_failed", request_id=request.id, error=str(exc))

    def _write_status_safely(self) -> None:
        try:
            self.write_status()
        except (GitError, StoreError) as exc:
            logger.warning("final_status_write_failed", error=str(exc))
