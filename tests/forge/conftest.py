from __future__ import annotations

from pathlib import Path

import pytest

from forge.samples import INITIAL
from gitutil import RemoteRepo, make_remote
from pao.forge.git import GitRepo


@pytest.fixture
def remote(tmp_path: Path) -> RemoteRepo:
    return make_remote(tmp_path, INITIAL)


@pytest.fixture
def repo(remote: RemoteRepo, tmp_path: Path) -> GitRepo:
    return GitRepo.clone_or_open(remote.url, workdir=tmp_path / "data" / "requests")
