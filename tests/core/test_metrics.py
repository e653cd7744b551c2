"""PaoMetrics: one registry, documented names, scrape-time sources."""

from __future__ import annotations

import math

from prometheus_client.parser import text_string_to_metric_families

from pao.core.metrics import METRICS, PaoMetrics, RequestCount


def families(metrics: PaoMetrics) -> dict[str, object]:
    text = metrics.exposition().decode()
    return {family.name: family for family in text_string_to_metric_families(text)}


def test_exposition_holds_only_pao_metrics() -> None:
    names = set(families(PaoMetrics()))

    assert names == {
        "pao_requests_total",
        "pao_request_duration_seconds",
        "pao_catalog_cache_hit_ratio",
        "pao_action_failure_rate",
        "pao_webhook_deliveries",
        "pao_reconcile_duration_seconds",
        "pao_queue_depth",
        "pao_http_request_duration_seconds",
        "pao_scrape_errors",
    }


def test_instances_do_not_share_values() -> None:
    first, second = PaoMetrics(), PaoMetrics()

    first.queue_depth.set(5)

    assert second.registry.get_sample_value("pao_queue_depth") == 0
    assert isinstance(METRICS, PaoMetrics)


def test_request_counts_are_read_at_each_scrape() -> None:
    metrics = PaoMetrics()
    rows = [RequestCount("queued", "kafka-topic", "acme/web", 1)]
    metrics.set_request_count_source(lambda: rows)

    first = metrics.registry.get_sample_value(
        "pao_requests_total",
        {"status": "queued", "catalog_item": "kafka-topic", "user_team": "acme/web"},
    )
    rows.append(RequestCount("failed", "kafka-topic", "acme/web", 4))
    second = metrics.registry.get_sample_value(
        "pao_requests_total",
        {"status": "failed", "catalog_item": "kafka-topic", "user_team": "acme/web"},
    )

    assert (first, second) == (1, 4)


def test_failing_gauge_source_reads_nan_and_counts_an_error() -> None:
    metrics = PaoMetrics()

    def broken() -> float:
        raise OSError("gone")

    metrics.set_queue_depth_source(broken)
    scrapes = [families(metrics), families(metrics)]

    for n, scraped in enumerate(scrapes, start=1):
        [depth] = scraped["pao_queue_depth"].samples  # type: ignore[attr-defined]
        errors = {
            s.labels["collector"]: s.value
            for s in scraped["pao_scrape_errors"].samples  # type: ignore[attr-defined]
            if s.name.endswith("_total")
        }
        assert math.isnan(depth.value)
        assert errors == {"pao_queue_depth": n}


def test_histograms_take_observations() -> None:
    metrics = PaoMetrics()

    metrics.reconcile_duration.labels(repo="catalog").observe(0.2)
    metrics.request_duration.labels(
        catalog_item="kafka-topic", status="completed"
    ).observe(1800)

    assert (
        metrics.registry.get_sample_value(
            "pao_reconcile_duration_seconds_count", {"repo": "catalog"}
        )
        == 1
    )
    assert (
        metrics.registry.get_sample_value(
            "pao_request_duration_seconds_bucket",
            {"catalog_item": "kafka-topic", "status": "completed", "le": "1800.0"},
        )
        == 1
    )
