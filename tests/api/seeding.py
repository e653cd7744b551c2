"""A populated index for the feature endpoints: the example catalog and
requests, as the controller would have stored them.

Teams: ``acme/payments`` (alice) and ``acme/search`` (bob) request things;
``acme/dba`` (carol) owns the database items; root is an admin.
"""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pao.api import ApiConfig, TokenGrant
from pao.catalog import CatalogItem, load_catalog
from pao.core.yamlio import load_yaml
from pao.reconcilers.plan import request_id_for
from pao.store import (
    ActionRunStatus,
    NewCatalogVersion,
    NewRevision,
    RequestRecord,
    RequestStatus,
    Store,
    open_store,
)

from .conftest import ADMIN_TOKEN, ALICE_TOKEN, GRANTS, sha256_hex

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BOB_TOKEN = "bob-token-0123456789"
CAROL_TOKEN = "carol-token-0123456789"
NOBODY_TOKEN = "nobody-token-0123456789"

TEAM_GRANTS = (
    *GRANTS,
    TokenGrant(
        user="bob@acme.example",
        teams=frozenset({"acme/search"}),
        token_sha256=sha256_hex(BOB_TOKEN),
    ),
    TokenGrant(
        user="carol@acme.example",
        teams=frozenset({"acme/dba"}),
        token_sha256=sha256_hex(CAROL_TOKEN),
    ),
    TokenGrant(
        user="nobody@acme.example",
        teams=frozenset(),
        token_sha256=sha256_hex(NOBODY_TOKEN),
    ),
)
TEAM_CONFIG = ApiConfig(tokens=TEAM_GRANTS)

ALICE = {"Authorization": f"Bearer {ALICE_TOKEN}"}
BOB = {"Authorization": f"Bearer {BOB_TOKEN}"}
CAROL = {"Authorization": f"Bearer {CAROL_TOKEN}"}
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
NOBODY = {"Authorization": f"Bearer {NOBODY_TOKEN}"}

#: The example item whose newest file is broken (an older one serves).
STALE_ITEM = "redis-cache"
#: An item whose only file is broken (nothing serves).
BROKEN_ITEM = "broken-item"
SECRET_OUTPUT = "s3cr3t-db-password"


def item_version(item: CatalogItem, *, path: str, commit: str) -> NewCatalogVersion:
    """The version the catalog indexer records for a valid item file."""
    data = item.model_dump(by_alias=True, mode="json", exclude_none=True)
    digest = hashlib.sha256(repr(sorted(data.items())).encode()).hexdigest()
    return NewCatalogVersion(
        item_id=item.id,
        path=path,
        commit_sha=commit,
        content_sha256=digest,
        valid=True,
        version=item.metadata.version,
        data=data,
        name=item.metadata.name,
        description=item.metadata.description,
        category=item.metadata.category,
        tags=list(item.metadata.tags),
        lifecycle_status=item.lifecycle.status,
        owner_team=item.metadata.owner.team,
    )


def broken_version(item_id: str, *, path: str, commit: str) -> NewCatalogVersion:
    diagnostic = {
        "file": path,
        "line": 3,
        "column": 7,
        "severity": "error",
        "code": "missing-key",
        "message": "metadata.owner is required",
    }
    return NewCatalogVersion(
        item_id=item_id,
        path=path,
        commit_sha=commit,
        content_sha256=hashlib.sha256(f"{item_id}@{commit}".encode()).hexdigest(),
        valid=False,
        diagnostics=[diagnostic],
    )


@dataclass
class Seeded:
    items: dict[str, CatalogItem]
    requests: dict[str, RequestRecord]

    def request(self, item_id: str, name: str) -> RequestRecord:
        return self.requests[request_id_for(item_id, name)]


def seed_catalog(store: Store) -> dict[str, CatalogItem]:
    loaded = load_catalog(EXAMPLES / "catalog-repo")
    for entry in loaded.items.values():
        store.upsert_catalog_version(
            item_version(entry.item, path=entry.path, commit="c0ffee1")
        )
    stale = loaded.items[STALE_ITEM]
    store.upsert_catalog_version(
        broken_version(STALE_ITEM, path=stale.path, commit="c0ffee2")
    )
    store.upsert_catalog_version(
        broken_version(
            BROKEN_ITEM, path="catalog/misc/broken-item.yaml", commit="c0ffee2"
        )
    )
    return {item_id: entry.item for item_id, entry in loaded.items.items()}


