"""The server runner and the scripted faults every stand-in shares."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from pao.standins import RestTarget, StandinNotServing, serve_app


async def _hello(request: object) -> PlainTextResponse:
    return PlainTextResponse("hello")


@pytest.fixture(scope="module")
def _served() -> Iterator[RestTarget]:
    target = RestTarget()
    with target.serve():
        yield target


@pytest.fixture
def target(_served: RestTarget) -> RestTarget:
    _served.faults.clear()
    _served.requests.clear()
    return _served


def test_serve_app_listens_on_loopback_and_stops_on_exit() -> None:
    app = Starlette(routes=[Route("/", _hello)])

    with serve_app(app) as server:
        answer = httpx.get(server.url)
    assert server.url.startswith("http://127.0.0.1:")
    assert answer.text == "hello"
    assert not server.thread.is_alive()
    with pytest.raises(httpx.ConnectError):
        httpx.get(server.url, timeout=1)


def test_url_of_a_standin_not_served_is_an_error() -> None:
    with pytest.raises(StandinNotServing):
        _ = RestTarget().url


def test_requests_are_recorded_with_headers_and_body(target: RestTarget) -> None:
    httpx.post(target.url + "/v1/things", json={"name": "a"}, headers={"X-Team": "t"})

    [recorded] = target.requests.matching("POST", "^/v1/things$")
    assert recorded.headers["x-team"] == "t"
    assert recorded.json == {"name": "a"}
    assert recorded.fault is None


@pytest.mark.parametrize("status", [429, 500, 503])
def test_status_fault_answers_with_retry_after_and_has_no_effect(
    target: RestTarget, status: int
) -> None:
    target.fail_next(status, retry_after=2, path="^/v1/faulted")

    answer = httpx.post(target.url + "/v1/faulted", json={"name": "x"})

    assert answer.status_code == status
    assert answer.headers["retry-after"] == "2"
    assert answer.json()["error"] == "unavailable"
    assert target.resources("faulted") == []


def test_fault_applies_count_times_then_requests_pass(target: RestTarget) -> None:
    target.fail_next(500, count=2)

    statuses = [httpx.get(target.url + "/v1/x").status_code for _ in range(3)]

    assert statuses == [500, 500, 200]
    assert target.faults.pending() == []


def test_fault_matches_only_its_method_and_path(target: RestTarget) -> None:
    target.fail_next(503, method="POST", path="^/v1/only$")

    unaffected = httpx.get(target.url + "/v1/only")
    affected = httpx.post(target.url + "/v1/only", json={})

    assert unaffected.status_code == 200
    assert affected.status_code == 503


def test_delay_holds_the_request_then_serves_it(target: RestTarget) -> None:
    target.delay_next(0.3)

    with pytest.raises(httpx.ReadTimeout):
        httpx.get(target.url + "/v1/slow", timeout=0.1)
    started = time.monotonic()
    target.delay_next(0.2)
    answer = httpx.get(target.url + "/v1/slow")

    assert answer.status_code == 200
    assert time.monotonic() - started >= 0.2


def test_malformed_answer_is_not_json(target: RestTarget) -> None:
    target.malform_next()

    answer = httpx.get(target.url + "/v1/x")

    assert answer.status_code == 200
    with pytest.raises(ValueError, match=r"Expecting|Unterminated"):
        answer.json()


@pytest.mark.parametrize("after_effect", [False, True])
def test_dropped_connection_leaves_the_client_without_an_answer(
    target: RestTarget, after_effect: bool
) -> None:
    collection = f"dropped{int(after_effect)}"
    target.drop_next(after_effect=after_effect)

    with pytest.raises(httpx.RemoteProtocolError):
        httpx.post(target.url + f"/v1/{collection}", json={"name": "x"})

    assert len(target.resources(collection)) == int(after_effect)
    assert target.requests.all()[-1].fault == "drop"
