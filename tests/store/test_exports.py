"""The store's public surface."""

from __future__ import annotations

import pao.store


def test_the_public_names_are_pinned() -> None:
    assert sorted(pao.store.__all__) == sorted(
        [
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
    )
    for name in pao.store.__all__:
        assert getattr(pao.store, name) is not None