def seed_requests(store: Store, items: dict[str, CatalogItem]) -> dict[str, Any]:
    created: dict[str, RequestRecord] = {}
    for path in sorted((EXAMPLES / "requests-repo" / "requests").glob("*/*.yaml")):
        document = load_yaml(path.read_bytes()).data
        record = create_request(store, items, name=path.stem, document=document)
        created[record.id] = record
    return created


def create_request(
    store: Store, items: dict[str, CatalogItem], *, name: str, document: Any
) -> RequestRecord:
    """Index a request file's *document* as the request reconciler does."""
    item = items[document["catalogItem"]]
    data = {
        "kind": "create",
        "item_version": item.metadata.version,
        "document": document,
        "diagnostics": [],
    }
    return store.create_request(
        request_id=request_id_for(item.id, name),
        item_id=item.id,
        name=name,
        path=f"requests/{item.id}/{name}.yaml",
        team=document["team"],
        owner_team=item.metadata.owner.team,
        requester=f"{name}@acme.example",
        revision=NewRevision(
            commit_sha="feed001",
            content_sha256=hashlib.sha256(repr(document).encode()).hexdigest(),
            data=data,
        ),
        actor="pao",
    )


def move(store: Store, request_id: str, *statuses: RequestStatus) -> None:
    for status in statuses:
        store.transition_request(request_id=request_id, to_status=status, actor="pao")


def fail_and_escalate(store: Store, record: RequestRecord) -> None:
    """Run two actions, fail the second, escalate as a Jira incident."""
    S = RequestStatus
    move(store, record.id, S.VALIDATING, S.QUEUED, S.IN_PROGRESS)
    created = _run(store, record, "create-instance", 1)
    store.finish_action_run(
        run_id=created,
        status=ActionRunStatus.SUCCEEDED,
        outputs={"endpoint": "orders-db.internal:5432", "password": "***"},
        external_ref={"workspace": "ws-123", "run": "run-456"},
    )
    grants = _run(store, record, "grant-access", 2)
    store.finish_action_run(
        run_id=grants,
        status=ActionRunStatus.FAILED,
        error="409 Conflict from https://db-admin.internal/api/grants: role exists",
    )
    store.transition_request(
        request_id=record.id,
        to_status=S.FAILED,
        actor="pao",
        failure={"action": "grant-access", "error": "409 Conflict"},
    )
    store.transition_request(
        request_id=record.id,
        to_status=S.ESCALATED,
        actor="alice@acme.example",
        escalation={"key": "ORCH-12", "url": "https://jira.example/browse/ORCH-12"},
    )


def _run(store: Store, record: RequestRecord, action_id: str, n: int) -> int:
    run = store.record_intent(
        request_id=record.id,
        revision=record.revision,
        action_id=action_id,
        run_number=1,
        idempotency_key=f"pao-{record.id}-{action_id}-{n}",
        worker="worker-1",
        context={"payload": {"password": SECRET_OUTPUT}},
    )
    return run.id


def seed(store: Store) -> Seeded:
    """The example catalog and requests, some of them under way."""
    items = seed_catalog(store)
    requests = seed_requests(store, items)
    seeded = Seeded(items=items, requests=requests)
    fail_and_escalate(store, seeded.request("postgres-database", "orders-db"))
    move(
        store,
        seeded.request("postgres-database", "search-analytics").id,
        RequestStatus.VALIDATING,
        RequestStatus.QUEUED,
        RequestStatus.IN_PROGRESS,
        RequestStatus.COMPLETED,
    )
    refreshed = {rid: store.get_request(rid) for rid in requests}
    return Seeded(items=items, requests=refreshed)


def seeded_template(directory: Path, migrated: Path) -> tuple[Path, Seeded]:
    """A seeded SQLite file in *directory*, copied from the *migrated* one."""
    path = directory / "pao.db"
    shutil.copy(migrated, path)
    with open_store(f"sqlite:///{path}", data_dir=directory) as store:
        return path, seed(store)


@contextmanager
def copied_store(template: Path, directory: Path) -> Iterator[Store]:
    """A store over a private copy of *template*."""
    path = directory / "pao.db"
    shutil.copy(template, path)
    with open_store(f"sqlite:///{path}", data_dir=directory) as store:
        yield store
