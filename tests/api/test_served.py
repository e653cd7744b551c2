"""The app under real uvicorn on 127.0.0.1: latency, streaming, stand-ins."""

from __future__ import annotations

import json
import socket
import statistics
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import psycopg
import pytest
import uvicorn
from starlette.applications import Starlette

from pao.api import ApiConfig
from pao.api.webhooks_sansio import sign_github
from pao.standins.jira import JiraStandin
from pao.store import MemoryCache, Store
from pao.store.postgres import PostgresDatabase

from .conftest import GRANTS, AppFactory, Recorder

SECRET = "gh-secret"
JIRA_SECRET = "jira-secret"
CONFIG = ApiConfig(
    tokens=GRANTS,
    github_webhook_secret=SECRET,
    jira_webhook_secret=JIRA_SECRET,
    max_webhook_body_bytes=64 * 1024,
)
# A push event of realistic size (GitHub sends a few KB for small pushes).
PUSH = json.dumps(
    {
        "ref": "refs/heads/main",
        "before": "0" * 40,
        "after": "a" * 40,
        "repository": {"full_name": "acme/platform-requests", "id": 1},
        "commits": [
            {"id": f"{n:040x}", "message": "Request a database " * 5} for n in range(10)
        ],
    }
).encode()


@dataclass(frozen=True)
class RunningServer:
    url: str
    port: int


@pytest.fixture
def server(make_app: AppFactory) -> Iterator[RunningServer]:
    yield from _serve(make_app(config=CONFIG))


def _serve(app: Starlette) -> Iterator[RunningServer]:
    # Bound as IPPROTO_TCP explicitly: asyncio turns Nagle's algorithm off
    # only for sockets that say so, and with it on every response waits
    # ~40 ms for a delayed ACK, which is not what production sees.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(
        app, log_config=None, access_log=False, lifespan="off", http="h11"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [sock]}, daemon=True
    )
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert thread.is_alive(), "uvicorn stopped during start-up"
        assert time.monotonic() < deadline, "uvicorn did not start in 10 s"
        time.sleep(0.005)
    try:
        yield RunningServer(url=f"http://127.0.0.1:{port}", port=port)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def github_headers(delivery: str, body: bytes = PUSH) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "x-github-event": "push",
        "x-github-delivery": delivery,
        "x-hub-signature-256": sign_github(body, SECRET),
    }


def test_webhook_is_answered_within_100_ms(
    server: RunningServer, store: Store, recorder: Recorder
) -> None:
    url = f"{server.url}/api/v1/webhooks/github"
    timings: list[float] = []

    with httpx.Client(trust_env=False) as client:
        client.get(f"{server.url}/api/v1/health")  # connect, warm up
        for n in range(60):
            started = time.perf_counter()
            response = client.post(url, content=PUSH, headers=github_headers(f"d-{n}"))
            timings.append(time.perf_counter() - started)
            assert response.status_code == 202

    p95 = statistics.quantiles(timings, n=20)[-1]
    assert p95 < 0.100, f"p95 {p95 * 1000:.1f} ms"
    assert len(store.list_pending_deliveries(limit=100)) == 60
    assert len(recorder.enqueued) == 60


