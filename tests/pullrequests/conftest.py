"""A running world shared by the tests of one module (it takes seconds to
start); tests sharing it use request names of their own."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pr_world import World, running_world


@pytest.fixture(scope="module")
def module_world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    with pytest.MonkeyPatch.context() as monkeypatch:
        root = tmp_path_factory.mktemp("world")
        with running_world(root, monkeypatch) as world:
            yield world
