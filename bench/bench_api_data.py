"""Data for the API benchmark: a throwaway database, a big index, webhooks.

The index is written with COPY straight into the tables the store owns,
in the shapes the catalog indexer and the request reconciler write, so
the API under test reads what it would read in production.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg.types.json import Jsonb

from pao.api import ApiConfig, TokenGrant
from pao.catalog import load_catalog
from pao.reconcilers.plan import request_id_for
from pao.store import ActionRunStatus, RequestStatus, open_store

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
BENCH_TOKEN = "bench-dashboard-token-0123456789"
WEBHOOK_SECRET = "bench-webhook-secret"
TEAMS = [f"acme/team-{n:02d}" for n in range(20)]
STATUSES = list(RequestStatus)
RUNNING = {RequestStatus.IN_PROGRESS, RequestStatus.COMPLETED, RequestStatus.FAILED}


def bench_config() -> ApiConfig:
    """The caller polling dashboards (an admin), among fifty other tokens."""
    grants = [
        TokenGrant(
            user=f"user{n}@acme.example",
            teams=frozenset({TEAMS[n % len(TEAMS)]}),
            token_sha256=_sha256(f"token-{n}"),
        )
        for n in range(50)
    ]
    grants.append(
        TokenGrant(
            user="dashboard@acme.example",
            teams=frozenset(),
            token_sha256=_sha256(BENCH_TOKEN),
            admin=True,
        )
    )
    return ApiConfig(tokens=tuple(grants), github_webhook_secret=WEBHOOK_SECRET)


@contextlib.contextmanager
def throwaway_database(admin_url: str) -> Iterator[str]:
    """A new, migrated database on the server of *admin_url*; dropped after."""
    name = f"pao_bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin_url)
    url = urlunsplit(parts._replace(path=f"/{name}"))
    try:
        with open_store(url, data_dir=Path("/tmp")) as store:
            store.migrate()
        yield url
    finally:
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- catalog -------------------------------------------------------------------

_VERSION_COLUMNS = (
    "item_id, version, commit_sha, path, content_sha256, valid, data, diagnostics,"
    " name, description, category, tags, lifecycle_status, owner_team,"
    " search_text, indexed_at"
)


def seed_catalog(url: str, count: int) -> list[str]:
    """*count* items cloned from the examples under new ids; their ids."""
    examples = [
        loaded.item for loaded in load_catalog(EXAMPLES / "catalog-repo").items.values()
    ]
    now = datetime.now(UTC)
    items = [_clone(examples[n % len(examples)], n) for n in range(count)]
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        with cur.copy(
            f"COPY catalog_item_versions ({_VERSION_COLUMNS}) FROM STDIN"
        ) as copy:
            for data in items:
                copy.write_row(_version_row(data, now))
        cur.execute("SELECT id, item_id FROM catalog_item_versions")
        ids = {item_id: version_id for version_id, item_id in cur.fetchall()}
        with cur.copy("COPY catalog_version_tags (version_id, tag) FROM STDIN") as copy:
            for data in items:
                for tag in dict.fromkeys(data["metadata"].get("tags", [])):
                    copy.write_row((ids[data["metadata"]["id"]], tag))
        with cur.copy(
            "COPY catalog_items (item_id, current_version_id, newest_version_id,"
            " stale, updated_at) FROM STDIN"
        ) as copy:
            for item_id, version_id in ids.items():
                copy.write_row((item_id, version_id, version_id, False, now))
        cur.execute("ANALYZE")
    return [data["metadata"]["id"] for data in items]


def _clone(item: Any, n: int) -> dict[str, Any]:
    data: dict[str, Any] = item.model_dump(
        by_alias=True, mode="json", exclude_none=True
    )
    data["metadata"]["id"] = f"{item.id}-{n:05d}"
    data["metadata"]["name"] = f"{item.metadata.name} #{n}"
    return data


def _version_row(data: dict[str, Any], now: datetime) -> tuple[Any, ...]:
    meta = data["metadata"]
    tags = list(dict.fromkeys(meta.get("tags", [])))
    text = " ".join([meta["id"], meta["name"], meta.get("description", ""), *tags])
    return (
        meta["id"],
        meta["version"],
        "c0ffee",
        f"catalog/{meta['category']}/{meta['id']}.yaml",
        hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest(),
        True,
        Jsonb(data),
        Jsonb([]),
        meta["name"],
        meta.get("description", ""),
        meta["category"],
        Jsonb(tags),
        data.get("lifecycle", {}).get("status", "active"),
        meta["owner"]["team"],
        text.lower(),
        now,
    )


# -- requests ------------------------------------------------------------------


def seed_requests(url: str, count: int, item_ids: list[str]) -> list[str]:
    """*count* requests over the items, some with action runs; their ids."""
    start = datetime.now(UTC) - timedelta(seconds=count)
    ids: list[str] = []
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        rows = [_request(n, item_ids, start) for n in range(count)]
        with cur.copy(
            "COPY requests (id, item_id, name, path, team, owner_team, requester,"
            " status, revision, revision_sha, created_at, updated_at) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(row)
                ids.append(row[0])
        with cur.copy(
            "COPY request_revisions (request_id, revision, commit_sha,"
            " content_sha256, data, author, created_at) FROM STDIN"
        ) as copy:
            for row in rows:
                copy.write_row(_revision(row))
        with cur.copy(
            "COPY action_runs (request_id, revision, action_id, run_number,"
            " idempotency_key, status, worker, attempts, started_at, finished_at,"
            " outputs, error, external_ref, context) FROM STDIN"
        ) as copy:
            for row in rows:
                for run in _runs(row):
                    copy.write_row(run)
        cur.execute("ANALYZE")
    return ids


def _request(n: int, item_ids: list[str], start: datetime) -> tuple[Any, ...]:
    item_id = item_ids[n % len(item_ids)]
    name = f"req-{n:06d}"
    at = start + timedelta(seconds=n)
    return (
        request_id_for(item_id, name),
        item_id,
        name,
        f"requests/{item_id}/{name}.yaml",
        TEAMS[n % len(TEAMS)],
        "acme/dba",
        f"user{n % 500}@acme.example",
        STATUSES[n % len(STATUSES)].value,
        1,
        "feed00",
        at,
        at,
    )


def _revision(row: tuple[Any, ...]) -> tuple[Any, ...]:
    request_id, item_id, name, *_ = row
    document = {
        "apiVersion": "pao/v1",
        "kind": "Request",
        "catalogItem": item_id,
        "team": row[4],
        "fields": {
            "instanceName": name,
            "environment": "prod",
            "sizeGb": 200,
            "adminPassword": "vault:secret/db#password",
        },
    }
    data = {
        "kind": "create",
        "item_version": "1.4.0",
        "document": document,
        "diagnostics": [],
    }
    digest = hashlib.sha256(request_id.encode()).hexdigest()
    return (request_id, 1, "feed00", digest, Jsonb(data), None, row[10])


def _runs(row: tuple[Any, ...]) -> list[tuple[Any, ...]]:
    request_id, status, at = row[0], RequestStatus(row[7]), row[10]
    if status not in RUNNING:
        return []
    second = {
        RequestStatus.IN_PROGRESS: ActionRunStatus.STARTED,
        RequestStatus.COMPLETED: ActionRunStatus.SUCCEEDED,
        RequestStatus.FAILED: ActionRunStatus.FAILED,
    }[status]
    done = at + timedelta(seconds=30)
    return [
        _run(request_id, "create-instance", ActionRunStatus.SUCCEEDED, at, done),
        _run(request_id, "grant-access", second, done, None),
    ]


def _run(
    request_id: str,
    action_id: str,
    status: ActionRunStatus,
    at: datetime,
    end: datetime | None,
) -> tuple[Any, ...]:
    failed = status is ActionRunStatus.FAILED
    outputs = None if failed else Jsonb({"endpoint": f"{request_id[:8]}.internal:5432"})
    return (
        request_id,
        1,
        action_id,
        1,
        f"pao-{request_id}-{action_id}-1",
        status.value,
        "worker-1",
        1,
        at,
        end,
        outputs,
        "409 Conflict: role exists" if failed else None,
        Jsonb({"workspace": "ws-123"}),
        None,
    )


# -- webhooks ------------------------------------------------------------------


def signed_push(n: int) -> tuple[bytes, dict[str, str]]:
    """The body and headers of one signed GitHub push delivery."""
    after = hashlib.sha1(f"commit-{n}".encode()).hexdigest()
    payload = {
        "ref": "refs/heads/main",
        "before": "0" * 40,
        "after": after,
        "repository": {"full_name": "acme/platform-requests"},
        "commits": [{"id": after, "message": f"Add request {n}"}],
    }
    body = json.dumps(payload).encode()
    signature = hmac.new(WEBHOOK_SECRET.encode(), body, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "X-GitHub-Event": "push",
        "X-GitHub-Delivery": str(uuid.uuid4()),
        "X-Hub-Signature-256": f"sha256={signature}",
    }
    return body, headers


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
