"""Fixtures for the stand-in tests: a webhook receiver and the OpenAPI file."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from openapi_check import load_openapi
from pao.standins.rest_target import RestTarget


@pytest.fixture(scope="module")
def _served_receiver() -> Iterator[RestTarget]:
    receiver = RestTarget()
    with receiver.serve():
        yield receiver


@pytest.fixture
def receiver(_served_receiver: RestTarget) -> RestTarget:
    """A running webhook receiver with nothing received yet."""
    with _served_receiver.state.lock:
        _served_receiver.state.webhooks.clear()
    return _served_receiver


@pytest.fixture
def github_openapi(fixtures_dir: Path) -> dict[str, Any]:
    return load_openapi(fixtures_dir)
