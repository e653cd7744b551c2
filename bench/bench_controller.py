"""Controller throughput and commit-to-status latency.

    .venv/bin/python bench/bench_controller.py [--requests 1000] [--postgres URL]

1. Throughput: N requests (three ``rest-api`` actions each) are committed
   to a requests repo at once; the controller indexes, fulfils and writes
   status for all of them. Prints actions/s end to end, on SQLite and,
   when a PostgreSQL URL is given (default: the local test server), on
   PostgreSQL. The REST target runs in a separate process so it does not
   compete with pao for the interpreter lock.
2. Latency: single requests committed one at a time; prints the time from
   the commit landing to the status commit that shows it completed, median
   and p95 — once with a trigger (what a webhook does) and once with plain
   polling (reported as the time beyond the poll interval).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import socket
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from controller.widgets import WIDGET, request_file
from gitutil import RemoteRepo, make_remote
from pao.controller import Controller, ControllerOptions
from pao.core.settings import Settings
from pao.store import RequestStatus

FINAL = {RequestStatus.COMPLETED, RequestStatus.FAILED}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve_target(port: int) -> None:
    import uvicorn

    from pao.standins import RestTarget

    target = RestTarget()
    uvicorn.run(target.app, host="127.0.0.1", port=port, log_level="warning")


def _start_target() -> tuple[multiprocessing.Process, str]:
    port = _free_port()
    process = multiprocessing.Process(target=_serve_target, args=(port,), daemon=True)
    process.start()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return process, f"http://127.0.0.1:{port}"
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("REST target did not start")


def _repos(root: Path) -> tuple[RemoteRepo, RemoteRepo]:
    catalog = make_remote(root, {"catalog/things/widget.yaml": WIDGET}, name="catalog")
    requests = make_remote(root, {"README.md": "requests\n"}, name="requests")
    return catalog, requests


def _controller(
    root: Path,
    catalog: RemoteRepo,
    requests: RemoteRepo,
    *,
    database_url: str | None,
    poll: float,
) -> Controller:
    settings = Settings(
        catalog_repo=catalog.url,
        requests_repo=requests.url,
        data_dir=root / "data",
        environment=["TARGET_URL"],
        workers=8,
        poll_interval=poll,
        database_url=database_url,
    )
    options = ControllerOptions(lease_seconds=30.0, status_interval=0.05)
    return Controller(settings, options=options)


def _fresh_postgres(url: str) -> str:
    import psycopg

    name = f"pao_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return url.rsplit("/", 1)[0] + f"/{name}"


def _drop_postgres(admin_url: str, url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def throughput(count: int, database_url: str | None) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        catalog, requests = _repos(root)
        files = {
            f"requests/widget/w{n:04d}.yaml": request_file(
                f"w{n:04d}", size=n % 50, fancy=True
            )
            for n in range(count)
        }
        requests.commit(files)
        controller = _controller(
            root, catalog, requests, database_url=database_url, poll=3600
        )
        started = time.monotonic()
        controller.start()
        controller.trigger()
        _wait_all_final(controller, count)
        elapsed = time.monotonic() - started
        controller.stop()
        completed = _count(controller, RequestStatus.COMPLETED)
        controller.close()
    actions = completed * 3
    print(
        f"  {count} requests, {completed} completed, {actions} actions called in"
        f" {elapsed:.1f} s: {actions / elapsed:.0f} actions/s"
        f" ({count / elapsed:.0f} requests/s incl. indexing and status commits)"
    )
    return actions / elapsed


def _wait_all_final(controller: Controller, count: int) -> None:
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        done = sum(_count(controller, status) for status in FINAL)
        if done >= count:
            return
        time.sleep(0.2)
    raise RuntimeError("requests did not finish in time")


def _count(controller: Controller, status: RequestStatus) -> int:
    page = controller.store.list_requests(statuses=[status], limit=1)
    return page.total_count or 0


def latency(samples: int, *, triggered: bool, poll: float) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        catalog, requests = _repos(root)
        controller = _controller(root, catalog, requests, database_url=None, poll=poll)
        controller.start()
        controller.trigger()
        time.sleep(0.5)
        timings = []
        for n in range(samples):
            name = f"lat{n:03d}"
            requests.commit({f"requests/widget/{name}.yaml": request_file(name)})
            landed = time.monotonic()
            if triggered:
                controller.trigger()
            _wait_status(requests, name)
            timings.append(time.monotonic() - landed)
        controller.stop()
        controller.close()
    return timings


def _wait_status(requests: RemoteRepo, name: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        content = requests.read(f"status/widget/{name}.yaml")
        if content and yaml.safe_load(content).get("phase") == "completed":
            return
        time.sleep(0.005)
    raise RuntimeError(f"no completed status for {name}")


def _report(label: str, timings: list[float]) -> None:
    ordered = sorted(timings)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    print(
        f"  {label}: median {statistics.median(ordered) * 1000:.0f} ms,"
        f" p95 {p95 * 1000:.0f} ms over {len(ordered)} commits"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--latency-samples", type=int, default=20)
    parser.add_argument(
        "--postgres",
        default=os.environ.get(
            "PAO_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
        ),
        help="admin URL of a PostgreSQL server ('' to skip)",
    )
    args = parser.parse_args()
    process, url = _start_target()
    os.environ["TARGET_URL"] = url
    os.environ["WIDGET_TOKEN"] = "bench-token"
    try:
        print("throughput, SQLite:")
        throughput(args.requests, None)
        if args.postgres:
            print("throughput, PostgreSQL:")
            database = _fresh_postgres(args.postgres)
            try:
                throughput(args.requests, database)
            finally:
                _drop_postgres(args.postgres, database)
        print("commit to completed status commit:")
        _report(
            "triggered (webhook)",
            latency(args.latency_samples, triggered=True, poll=3600),
        )
        _report(
            "polling every 1 s (target: at most 1 s beyond the interval)",
            latency(args.latency_samples, triggered=False, poll=1.0),
        )
    finally:
        process.terminate()


if __name__ == "__main__":
    main()
