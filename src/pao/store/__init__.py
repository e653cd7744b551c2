"""pao's index, execution log and cache (the bottom layer but ``core``).

Open a store with :func:`open_store` (SQLite file by default, PostgreSQL
through a URL), run :meth:`Store.migrate` once at startup, then call its
methods from any thread. Open a cache with :func:`open_cache` (in-process
by default, Redis through a URL). Nothing here knows about catalog items
or requests beyond plain records and JSON.
"""

from __future__ import annotations

from ._base import KEEP, Keep
from .cache import (
    Cache,
    CacheCounts,
    CacheKeys,
    CacheStats,
    cached,
    invalidate_catalog,
)
from .cache_memory import MemoryCache
from .database import Database, Leadership
from .errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    StoreError,
    StoreUnavailable,
)
from .factory import open_cache, open_database, open_store
from .records import (
    ActionRun,
    ActionRunStatus,
    AuditEntry,
    CatalogItem,
    CatalogVersion,
    DeliveryStatus,
    NewCatalogVersion,
    NewRevision,
    Page,
    RepoState,
    RequestCount,
    RequestRecord,
    RequestRevision,
    RequestStatus,
    SortKey,
    WebhookDelivery,
)
from .runs import FINAL_RUN_STATUSES
from .store import Store
from .transitions import ALLOWED_TRANSITIONS, TERMINAL_STATUSES, can_transition
from .work import CLAIMABLE_STATUSES

__all__ = [
    "ALLOWED_TRANSITIONS",
    "CLAIMABLE_STATUSES",
    "FINAL_RUN_STATUSES",
    "KEEP",
    "TERMINAL_STATUSES",
    "ActionRun",
    "ActionRunStatus",
    "AuditEntry",
    "Cache",
    "CacheCounts",
    "CacheKeys",
    "CacheStats",
    "CatalogItem",
    "CatalogVersion",
    "Conflict",
    "Database",
    "DeliveryStatus",
    "InvalidTransition",
    "Keep",
    "Leadership",
    "MemoryCache",
    "NewCatalogVersion",
    "NewRevision",
    "NotFound",
    "Page",
    "RepoState",
    "RequestCount",
    "RequestRecord",
    "RequestRevision",
    "RequestStatus",
    "SortKey",
    "Store",
    "StoreError",
    "StoreUnavailable",
    "WebhookDelivery",
    "cached",
    "can_transition",
    "invalidate_catalog",
    "open_cache",
    "open_database",
    "open_store",
]
