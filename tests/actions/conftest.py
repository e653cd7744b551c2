from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from actions.scripted import ScriptedTarget
from pao.actions import ActionContext, RetryPolicy, SecretMasker
from pao.actions.http import Circuits, HttpSender, new_client
from pao.standins.runner import serve_app

SECRETS = ("s3cr3t-token-value", "hook-signing-key", "client-secret-xyz")

FAST_RETRY = RetryPolicy(max_attempts=3, initial_backoff=0.01, max_backoff=0.05)


@pytest.fixture(scope="session")
def _served_target() -> Iterator[ScriptedTarget]:
    app = ScriptedTarget()
    with serve_app(app, name="actions-target") as server:
        app.url = server.url
        yield app


@pytest.fixture
def target(_served_target: ScriptedTarget) -> ScriptedTarget:
    _served_target.reset()
    return _served_target


@pytest.fixture
def circuits() -> Circuits:
    return Circuits(fail_max=5, reset_timeout=30.0)


@pytest.fixture(scope="session")
def http_client() -> Iterator[httpx.Client]:
    # One pooled client for the session, as in the product; building one
    # (with its TLS context) per test would dominate the run time.
    client = new_client()
    yield client
    client.close()


@pytest.fixture
def sender(http_client: httpx.Client, circuits: Circuits) -> HttpSender:
    return HttpSender(client=http_client, circuits=circuits)


@pytest.fixture
def make_ctx() -> Callable[..., ActionContext]:
    def make(**overrides: Any) -> ActionContext:
        fields: dict[str, Any] = {
            "request_id": "payments/orders-db",
            "action_id": "create-db",
            "run_id": "run-1",
            "idempotency_key": "idem-1234",
            "correlation_id": "corr-42",
            "masker": SecretMasker(SECRETS),
            "timeout": 10.0,
            "retry": FAST_RETRY,
        }
        fields.update(overrides)
        return ActionContext(**fields)

    return make


@pytest.fixture
def ctx(make_ctx: Callable[..., ActionContext]) -> ActionContext:
    return make_ctx()


@pytest.fixture
def closed_port() -> int:
    # A port that was free a moment ago: nothing listens there, so a
    # connection is refused.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port
