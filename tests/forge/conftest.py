from __future__ import annotations

from pathlib import Path

import pytest
from gitutil import RemoteRepo, make_remote

from pao.forge.git import GitRepo, Identity

PAO = Identity("pao", "pao@acme.example")

INITIAL = {
    "README.md": "# requests\n",
    "catalog/postgres.yaml": "kind: CatalogItem\n",
    "requests/postgres/orders.yaml": "kind: Request\nteam: payments\n",
    "requests/postgres/billing.yaml": "kind: Request\nteam: billing\n",
}


@pytest.fixture
def remote(tmp_path: Path) -> RemoteRepo:
    return make_remote(tmp_path, INITIAL)


@pytest.fixture
def repo(remote: RemoteRepo, tmp_path: Path) -> GitRepo:
    return GitRepo.clone_or_open(remote.url, workdir=tmp_path / "data" / "requests")
