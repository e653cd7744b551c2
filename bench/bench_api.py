"""How fast the API answers its hot reads, and how it takes a webhook burst.

    python bench/bench_api.py [--items 5000] [--requests 100000]
                              [--connections 64] [--duration 10]
                              [--paced-rate 250] [--deliveries 2000]
                              [--postgres-url URL] [--redis-url URL]

Creates a throwaway PostgreSQL database next to the one in
--postgres-url, indexes --items catalog items and --requests requests in
it (bulk COPY into the store's own tables, so the API reads exactly what
the indexer writes), then starts two servers in processes of their own
with the settings ``pao serve`` uses: the real API (Redis cache under a
unique key prefix) and a bare Starlette "hello" endpoint. A load generator
in another process (``wrk``, else an asyncio client) drives each endpoint
with --connections connections, twice:

* saturated: every connection sends its next request as soon as the
  previous one is answered, which measures throughput (and, by Little's
  law, latency = connections / throughput);
* paced: the same connections at --paced-rate requests per second in
  total, which measures how long one request takes under load.

``/health`` is measured too: it runs every layer of the API (request
context, log line, metrics, routing, auth-free) around an endpoint that
does nothing, which separates what the framework costs from what the
catalog and status endpoints add.

Then --deliveries signed GitHub deliveries arrive at once and are counted
in the store. Everything is dropped at the end.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import psycopg

from bench_api_data import (
    BENCH_TOKEN,
    seed_catalog,
    seed_requests,
    signed_push,
    throwaway_database,
)

HERE = Path(__file__).resolve()


# -- servers -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def server(
    kind: str, port: int, *, database_url: str, redis_url: str, prefix: str
) -> Iterator[str]:
    """Run ``bench_api_server.py`` in a process of its own; yield its URL."""
    command = [
        sys.executable,
        str(HERE.parent / "bench_api_server.py"),
        kind,
        "--port",
        str(port),
        "--database-url",
        database_url,
        "--redis-url",
        redis_url,
        "--prefix",
        prefix,
    ]
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=log)
        try:
            wait_until_up(url, process, log)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Any) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            raise SystemExit(f"server exited:\n{log.read().decode()[-3000:]}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise SystemExit(f"server at {url} did not come up")


# -- load ----------------------------------------------------------------------

_LUA = """
local paths = {%(paths)s}
local counter = 0
wrk.headers["Authorization"] = "Bearer %(token)s"
request = function()
  counter = counter + 1
  return wrk.format("GET", paths[(counter %% #paths) + 1])
end
%(delay)s
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%%d,"duration_us":%%d,"errors":%%d,"non_2xx":%%d,' ..
    '"p50_us":%%d,"p95_us":%%d,"p99_us":%%d,"max_us":%%d}\\n',
    summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max))
end
"""


def run_wrk(
    url: str, paths: list[str], *, connections: int, duration: float, rate: float | None
) -> dict[str, Any]:
    delay = ""
    if rate:
        # Each connection waits this long after an answer: the total offered
        # rate is connections / (delay + latency), about *rate*.
        pause_ms = max(1, round(connections / rate * 1000))
        delay = f"delay = function() return {pause_ms} end"
    script = _LUA % {
        "paths": ",".join(json.dumps(path) for path in paths),
        "token": BENCH_TOKEN,
        "delay": delay,
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        output = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{connections}",
                f"-d{max(1, round(duration))}s",
                "--timeout",
                "10s",
                "-s",
                handle.name,
                url,
            ],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    line = next(line for line in output.splitlines() if line.startswith("{"))
    return json.loads(line)


def run_python_load(
    url: str, paths: list[str], *, connections: int, duration: float, rate: float | None
) -> dict[str, Any]:
    """The fallback load generator, in a process of its own."""
    spec = {
        "url": url,
        "paths": paths,
        "connections": connections,
        "duration": duration,
        "rate": rate,
        "token": BENCH_TOKEN,
    }
    output = subprocess.run(
        [sys.executable, str(HERE.parent / "bench_api_load.py")],
        input=json.dumps(spec),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(output)


def drive(
    url: str, paths: list[str], *, connections: int, duration: float, rate: float | None
) -> dict[str, Any]:
    run = run_wrk if shutil.which("wrk") else run_python_load
    result = run(url, paths, connections=connections, duration=duration, rate=rate)
    result["rps"] = result["requests"] / (result["duration_us"] / 1e6)
    return result


# -- webhooks ------------------------------------------------------------------


def send_share(url: str, share: list[tuple[bytes, dict[str, str]]]) -> list[Any]:
    """Post *share* from 16 keep-alive connections; the answers."""
    split = urlsplit(url)
    answers: list[Any] = [None] * len(share)

    def connection(offset: int) -> None:
        conn = http.client.HTTPConnection(split.hostname, split.port, timeout=60)
        for n in range(offset, len(share), _THREADS_PER_PROCESS):
            body, headers = share[n]
            conn.request("POST", "/api/v1/webhooks/github", body=body, headers=headers)
            response = conn.getresponse()
            answers[n] = (response.status, json.loads(response.read()))
        conn.close()

    threads = [
        threading.Thread(target=connection, args=(n,))
        for n in range(_THREADS_PER_PROCESS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


# Four processes of sixteen connections: 64 deliveries in flight at once,
# without one client process's GIL setting the pace.
_PROCESSES = 4
_THREADS_PER_PROCESS = 16


def burst(
    pool: ProcessPoolExecutor, url: str, deliveries: list[tuple[bytes, dict[str, str]]]
) -> list[Any]:
    shares = [deliveries[n::_PROCESSES] for n in range(_PROCESSES)]
    answers: list[Any] = []
    for part in pool.map(send_share, [url] * _PROCESSES, shares):
        answers += part
    return answers


def webhook_burst(url: str, database_url: str, count: int) -> None:
    deliveries = [signed_push(n) for n in range(count)]
    with ProcessPoolExecutor(_PROCESSES) as pool:
        list(pool.map(time.sleep, [0] * _PROCESSES))  # start the workers first
        started = time.perf_counter()
        answers = burst(pool, url, deliveries)
        elapsed = time.perf_counter() - started
        repeated = burst(pool, url, deliveries[: count // 10])

    accepted = sum(
        1 for status, body in answers if status == 202 and not body["duplicate"]
    )
    duplicates = sum(
        1 for status, body in repeated if status == 202 and body["duplicate"]
    )
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT delivery_id)"
            " FROM webhook_deliveries WHERE source = 'github'"
        ).fetchone()
    assert row is not None
    print(
        f"\nwebhook burst: {count} signed GitHub deliveries at once in {elapsed:.2f} s "
        f"({count / elapsed:.0f}/s); accepted {accepted}, "
        f"redelivered {len(repeated)} -> {duplicates} answered as duplicates; "
        f"store holds {row[0]} rows, {row[1]} distinct delivery ids"
    )
    ok = accepted == count and row[0] == count == row[1] and duplicates == len(repeated)
    print(
        "  all persisted exactly once"
        if ok
        else "  MISMATCH: deliveries lost or doubled"
    )


# -- report --------------------------------------------------------------------


def report(name: str, result: dict[str, Any], bare: dict[str, Any] | None) -> None:
    ratio = f"{result['rps'] / bare['rps']:.0%}" if bare else "-"
    errors = result["errors"] + result["non_2xx"]
    p50, p95, p99 = (result[f"p{n}_us"] / 1000 for n in (50, 95, 99))
    print(
        f"  {name:<36} {result['rps']:>7.0f}/s  p50 {p50:6.2f} ms"
        f"  p95 {p95:6.2f} ms  p99 {p99:6.2f} ms  vs bare {ratio:>5}  errors {errors}"
    )


def measure(
    args: argparse.Namespace, targets: dict[str, tuple[str, list[str]]]
) -> None:
    for label, rate in (
        ("saturated", None),
        (f"paced at {args.paced_rate:.0f}/s", args.paced_rate),
    ):
        print(f"\n{label}, {args.connections} connections, {args.duration:.0f} s each:")
        bare: dict[str, Any] | None = None
        for name, (url, paths) in targets.items():
            # A short run first, so the caches and pools are warm.
            drive(url, paths, connections=args.connections, duration=2, rate=rate)
            result = drive(
                url,
                paths,
                connections=args.connections,
                duration=args.duration,
                rate=rate,
            )
            report(name, result, bare)
            bare = bare or result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--paced-rate", type=float, default=250)
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument(
        "--postgres-url", default="postgresql://postgres@127.0.0.1:5432/test"
    )
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args()

    prefix = f"pao-bench-{uuid.uuid4().hex[:8]}:"
    with throwaway_database(args.postgres_url) as database_url:
        started = time.perf_counter()
        item_ids = seed_catalog(database_url, args.items)
        request_ids = seed_requests(database_url, args.requests, item_ids)
        print(
            f"indexed {len(item_ids)} catalog items and {len(request_ids)} requests "
            f"in {time.perf_counter() - started:.1f} s"
        )
        rng = random.Random(7)
        common = {
            "database_url": database_url,
            "redis_url": args.redis_url,
            "prefix": prefix,
        }
        with (
            server("hello", free_port(), **common) as hello,
            server("pao", free_port(), **common) as api,
        ):
            polled = rng.sample(request_ids, min(1000, len(request_ids)))
            targets = {
                "bare starlette hello": (hello, ["/hello"]),
                "health (middleware only)": (api, ["/api/v1/health"]),
                "catalog item GET": (
                    api,
                    [f"/api/v1/catalog/items/{i}" for i in item_ids],
                ),
                "request status GET (1,000 polled)": (
                    api,
                    [f"/api/v1/requests/{r}/status" for r in polled],
                ),
                "request status GET (all, uncached)": (
                    api,
                    [
                        f"/api/v1/requests/{r}/status"
                        for r in rng.sample(request_ids, len(request_ids))
                    ],
                ),
            }
            measure(args, targets)
            webhook_burst(api, database_url, args.deliveries)
        drop_redis_keys(args.redis_url, prefix)


def drop_redis_keys(url: str, prefix: str) -> None:
    import redis

    client = redis.Redis.from_url(url)
    for name in client.scan_iter(match=f"{prefix}*", count=1000):
        client.unlink(name)
    client.close()


if __name__ == "__main__":
    main()
