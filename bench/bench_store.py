"""How fast the store answers the API's hot reads under concurrency.

    python bench/bench_store.py [--requests 100000] [--lookups 20000]
                                [--threads 64] [--backend both]
                                [--postgres-url URL] [--pool-size 16]

Seeds --requests requests (directly, one transaction per batch), then from
--threads threads at once: looks requests up by id (the request-status
GET), lists filtered pages (the requests list), and claims work. Prints
latency percentiles per operation and backend. PostgreSQL runs in a schema
of its own, dropped at the end.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from pao.store import RequestStatus, Store
from pao.store.postgres import PostgresDatabase
from pao.store.sqlite import SqliteDatabase

STATUSES = [s.value for s in RequestStatus]
TEAMS = [f"acme/team-{n}" for n in range(20)]


def seed(store: Store, count: int) -> list[str]:
    """Insert *count* requests spread over items, teams and statuses."""
    start = datetime(2025, 1, 1, tzinfo=UTC)
    ids = [f"item-{n % 50}/req-{n:07d}" for n in range(count)]
    for offset in range(0, count, 5000):
        with store._db.transaction(write=True) as tx:
            for n in range(offset, min(offset + 5000, count)):
                at = start + timedelta(seconds=n)
                tx.run(
                    "INSERT INTO requests (id, item_id, name, path, team,"
                    " owner_team, requester, status, revision, revision_sha,"
                    " created_at, updated_at) VALUES (:id, :item, :name, :path,"
                    " :team, 'acme/dba', :requester, :status, 1, 'c0ffee', :at, :at)",
                    {
                        "id": ids[n],
                        "item": f"item-{n % 50}",
                        "name": f"req-{n:07d}",
                        "path": f"requests/{ids[n]}.yaml",
                        "team": TEAMS[n % len(TEAMS)],
                        "requester": f"user{n % 500}@acme.example",
                        "status": STATUSES[n % len(STATUSES)],
                        "at": at,
                    },
                )
    return ids


def hammer(
    operation: Callable[[random.Random], object], *, threads: int, calls: int
) -> list[float]:
    """Run *operation* *calls* times from *threads* threads; latencies in ms."""
    latencies: list[float] = []
    lock = threading.Lock()
    remaining = iter(range(calls))
    start = threading.Barrier(threads)

    def work(seed: int) -> None:
        rng, mine = random.Random(seed), []
        start.wait()
        while True:
            with lock:
                if next(remaining, None) is None:
                    break
            began = time.perf_counter()
            operation(rng)
            mine.append((time.perf_counter() - began) * 1000)
        with lock:
            latencies.extend(mine)

    workers = [threading.Thread(target=work, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return latencies


def report(backend: str, name: str, latencies: list[float], seconds: float) -> None:
    cuts = statistics.quantiles(latencies, n=100)
    print(
        f"{backend:10} {name:22} n={len(latencies):6d}"
        f"  p50={cuts[49]:6.2f}ms  p95={cuts[94]:6.2f}ms  p99={cuts[98]:6.2f}ms"
        f"  {len(latencies) / seconds:8.0f}/s"
    )


def run(backend: str, store: Store, args: argparse.Namespace) -> None:
    began = time.perf_counter()
    ids = seed(store, args.requests)
    took = time.perf_counter() - began
    print(f"{backend:10} seeded {args.requests} requests in {took:.1f}s")

    def lookup(rng: random.Random) -> object:
        return store.get_request(rng.choice(ids))

    def page(rng: random.Random) -> object:
        return store.list_requests(
            statuses={RequestStatus.QUEUED, RequestStatus.FAILED},
            visible_to_teams={rng.choice(TEAMS)},
            limit=50,
        )

    def claim(rng: random.Random) -> object:
        owner = f"worker-{rng.random()}"
        return store.claim_requests(owner=owner, limit=5, lease_seconds=600)

    for name, operation, calls in (
        ("get_request", lookup, args.lookups),
        ("list_requests (page)", page, max(args.lookups // 10, 100)),
        ("claim_requests (5)", claim, 500),
    ):
        began = time.perf_counter()
        latencies = hammer(operation, threads=args.threads, calls=calls)
        report(backend, name, latencies, time.perf_counter() - began)


@contextmanager
def sqlite_store() -> Iterator[Store]:
    with (
        tempfile.TemporaryDirectory() as tmp,
        Store(SqliteDatabase(Path(tmp) / "pao.db", max_idle=64)) as store,
    ):
        store.migrate()
        yield store


@contextmanager
def postgres_store(url: str, pool_size: int) -> Iterator[Store]:
    schema = f"pao_bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        db = PostgresDatabase(
            url, schema=schema, min_size=pool_size, max_size=pool_size
        )
        with Store(db) as store:
            store.migrate()
            yield store
    finally:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--lookups", type=int, default=20_000)
    parser.add_argument("--threads", type=int, default=64)
    parser.add_argument("--pool-size", type=int, default=16)
    parser.add_argument(
        "--backend", choices=["sqlite", "postgresql", "both"], default="both"
    )
    parser.add_argument(
        "--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test"
    )
    args = parser.parse_args()
    if args.backend in ("sqlite", "both"):
        with sqlite_store() as store:
            run("sqlite", store, args)
    if args.backend in ("postgresql", "both"):
        with postgres_store(args.postgres_url, args.pool_size) as store:
            run("postgresql", store, args)


if __name__ == "__main__":
    main()
