"""Where the suite finds PostgreSQL and Redis, and what it does without them.

Test modules import these names from here (never from ``conftest``, whose
module name pytest gives to every conftest.py it loads).
"""

from __future__ import annotations

import os
import socket

import pytest

DATABASE_URL = os.environ.get(
    "PAO_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("PAO_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_service(name: str, host: str, port: int) -> None:
    """Skip (or, under ``PAO_REQUIRE_SERVICES``, fail) when *name* is down."""
    if _reachable(host, port):
        return
    reason = f"{name} is not answering on {host}:{port}"
    if os.environ.get("PAO_REQUIRE_SERVICES"):
        pytest.fail(f"{reason} and PAO_REQUIRE_SERVICES is set")
    pytest.skip(reason)
