"""kill -9 at random points while requests run: nothing lost, nothing twice.

pao runs as a real process (``pao serve``) against a REST target in this
test process. The process is killed with SIGKILL several times while 50
requests with three actions each are being fulfilled, then started once
more and left to finish. No idempotency key may reach the target twice,
no request may be lost, and each must end completed, or failed with its
context.
"""

from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from controller.widgets import request_file
from gitutil import RemoteRepo
from pao.standins import RestTarget
from pao.store import RequestStatus, StoreError, open_store

REQUESTS = 50
KILLS = 4
FINAL_TIMEOUT = 90.0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _env(target: RestTarget) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "TARGET_URL": target.url,
            "WIDGET_TOKEN": "crash-test-token",
            "PAO_ENVIRONMENT": json.dumps(["TARGET_URL"]),
            "PAO_POLL_INTERVAL": "0.3",
            "PAO_LEASE_SECONDS": "1.5",
            "PAO_WORKERS": "4",
            "PAO_LOG_LEVEL": "warning",
        }
    )
    return env


@pytest.fixture
def serve(
    tmp_path: Path,
    catalog_remote: RemoteRepo,
    requests_remote: RemoteRepo,
    target: RestTarget,
) -> Iterator[object]:
    processes: list[subprocess.Popen[bytes]] = []
    log = (tmp_path / "serve.log").open("ab")

    def start() -> subprocess.Popen[bytes]:
        command = [
            sys.executable,
            "-m",
            "pao",
            "serve",
            "--catalog-repo",
            catalog_remote.url,
            "--requests-repo",
            requests_remote.url,
            "--data-dir",
            str(tmp_path / "data"),
            "--port",
            str(_free_port()),
        ]
        process = subprocess.Popen(
            command, env=_env(target), stdout=log, stderr=subprocess.STDOUT
        )
        processes.append(process)
        return process

    yield start
    for process in processes:
        if process.poll() is None:
            process.kill()
            process.wait()
    log.close()


@pytest.mark.slow
def test_kill_9_during_fulfilment_loses_and_duplicates_nothing(
    serve: object,
    tmp_path: Path,
    requests_remote: RemoteRepo,
    target: RestTarget,
) -> None:
    start = serve  # type: ignore[assignment]
    files = {
        f"requests/widget/w{n:02d}.yaml": request_file(f"w{n:02d}", size=n)
        for n in range(REQUESTS)
    }
    requests_remote.commit(files)
    # Slow answers widen the window in which a kill lands mid-call.
    target.delay_next(0.03, count=10_000)
    chance = random.Random(20261203)

    for _ in range(KILLS):
        process = start()  # type: ignore[operator]
        time.sleep(chance.uniform(1.0, 2.5))
        process.send_signal(signal.SIGKILL)
        process.wait()

    final = start()  # type: ignore[operator]
    statuses = _wait_until_settled(tmp_path / "data")
    final.send_signal(signal.SIGTERM)
    assert final.wait(timeout=30) == 0

    assert len(statuses) == REQUESTS
    assert set(statuses.values()) <= {"completed", "failed"}
    assert "completed" in statuses.values()
    assert target.repeated_keys() == []
    store = open_store(None, data_dir=tmp_path / "data")
    try:
        for record in store.list_requests(limit=200).items:
            if record.status is RequestStatus.FAILED:
                assert record.failure is not None, record.id
                assert record.failure.get("error"), record.id
            status = yaml.safe_load(
                requests_remote.read(f"status/{record.path[9:]}") or b""
            )
            assert status["phase"] == record.status.value
    finally:
        store.close()


def _wait_until_settled(data: Path) -> dict[str, str]:
    deadline = time.monotonic() + FINAL_TIMEOUT
    statuses: dict[str, str] = {}
    while time.monotonic() < deadline:
        time.sleep(0.5)
        if not (data / "pao.db").exists():
            continue
        store = open_store(None, data_dir=data)
        try:
            # pao may still be creating its schema, or hold a write lock.
            if not store.migrations_current():
                continue
            records = store.list_requests(limit=200).items
        except StoreError:
            continue
        finally:
            store.close()
        statuses = {r.id: r.status.value for r in records}
        if len(statuses) == REQUESTS and set(statuses.values()) <= {
            "completed",
            "failed",
        }:
            return statuses
    return statuses
