"""Fixtures for the API tests: an app over real parts, and a client."""

from __future__ import annotations

import hashlib
import shutil
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.exceptions import StarletteDeprecationWarning

from pao.api import ApiConfig, ApiModule, ApiServices, Delivery, TokenGrant, create_app
from pao.api.services import ReadinessProbe, VersionInfo
from pao.core.metrics import PaoMetrics
from pao.store import MemoryCache, Store, open_store

# Starlette warns at import time while httpx (not httpx2) backs its test
# client; the client works the same, and the suite turns warnings into
# errors. Importing it here first keeps the warning out of every module.
with warnings.catch_warnings():
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

ALICE_TOKEN = "alice-token-0123456789"
ADMIN_TOKEN = "admin-token-0123456789"
METRICS_TOKEN = "metrics-token-0123456789"


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


GRANTS = (
    TokenGrant(
        user="alice@acme.example",
        teams=frozenset({"acme/payments"}),
        token_sha256=sha256_hex(ALICE_TOKEN),
    ),
    TokenGrant(
        user="root@acme.example",
        teams=frozenset(),
        token_sha256=sha256_hex(ADMIN_TOKEN),
        admin=True,
    ),
)


@dataclass
class Recorder:
    """Records what the API handed to the controller."""

    enqueued: list[Delivery] = field(default_factory=list)
    refreshes: int = 0

    def enqueue(self, delivery: Delivery) -> None:
        self.enqueued.append(delivery)

    def refresh(self) -> None:
        self.refreshes += 1


@dataclass
class AppFactory:
    """Builds apps over one store, with per-test configuration."""

    store: Store
    recorder: Recorder

    def __call__(
        self,
        *,
        config: ApiConfig | None = None,
        modules: Sequence[ApiModule] = (),
        readiness: Mapping[str, ReadinessProbe] | None = None,
        cache: MemoryCache | None = None,
        metrics: PaoMetrics | None = None,
        version: VersionInfo | None = None,
    ) -> Starlette:
        services = ApiServices(
            config=config or ApiConfig(tokens=GRANTS),
            store=self.store,
            cache=cache if cache is not None else MemoryCache(),
            enqueue_delivery=self.recorder.enqueue,
            refresh_catalog=self.recorder.refresh,
            readiness=readiness,
            version=version or VersionInfo(version="1.2.3", git_sha="abc123"),
            metrics=metrics or PaoMetrics(),
        )
        return create_app(services=services, modules=modules)


@pytest.fixture(scope="session")
def migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Migrating takes a tenth of a second; copying the result is instant.
    path = tmp_path_factory.mktemp("template") / "pao.db"
    with open_store(f"sqlite:///{path}", data_dir=path.parent) as store:
        store.migrate()
    return path


@pytest.fixture
def store(migrated_database: Path, tmp_path: Path) -> Iterator[Store]:
    path = tmp_path / "pao.db"
    shutil.copy(migrated_database, path)
    with open_store(f"sqlite:///{path}", data_dir=tmp_path) as opened:
        yield opened


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.fixture
def make_app(store: Store, recorder: Recorder) -> AppFactory:
    return AppFactory(store=store, recorder=recorder)


@pytest.fixture
def make_client() -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(app: Starlette, **kwargs: Any) -> TestClient:
        kwargs.setdefault("raise_server_exceptions", False)
        client = TestClient(app, **kwargs)
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.close()


@pytest.fixture
def client(make_app: AppFactory, make_client: Callable[..., TestClient]) -> TestClient:
    return make_client(make_app())


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
