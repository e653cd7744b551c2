"""Plain records the store reads and writes.

Everything here is a frozen dataclass or an enum of strings, so callers in
any layer can hold, compare and serialise them without touching a driver.
JSON columns come back as plain ``dict`` / ``list`` values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any, Generic, TypeVar

__all__ = [
    "ActionRun",
    "ActionRunStatus",
    "AuditEntry",
    "CatalogItem",
    "CatalogVersion",
    "DeliveryStatus",
    "NewCatalogVersion",
    "NewRevision",
    "Page",
    "RepoState",
    "RequestCount",
    "RequestRecord",
    "RequestRevision",
    "RequestStatus",
    "SortKey",
    "WebhookDelivery",
]

T = TypeVar("T")
JsonObject = dict[str, Any]


class RequestStatus(StrEnum):
    SUBMITTED = "submitted"
    VALIDATING = "validating"
    AWAITING_APPROVAL = "awaiting_approval"
    QUEUED = "queued"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    FAILED = "failed"
    ABORTED = "aborted"
    ESCALATED = "escalated"
    CANCELLED = "cancelled"


class ActionRunStatus(StrEnum):
    PENDING = "pending"
    STARTED = "started"
    WAITING = "waiting"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    SKIPPED = "skipped"
    INTERRUPTED = "interrupted"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    PROCESSING = "processing"
    DONE = "done"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class NewCatalogVersion:
    """One catalog file as the indexer read it at one commit.

    ``data`` is the parsed item when ``valid``; for an invalid file it is
    ``None`` and ``diagnostics`` says why. The descriptive fields (name,
    category, tags, …) feed the list filters and text search.
    """

    item_id: str
    path: str
    commit_sha: str
    content_sha256: str
    valid: bool
    version: str | None = None
    data: JsonObject | None = None
    diagnostics: Sequence[Mapping[str, Any]] = ()
    name: str = ""
    description: str = ""
    category: str = ""
    tags: Sequence[str] = ()
    lifecycle_status: str = "active"
    owner_team: str | None = None


@dataclass(frozen=True, slots=True)
class CatalogVersion:
    """A stored catalog file version."""

    id: int
    item_id: str
    version: str | None
    commit_sha: str
    path: str
    content_sha256: str
    valid: bool
    data: JsonObject | None
    diagnostics: list[JsonObject]
    name: str
    description: str
    category: str
    tags: list[str]
    lifecycle_status: str
    owner_team: str | None
    indexed_at: datetime


@dataclass(frozen=True, slots=True)
class CatalogItem:
    """The current (latest valid) version of an item, as the catalog serves it.

    ``stale`` is true when the newest file version of the item is invalid,
    so ``current`` is an older version that keeps serving.
    """

    item_id: str
    stale: bool
    current: CatalogVersion
    newest_version_id: int
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class RepoState:
    """How far the index has read one repository."""

    repo: str
    indexed_sha: str | None
    fetched_at: datetime | None
    last_error: str | None
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class NewRevision:
    """The content of a request file at one commit."""

    commit_sha: str
    content_sha256: str
    data: JsonObject
    author: str | None = None


@dataclass(frozen=True, slots=True)
class RequestRevision:
    """A stored revision of a request."""

    request_id: str
    revision: int
    commit_sha: str
    content_sha256: str
    data: JsonObject
    author: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """A request as the index knows it."""

    id: str
    item_id: str
    name: str
    path: str
    team: str
    owner_team: str | None
    requester: str | None
    status: RequestStatus
    revision: int
    revision_sha: str
    created_at: datetime
    updated_at: datetime
    escalation: JsonObject | None
    failure: JsonObject | None
    pr_number: int | None
    lease_owner: str | None
    lease_expires_at: datetime | None

    @property
    def sort_key(self) -> SortKey:
        """The keyset position of this request in listings."""
        return SortKey(created_at=self.created_at, id=self.id)


@dataclass(frozen=True, slots=True)
class SortKey:
    """A position in the request listing: ``(created_at, id)``."""

    created_at: datetime
    id: str


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a keyset-paginated listing."""

    items: list[T]
    has_more: bool
    total_count: int | None
    next_key: SortKey | None


@dataclass(frozen=True, slots=True)
class ActionRun:
    """One execution of one action for one request revision."""

    id: int
    request_id: str
    revision: int
    action_id: str
    run_number: int
    idempotency_key: str
    status: ActionRunStatus
    worker: str | None
    attempts: int
    started_at: datetime | None
    finished_at: datetime | None
    outputs: JsonObject | None
    error: str | None
    external_ref: JsonObject | None
    context: JsonObject | None


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the append-only audit log."""

    id: int
    request_id: str | None
    at: datetime
    actor: str
    event: str
    from_status: str | None
    to_status: str | None
    details: JsonObject
    correlation_id: str | None


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    """A webhook delivery as received, and how far it was processed."""

    id: int
    source: str
    delivery_id: str
    event: str
    received_at: datetime
    payload: Any
    status: DeliveryStatus
    attempts: int
    processed_at: datetime | None
    error: str | None
    meaning_key: str | None


@dataclass(frozen=True, slots=True)
class RequestCount:
    """How many requests share one status, item and team (for metrics)."""

    status: RequestStatus
    item_id: str
    team: str
    count: int
