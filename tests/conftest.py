"""Fixtures shared by the whole suite.

PostgreSQL and Redis are used for real. Where they are not reachable the
tests that need them skip with the reason, unless ``PAO_REQUIRE_SERVICES``
is set (``.ci/run`` sets it), in which case the skip becomes a failure.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from services import DATABASE_URL, REDIS_URL, require_service

SHARED = Path(__file__).resolve().parents[2] / "shared"
FIXTURES = Path(os.environ.get("PAO_SHARED_DIR", SHARED)) / "fixtures"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


@pytest.fixture
def postgres_url() -> str:
    require_service("PostgreSQL", "127.0.0.1", 5432)
    return DATABASE_URL


@pytest.fixture
def redis_url() -> str:
    require_service("Redis", "127.0.0.1", 6379)
    return REDIS_URL


@pytest.fixture
def fixtures_dir() -> Path:
    if not FIXTURES.is_dir():
        pytest.fail(f"shared fixtures not found at {FIXTURES}; set PAO_SHARED_DIR")
    return FIXTURES


@pytest.fixture
def examples_dir() -> Path:
    return EXAMPLES


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    # Every HTTP call in the suite goes to 127.0.0.1; a proxy from the
    # environment must never see it.
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
