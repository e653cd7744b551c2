"""Handle recorded webhook deliveries: each only says "look now".

The API records a delivery and answers 202; this loop takes pending
deliveries from the store (so a restart loses none) and turns each into a
nudge: a push re-reads the repos, and a Jira, Terraform or workflow-run
event wakes the request whose action waits on that ticket or run, which
then asks the target itself. Nothing a delivery says is trusted as the
outcome, so a forged or stale delivery can at most cause an early poll.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import structlog

from pao.core.metrics import METRICS
from pao.store import ActionRunStatus, RequestStatus, Store, WebhookDelivery

__all__ = ["DeliveryProcessor", "identifiers_of"]

logger = structlog.get_logger(__name__)

BATCH = 100


class DeliveryProcessor:
    """Drains pending deliveries into controller nudges."""

    def __init__(
        self,
        *,
        store: Store,
        trigger: Callable[[], None],
        wake_requests: Callable[[], None],
        route_github: Callable[[WebhookDelivery], None] | None = None,
    ) -> None:
        self.store = store
        self.trigger = trigger
        self.wake_requests = wake_requests
        #: GitHub mode's router (pull requests, reviews, commands, pushes).
        self.route_github = route_github

    def process_pending(self) -> int:
        handled = 0
        for delivery in self.store.list_pending_deliveries(limit=BATCH):
            if not self.store.start_delivery(
                source=delivery.source, delivery_id=delivery.delivery_id
            ):
                continue  # another replica took it
            error = self._handle(delivery)
            self.store.finish_delivery(
                source=delivery.source, delivery_id=delivery.delivery_id, error=error
            )
            outcome = "failed" if error else "handled"
            METRICS.webhook_deliveries.labels(
                source=delivery.source, event=delivery.event, outcome=outcome
            ).inc()
            handled += 1
        return handled

    def _handle(self, delivery: WebhookDelivery) -> str | None:
        log = logger.bind(
            source=delivery.source,
            delivery_id=delivery.delivery_id,
            event=delivery.event,
        )
        try:
            if delivery.source == "github" and self.route_github is not None:
                self.route_github(delivery)
            elif delivery.source == "github" and delivery.event == "push":
                self.trigger()
            woken = self._wake_waiting(identifiers_of(delivery))
            log.info("delivery_handled", woke=woken)
        except Exception as exc:
            log.exception("delivery_failed")
            return f"{type(exc).__name__}: {exc}"
        return None

    def _wake_waiting(self, identifiers: set[str]) -> int:
        if not identifiers:
            return 0
        woken = 0
        after = None
        while True:
            page = self.store.list_requests(
                statuses=[RequestStatus.IN_PROGRESS],
                after=after,
                limit=200,
                with_total=False,
            )
            for request in page.items:
                # Only a scheduled request is woken; one a worker holds is
                # being looked at already.
                if self._waits_on(
                    request.id, request.revision, identifiers
                ) and self.store.wake_scheduled(request_id=request.id):
                    woken += 1
            if not page.has_more:
                break
            after = page.next_key
        if woken:
            self.wake_requests()
        return woken

    def _waits_on(self, request_id: str, revision: int, identifiers: set[str]) -> bool:
        runs = self.store.list_action_runs(request_id=request_id, revision=revision)
        for run in runs:
            if run.status is not ActionRunStatus.WAITING:
                continue
            if identifiers & set(_strings(run.external_ref or {})):
                return True
        return False


def identifiers_of(delivery: WebhookDelivery) -> set[str]:
    """The ticket keys and run ids a delivery is about."""
    payload = delivery.payload if isinstance(delivery.payload, Mapping) else {}
    found: set[str] = set()
    issue = payload.get("issue")
    if isinstance(issue, Mapping):
        found.update(str(issue[key]) for key in ("key", "id") if issue.get(key))
    for key in ("run_id", "workspace_id"):
        if payload.get(key):
            found.add(str(payload[key]))
    run = payload.get("workflow_run")
    if isinstance(run, Mapping):
        found.update(str(run[key]) for key in ("id",) if run.get(key))
        # Before its id is known a dispatched run is found by the
        # correlation value pao put in its title.
        for key in ("display_title", "name"):
            title = run.get(key)
            if isinstance(title, str):
                found.update(title.split())
    return found


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str | int) and not isinstance(value, bool):
        yield str(value)
