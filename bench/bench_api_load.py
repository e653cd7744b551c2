"""The API benchmark's load generator when ``wrk`` is not installed.

Reads ``{"url", "paths", "connections", "duration", "rate", "token"}`` as
JSON on stdin, keeps that many connections busy for that long (each
pausing ``connections / rate`` seconds between requests when ``rate`` is
set), and prints the same JSON summary the wrk script prints. One Python
process generates far less load than wrk: treat its throughput as a floor.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from typing import Any

import httpx


async def connection(
    client: httpx.AsyncClient, spec: dict[str, Any], offset: int, stats: dict[str, Any]
) -> None:
    paths, deadline = spec["paths"], stats["deadline"]
    pause = spec["connections"] / spec["rate"] if spec["rate"] else 0
    n = offset
    while time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            response = await client.get(paths[n % len(paths)])
        except httpx.HTTPError:
            stats["errors"] += 1
            continue
        stats["latencies"].append(time.perf_counter() - started)
        if response.status_code >= 400:
            stats["non_2xx"] += 1
        n += 1
        if pause:
            await asyncio.sleep(pause)


async def run(spec: dict[str, Any]) -> dict[str, Any]:
    stats: dict[str, Any] = {"latencies": [], "errors": 0, "non_2xx": 0}
    limits = httpx.Limits(max_connections=spec["connections"])
    headers = {"Authorization": f"Bearer {spec['token']}"}
    async with httpx.AsyncClient(
        base_url=spec["url"], limits=limits, headers=headers, timeout=10
    ) as client:
        started = time.monotonic()
        stats["deadline"] = started + spec["duration"]
        await asyncio.gather(
            *(connection(client, spec, n, stats) for n in range(spec["connections"]))
        )
        elapsed = time.monotonic() - started
    latencies = sorted(stats["latencies"])

    def percentile(p: float) -> int:
        return int(latencies[min(len(latencies) - 1, int(len(latencies) * p))] * 1e6)

    return {
        "requests": len(latencies),
        "duration_us": int(elapsed * 1e6),
        "errors": stats["errors"],
        "non_2xx": stats["non_2xx"],
        "p50_us": percentile(0.50),
        "p95_us": percentile(0.95),
        "p99_us": percentile(0.99),
        "max_us": int(latencies[-1] * 1e6),
    }


def main() -> None:
    spec = json.load(sys.stdin)
    json.dump(asyncio.run(run(spec)), sys.stdout)


if __name__ == "__main__":
    main()
