"""Reading Retry-After as seconds or as an HTTP-date."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pao.actions.http import parse_retry_after

NOW = datetime(2025, 1, 31, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("0", 0.0),
        ("7", 7.0),
        (" 120 ", 120.0),
        ("1.5", 1.5),
        ("Fri, 31 Jan 2025 12:00:30 GMT", 30.0),
        ("Fri, 31 Jan 2025 11:59:00 GMT", 0.0),
        ("Friday, 31-Jan-25 12:01:00 GMT", 60.0),
    ],
)
def test_readable_values(value: str, seconds: float) -> None:
    assert parse_retry_after(value, now=NOW) == seconds


@pytest.mark.parametrize("value", [None, "", "-5", "1.", "soon", "Fri, 99 Foo"])
def test_unreadable_values_count_as_absent(value: str | None) -> None:
    assert parse_retry_after(value, now=NOW) is None
