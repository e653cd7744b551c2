"""What the API needs from the rest of pao, bundled by the controller.

The API does not build its dependencies: ``pao serve`` opens the store and
the cache, resolves the configuration, starts the workers, and passes them
here as an :class:`ApiServices`. Endpoints reach it with
:func:`services_of`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from starlette.requests import Request

from pao import __version__
from pao.api.config import ApiConfig
from pao.api.webhooks_sansio import Delivery
from pao.core.metrics import METRICS, PaoMetrics, RequestCount, RequestCountSource
from pao.store import Cache, Store

__all__ = [
    "REPOS",
    "ApiServices",
    "ReadinessProbe",
    "VersionInfo",
    "services_of",
    "store_readiness",
    "store_request_counts",
]

#: A readiness check: true when ready; raising counts as not ready.
ReadinessProbe = Callable[[], bool]

#: The repositories whose state the store keeps.
REPOS = ("catalog", "requests")


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """What ``/version`` reports."""

    version: str
    git_sha: str | None = None

    @classmethod
    def current(cls) -> VersionInfo:
        """The installed package's version; the commit from ``PAO_GIT_SHA``,
        which image builds set."""
        return cls(version=__version__, git_sha=os.environ.get("PAO_GIT_SHA") or None)


@dataclass(frozen=True, kw_only=True)
class ApiServices:
    """The API's dependencies."""

    config: ApiConfig
    store: Store
    cache: Cache
    #: Hands a recorded delivery to the workers; must not block.
    enqueue_delivery: Callable[[Delivery], None]
    #: Asks the controller to re-read the catalog repo now; must not block.
    refresh_catalog: Callable[[], None]
    #: Named readiness checks; ``None``: :func:`store_readiness`.
    readiness: Mapping[str, ReadinessProbe] | None = None
    version: VersionInfo = field(default_factory=VersionInfo.current)
    metrics: PaoMetrics = METRICS

    def readiness_checks(self) -> Mapping[str, ReadinessProbe]:
        if self.readiness is None:
            return store_readiness(self.store)
        return self.readiness


def store_readiness(store: Store) -> dict[str, ReadinessProbe]:
    """The standard checks: the store answers, its schema is current, and
    both repositories were fetched at least once."""

    def reachable() -> bool:
        store.ping()
        return True

    def fetched() -> bool:
        states = [store.get_repo_state(repo) for repo in REPOS]
        return all(s is not None and s.fetched_at is not None for s in states)

    return {
        "store": reachable,
        "migrations": store.migrations_current,
        "repos": fetched,
    }


def store_request_counts(store: Store) -> RequestCountSource:
    """Read ``pao_requests_total`` from *store* at scrape time."""

    def counts() -> list[RequestCount]:
        return [
            RequestCount(
                status=row.status.value,
                catalog_item=row.item_id,
                user_team=row.team,
                count=row.count,
            )
            for row in store.count_requests()
        ]

    return counts


def services_of(request: Request) -> ApiServices:
    """The :class:`ApiServices` of the app serving *request*."""
    services = request.app.state.services
    assert isinstance(services, ApiServices)
    return services
