"""A small catalog, a requests repo and a REST target for controller tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from controller.widgets import WIDGET
from gitutil import RemoteRepo, make_remote
from pao.controller import Controller, ControllerOptions
from pao.core.settings import Settings
from pao.standins import RestTarget


@pytest.fixture
def target(monkeypatch: pytest.MonkeyPatch) -> Iterator[RestTarget]:
    target = RestTarget()
    with target.serve():
        monkeypatch.setenv("TARGET_URL", target.url)
        monkeypatch.setenv("WIDGET_TOKEN", "s3cr3t-token")
        yield target


@pytest.fixture
def catalog_remote(tmp_path: Path) -> RemoteRepo:
    return make_remote(tmp_path, {"catalog/things/widget.yaml": WIDGET}, name="catalog")


@pytest.fixture
def requests_remote(tmp_path: Path) -> RemoteRepo:
    return make_remote(tmp_path, {"README.md": "requests\n"}, name="requests")


@pytest.fixture
def make_controller(
    tmp_path: Path, catalog_remote: RemoteRepo, requests_remote: RemoteRepo
) -> Iterator[object]:
    made: list[Controller] = []

    def make(**overrides: object) -> Controller:
        values: dict[str, object] = {
            "catalog_repo": catalog_remote.url,
            "requests_repo": requests_remote.url,
            "data_dir": tmp_path / "data",
            "environment": ["TARGET_URL"],
            "workers": 2,
        }
        settings = Settings(**(values | overrides))  # type: ignore[arg-type]
        controller = Controller(settings, options=ControllerOptions(lease_seconds=5.0))
        made.append(controller)
        return controller

    yield make
    for controller in made:
        controller.close()
