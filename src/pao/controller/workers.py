"""Workers: claim requests from the store and advance them.

The dispatcher claims as many requests as there are free worker threads
(a lease per request, so several replicas never work on the same one),
hands each to the fulfillment engine, and keeps the leases of running work
alive with a heartbeat. A request whose action waits on its target keeps
its lease until the next poll is due: the lease's expiry is the schedule.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import structlog

from pao.catalog import CatalogLoad
from pao.controller.loops import PeriodicLoop
from pao.reconcilers.fulfillment import Advance, Fulfiller
from pao.store import RequestRecord, RequestStatus, Store, StoreError

__all__ = ["Dispatcher"]

logger = structlog.get_logger(__name__)

S = RequestStatus


class Dispatcher:
    """Claims work and runs it on a bounded thread pool."""

    def __init__(
        self,
        *,
        store: Store,
        fulfiller: Fulfiller,
        catalog: Callable[[], CatalogLoad],
        owner: str,
        workers: int,
        lease_seconds: float = 30.0,
        on_finished: Callable[[RequestRecord, Advance], None] = lambda *_: None,
    ) -> None:
        self.store = store
        self.fulfiller = fulfiller
        self.catalog = catalog
        self.owner = owner
        self.workers = workers
        self.lease_seconds = lease_seconds
        self.on_finished = on_finished
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="pao-worker")
        self._inflight: set[str] = set()
        self._lock = threading.Lock()
        self._accepting = True
        self.loop = PeriodicLoop("dispatcher", self.dispatch, interval=0.5)
        self.heartbeat = PeriodicLoop(
            "heartbeat", self._renew, interval=lease_seconds / 3
        )

    def start(self) -> None:
        self.loop.start()
        self.heartbeat.start()

    def wake(self) -> None:
        self.loop.wake()

    def busy(self) -> int:
        with self._lock:
            return len(self._inflight)

    def drain(self, timeout: float | None = None) -> None:
        """Stop claiming, then wait for running work to finish."""
        self._accepting = False
        self.loop.stop(timeout=timeout)
        self._pool.shutdown(wait=True)
        self.heartbeat.stop(timeout=timeout)

    def dispatch(self) -> int:
        """Claim and start as much work as there are free workers."""
        if not self._accepting:
            return 0
        free = self.workers - self.busy()
        if free <= 0:
            return 0
        claimed = self.store.claim_requests(
            owner=self.owner, limit=free, lease_seconds=self.lease_seconds
        )
        for request in claimed:
            with self._lock:
                self._inflight.add(request.id)
            self._pool.submit(self._work, request)
        return len(claimed)

    def _work(self, request: RequestRecord) -> None:
        advance = Advance(request.status)
        try:
            advance = self._advance(request)
        except Exception:
            # A database outage or a bug: keep the claim for a while so the
            # request is looked at again later instead of in a tight loop.
            logger.exception("request_step_failed", request_id=request.id)
            advance = Advance(request.status, poll_after=self.lease_seconds)
        finally:
            with self._lock:
                self._inflight.discard(request.id)
            self._settle_lease(request, advance)
        self.on_finished(request, advance)
        # More may be waiting now that a worker is free.
        self.loop.wake()

    def _advance(self, request: RequestRecord) -> Advance:
        loaded = self.catalog().get(request.item_id)
        if loaded is None:
            return self._fail_missing_item(request)
        return self.fulfiller.advance(request, loaded.item)

    def _fail_missing_item(self, request: RequestRecord) -> Advance:
        failure = {
            "error": f"catalog item {request.item_id} is not in the catalog (any more)"
        }
        current = request
        if current.status is S.QUEUED:
            current = self.store.transition_request(
                request_id=request.id,
                to_status=S.IN_PROGRESS,
                actor="fulfilment",
                expected_from=[S.QUEUED],
            )
        self.store.transition_request(
            request_id=request.id,
            to_status=S.FAILED,
            actor="fulfilment",
            expected_from=[current.status],
            failure=failure,
        )
        return Advance(S.FAILED)

    def _settle_lease(self, request: RequestRecord, advance: Advance) -> None:
        try:
            if advance.poll_after is not None:
                # The lease's expiry is the schedule: the request is claimed
                # again when the target is due to be asked.
                self.store.schedule_lease(
                    request_id=request.id,
                    owner=self.owner,
                    delay_seconds=advance.poll_after,
                )
            else:
                self.store.release_lease(request_id=request.id, owner=self.owner)
        except StoreError:
            logger.warning("lease_not_settled", request_id=request.id)

    def _renew(self) -> None:
        with self._lock:
            running = list(self._inflight)
        for request_id in running:
            if not self.store.renew_lease(
                request_id=request_id,
                owner=self.owner,
                lease_seconds=self.lease_seconds,
            ):
                logger.error("lease_lost", request_id=request_id)
