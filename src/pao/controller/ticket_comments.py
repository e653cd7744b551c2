"""Comment on a request's Jira tickets when pao moves the request on.

Whoever works a ticket (a manual fulfilment, an approval) sees in Jira what
pao did next: "request … is now completed". The audit log is the feed, read
after a watermark of its own; a comment lost to a crash between posting
and saving the watermark is posted again at most once per restart.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import structlog

from pao.store import ActionRunStatus, AuditEntry, Store

__all__ = ["TicketCommenter"]

logger = structlog.get_logger(__name__)

WATERMARK = "ticket-comments"
BATCH = 500


class Commenter(Protocol):
    def add_comment(self, instance: str | None, key: str, text: str) -> str: ...


class TicketCommenter:
    """Posts one comment per status change on each ticket of the request."""

    def __init__(self, *, store: Store, jira: Commenter) -> None:
        self.store = store
        self.jira = jira

    def comment_pending(self) -> int:
        state = self.store.get_repo_state(WATERMARK)
        watermark = int(state.indexed_sha) if state and state.indexed_sha else None
        if watermark is None:
            # First start: only what happens from now on is commented.
            latest = self._latest_id()
            self.store.set_repo_state(repo=WATERMARK, indexed_sha=str(latest))
            return 0
        entries = self.store.list_audit(after_id=watermark, limit=BATCH)
        posted = 0
        for entry in entries:
            if entry.request_id and entry.to_status and entry.actor != "indexer":
                posted += self._comment(entry)
        if entries:
            self.store.set_repo_state(repo=WATERMARK, indexed_sha=str(entries[-1].id))
        return posted

    def _latest_id(self) -> int:
        latest = 0
        while True:
            entries = self.store.list_audit(after_id=latest, limit=BATCH)
            if not entries:
                return latest
            latest = entries[-1].id

    def _comment(self, entry: AuditEntry) -> int:
        assert entry.request_id is not None
        request = self.store.get_request(entry.request_id)
        text = (
            f"pao: request {request.item_id}/{request.name} ({request.id}) is now"
            f" {entry.to_status} (was {entry.from_status}, by {entry.actor})."
        )
        posted = 0
        for instance, key in _tickets(self.store, request.id):
            try:
                self.jira.add_comment(instance, key, text)
                posted += 1
            except Exception as exc:
                logger.warning("ticket_comment_failed", key=key, error=str(exc))
        return posted


def _tickets(store: Store, request_id: str) -> list[tuple[str | None, str]]:
    found: list[tuple[str | None, str]] = []
    for run in store.list_action_runs(request_id=request_id):
        if run.status not in (ActionRunStatus.WAITING, ActionRunStatus.SUCCEEDED):
            continue
        instance, key = _ticket_of(run.outputs or {}, run.external_ref or {})
        if key and (instance, key) not in found:
            found.append((instance, key))
    return found


def _ticket_of(
    outputs: Mapping[str, Any], ref: Mapping[str, Any]
) -> tuple[str | None, str | None]:
    """(instance, key) when the run is a Jira ticket, else (None, None)."""
    waiting = ref.get("waiting")
    inner = waiting.get("ref", {}) if isinstance(waiting, Mapping) else {}
    awaits_ticket = isinstance(waiting, Mapping) and waiting.get("kind") == (
        "jira-resolution"
    )
    links_ticket = "/browse/" in str(outputs.get("url", ""))
    if not (awaits_ticket or links_ticket):
        return None, None
    key = inner.get("key") or ref.get("key") or outputs.get("key")
    instance = inner.get("instance") or ref.get("instance")
    return (str(instance) if instance else None), (str(key) if key else None)