def test_concurrent_redeliveries_record_once(
    server: RunningServer, store: Store, recorder: Recorder
) -> None:
    url = f"{server.url}/api/v1/webhooks/github"

    def send(_: int) -> bool:
        with httpx.Client(trust_env=False) as client:
            response = client.post(url, content=PUSH, headers=github_headers("same"))
            assert response.status_code == 202
            return bool(response.json()["duplicate"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        duplicates = list(pool.map(send, range(16)))

    assert duplicates.count(False) == 1
    assert len(store.list_pending_deliveries()) == 1
    assert len(recorder.enqueued) == 1


@pytest.fixture
def pg_schema(postgres_url: str) -> Iterator[str]:
    schema = f"pao_api_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(postgres_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield schema
    finally:
        with psycopg.connect(postgres_url, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.mark.postgres
def test_replicas_on_postgres_record_a_delivery_once(
    postgres_url: str, pg_schema: str
) -> None:
    # Two API processes (replicas) on one PostgreSQL, each receiving the
    # same delivery several times at once, as GitHub redeliveries and a
    # load balancer can arrange.
    stores = [Store(PostgresDatabase(postgres_url, schema=pg_schema)) for _ in range(2)]
    stores[0].migrate()
    recorders = [Recorder(), Recorder()]
    apps = [
        AppFactory(store=store, recorder=recorder)(config=CONFIG, cache=MemoryCache())
        for store, recorder in zip(stores, recorders, strict=True)
    ]
    servers = [_serve(app) for app in apps]
    urls = [next(server).url for server in servers]

    def send(n: int) -> bool:
        url = f"{urls[n % 2]}/api/v1/webhooks/github"
        with httpx.Client(trust_env=False) as client:
            response = client.post(url, content=PUSH, headers=github_headers("one"))
        assert response.status_code == 202
        return bool(response.json()["duplicate"])

    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            duplicates = list(pool.map(send, range(16)))
    finally:
        for server in servers:
            next(server, None)
        for store in stores:
            store.close()

    assert duplicates.count(False) == 1
    assert sum(len(r.enqueued) for r in recorders) == 1


def test_chunked_body_is_refused_before_it_ends(
    server: RunningServer, store: Store
) -> None:
    # The client sends more than the cap and never finishes the body; the
    # 413 must come anyway, so the server did not wait to buffer it all.
    chunk = b"x" * 8192
    head = (
        "POST /api/v1/webhooks/github HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{server.port}\r\n"
        "Content-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\n\r\n"
    ).encode()

    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as sock:
        sock.sendall(head)
        try:
            for _ in range(10):
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: what we want to see
        reply = _read_response(sock)

    assert reply.startswith(b"HTTP/1.1 413")
    assert b'"payload_too_large"' in reply
    assert store.list_pending_deliveries() == []


def _read_response(sock: socket.socket) -> bytes:
    reply = b""
    while b"\r\n\r\n" not in reply or not _complete(reply):
        data = sock.recv(65536)
        if not data:
            break
        reply += data
    return reply


def _complete(reply: bytes) -> bool:
    head, _, body = reply.partition(b"\r\n\r\n")
    for line in head.split(b"\r\n"):
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            return len(body) >= int(value)
    return False


def test_jira_standin_deliveries_are_verified_and_recorded(
    server: RunningServer, store: Store, recorder: Recorder
) -> None:
    jira = JiraStandin(
        api_token="t",
        webhook_url=f"{server.url}/api/v1/webhooks/jira",
        webhook_secret=JIRA_SECRET,
    )

    with jira.serve():
        key = _create_issue(jira)
        delivery = jira.resolve(key, "Done")

    assert delivery is not None
    assert delivery.status_code == 202, delivery.response_body
    recorded = store.list_pending_deliveries(source="jira")
    assert [d.event for d in recorded] == ["jira:issue_created", "jira:issue_updated"]
    assert {d.payload["issue"]["key"] for d in recorder.enqueued} == {key}


def test_jira_standin_with_url_secret_is_recorded(
    server: RunningServer, store: Store
) -> None:
    jira = JiraStandin(
        flavor="datacenter",
        api_token="t",
        webhook_url=f"{server.url}/api/v1/webhooks/jira?secret={JIRA_SECRET}",
    )

    with jira.serve():
        delivery = jira.resolve(_create_issue(jira), "Won't Do")

    assert delivery is not None
    assert delivery.status_code == 202
    assert len(store.list_pending_deliveries(source="jira")) == 2


def test_jira_standin_with_wrong_secret_is_refused(
    server: RunningServer, store: Store
) -> None:
    jira = JiraStandin(
        api_token="t",
        webhook_url=f"{server.url}/api/v1/webhooks/jira",
        webhook_secret="not-the-secret",
    )

    with jira.serve():
        delivery = jira.resolve(_create_issue(jira), "Done")

    assert delivery is not None
    assert delivery.status_code == 401
    assert store.list_pending_deliveries() == []


def _create_issue(jira: JiraStandin) -> str:
    api = "/rest/api/3" if jira.flavor == "cloud" else "/rest/api/2"
    with httpx.Client(trust_env=False, auth=("pao-bot@acme.example", "t")) as client:
        response = client.post(
            f"{jira.url}{api}/issue",
            json={
                "fields": {
                    "project": {"key": "DBA"},
                    "issuetype": {"name": "Task"},
                    "summary": "Create orders-db",
                }
            },
        )
    assert response.status_code == 201, response.text
    return str(response.json()["key"])
