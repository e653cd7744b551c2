"""What the API needs from the rest of pao, bundled by the controller.

The API does not build its dependencies: ``pao serve`` opens the store,
resolves the configuration, starts the workers, and passes them here as
an :class:`ApiServices`. Endpoints reach it with :func:`services_of`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from starlette.requests import Request

from pao import __version__
from pao.api.config import ApiConfig
from pao.api.webhooks_sansio import Delivery
from pao.core.metrics import METRICS, PaoMetrics, RequestCountSource

__all__ = [
    "ApiServices",
    "DeliveryLog",
    "ReadinessProbe",
    "VersionInfo",
    "services_of",
]

#: A readiness check: true when ready; raising counts as not ready.
ReadinessProbe = Callable[[], bool]


class DeliveryLog(Protocol):
    """Where webhook deliveries are recorded before they are answered."""

    def record_delivery(
        self, *, source: str, delivery_id: str, event: str, payload: Any
    ) -> bool:
        """Store the delivery once; tell whether it was new."""
        ...


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
    store: DeliveryLog
    #: Hands a recorded delivery to the workers; must not block.
    enqueue_delivery: Callable[[Delivery], None]
    #: Asks the controller to re-read the catalog repo now; must not block.
    refresh_catalog: Callable[[], None]
    #: Named readiness checks, e.g. ``store``, ``repos``, ``migrations``.
    readiness: Mapping[str, ReadinessProbe] = field(default_factory=dict)
    #: Feeds ``pao_requests_total`` at scrape time.
    request_counts: RequestCountSource | None = None
    version: VersionInfo = field(default_factory=VersionInfo.current)
    metrics: PaoMetrics = METRICS


def services_of(request: Request) -> ApiServices:
    """The :class:`ApiServices` of the app serving *request*."""
    services = request.app.state.services
    assert isinstance(services, ApiServices)
    return services
