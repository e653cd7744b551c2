"""Prometheus metrics, in one registry that every layer can update.

The API exposes :attr:`PaoMetrics.registry` at ``/api/v1/metrics``; the
controller, reconcilers and actions update the metrics they own through the
process-wide :data:`METRICS` (tests build their own :class:`PaoMetrics` so
that counts do not leak between them). A dedicated registry keeps the
client library's process and platform collectors, which pao does not
document, out of the exposition.

``pao_requests_total`` is the number of requests currently in each status,
read from the index at scrape time: the index, not this process, knows
the fleet-wide state, and a counter kept per replica would double count
and reset on restart. It is therefore exposed as a gauge; the ``_total``
name is the one operators already use in their dashboards.
"""

from __future__ import annotations

import math
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

__all__ = [
    "CONTENT_TYPE",
    "METRICS",
    "PaoMetrics",
    "RequestCount",
    "RequestCountSource",
]

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# Fulfilment spans minutes to days; HTTP and reconcile steps seconds.
_FULFILMENT_BUCKETS = (60, 300, 900, 1800, 3600, 4 * 3600, 12 * 3600, 86400, 7 * 86400)
# Recent runs per action type that pao_action_failure_rate averages over.
_RATE_WINDOW = 100
_STEP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)


@dataclass(frozen=True, slots=True)
class RequestCount:
    """How many requests of one catalog item and team are in one status."""

    status: str
    catalog_item: str
    user_team: str
    count: int


RequestCountSource = Callable[[], Iterable[RequestCount]]


class _RequestCountCollector(Collector):
    """Reads request counts from the index when Prometheus scrapes."""

    def __init__(self, errors: Counter) -> None:
        self.source: RequestCountSource | None = None
        self._errors = errors

    def describe(self) -> Iterable[Metric]:
        return [self._family()]

    def collect(self) -> Iterator[Metric]:
        family = self._family()
        if self.source is not None:
            try:
                counts = list(self.source())
            except Exception:
                # One unreachable source must not fail the whole scrape:
                # the other metrics are what an operator needs most then.
                self._errors.labels(collector="pao_requests_total").inc()
                counts = []
            for row in counts:
                labels = [row.status, row.catalog_item, row.user_team]
                family.add_metric(labels, row.count)
        yield family

    @staticmethod
    def _family() -> GaugeMetricFamily:
        return GaugeMetricFamily(
            "pao_requests_total",
            "Requests currently in each status, by catalog item and team.",
            labels=["status", "catalog_item", "user_team"],
        )


class PaoMetrics:
    """The metrics pao exposes, registered in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        reg = self.registry
        self.scrape_errors = Counter(
            "pao_scrape_errors",
            "Metric sources that failed while being scraped.",
            ["collector"],
            registry=None,
        )
        self._request_counts = _RequestCountCollector(self.scrape_errors)
        reg.register(self._request_counts)
        self.request_duration = Histogram(
            "pao_request_duration_seconds",
            "Time from a request's submission to its final status.",
            ["catalog_item", "status"],
            buckets=_FULFILMENT_BUCKETS,
            registry=reg,
        )
        self.catalog_cache_hit_ratio = Gauge(
            "pao_catalog_cache_hit_ratio",
            "Share of catalog reads answered from the cache.",
            registry=reg,
        )
        self.action_failure_rate = Gauge(
            "pao_action_failure_rate",
            "Share of recent action runs that failed, by action type.",
            ["action_type"],
            registry=reg,
        )
        self.webhook_deliveries = Counter(
            "pao_webhook_deliveries",
            "Webhook deliveries received, by source, event and outcome.",
            ["source", "event", "outcome"],
            registry=reg,
        )
        self.reconcile_duration = Histogram(
            "pao_reconcile_duration_seconds",
            "Time one reconcile pass of a repo took.",
            ["repo"],
            buckets=_STEP_BUCKETS,
            registry=reg,
        )
        self.queue_depth = Gauge(
            "pao_queue_depth",
            "Work items waiting to be claimed.",
            registry=reg,
        )
        self.http_request_duration = Histogram(
            "pao_http_request_duration_seconds",
            "Time the API took to answer, by method, route and status.",
            ["method", "route", "status"],
            buckets=_STEP_BUCKETS,
            registry=reg,
        )
        self._rates: dict[str, deque[bool]] = {}
        self._rates_lock = threading.Lock()
        # Registered last, after every source that counts into it, so a
        # scrape reports its own failures.
        reg.register(self.scrape_errors)

    def set_request_count_source(self, source: RequestCountSource | None) -> None:
        """Read ``pao_requests_total`` from *source* at every scrape."""
        self._request_counts.source = source

    def set_queue_depth_source(self, source: Callable[[], float]) -> None:
        """Read ``pao_queue_depth`` from *source* at every scrape."""
        self._read_at_scrape(self.queue_depth, "pao_queue_depth", source)

    def set_cache_hit_ratio_source(self, source: Callable[[], float]) -> None:
        """Read ``pao_catalog_cache_hit_ratio`` from *source* at every scrape."""
        name = "pao_catalog_cache_hit_ratio"
        self._read_at_scrape(self.catalog_cache_hit_ratio, name, source)

    def _read_at_scrape(
        self, gauge: Gauge, name: str, source: Callable[[], float]
    ) -> None:
        errors = self.scrape_errors.labels(collector=name)

        def read() -> float:
            try:
                return float(source())
            except Exception:
                errors.inc()
                return math.nan

        gauge.set_function(read)

    def record_action(self, action_type: str, *, failed: bool) -> None:
        """Count one finished action run into ``pao_action_failure_rate``.

        The rate is over the last :data:`_RATE_WINDOW` runs of each type, so
        it recovers once a broken target is fixed.
        """
        with self._rates_lock:
            window = self._rates.setdefault(action_type, deque(maxlen=_RATE_WINDOW))
            window.append(failed)
            rate = sum(window) / len(window)
        self.action_failure_rate.labels(action_type=action_type).set(rate)

    def exposition(self) -> bytes:
        """The registry in Prometheus text format (:data:`CONTENT_TYPE`)."""
        return generate_latest(self.registry)


METRICS = PaoMetrics()
