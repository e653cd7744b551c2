"""The per-host circuit breaker in front of every action call."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from actions.scripted import Reply, ScriptedTarget
from pao.actions import (
    ActionContext,
    CircuitOpen,
    PermanentActionError,
    RetryPolicy,
    TransientActionError,
)
from pao.actions.http import Circuits, HttpSender, OutgoingRequest

ONE_TRY = RetryPolicy(max_attempts=1, initial_backoff=0.01)


@pytest.fixture
def quick_circuits() -> Circuits:
    return Circuits(fail_max=3, reset_timeout=0.3)


@pytest.fixture
def guarded(http_client: httpx.Client, quick_circuits: Circuits) -> HttpSender:
    return HttpSender(client=http_client, circuits=quick_circuits)


@pytest.fixture
def one_try(make_ctx: Callable[..., ActionContext]) -> ActionContext:
    return make_ctx(retry=ONE_TRY)


def call(sender: HttpSender, target: ScriptedTarget, ctx: ActionContext) -> None:
    sender.send(OutgoingRequest(method="GET", url=target.url + "/svc"), ctx=ctx)


def fail_times(
    sender: HttpSender, target: ScriptedTarget, ctx: ActionContext, times: int
) -> None:
    target.script("/svc", *[Reply(503)] * times)
    for _ in range(times):
        with pytest.raises(TransientActionError):
            call(sender, target, ctx)


def test_circuit_opens_after_fail_max_transient_failures_and_fails_fast(
    target: ScriptedTarget, guarded: HttpSender, one_try: ActionContext
) -> None:
    fail_times(guarded, target, one_try, 3)

    with pytest.raises(CircuitOpen) as caught:
        call(guarded, target, one_try)

    assert len(target.requests_to("/svc")) == 3
    assert caught.value.retry_after is not None
    assert 0 < caught.value.retry_after <= 0.3
    assert "not calling it" in str(caught.value)


def test_retries_stop_at_an_open_circuit(
    target: ScriptedTarget,
    guarded: HttpSender,
    make_ctx: Callable[..., ActionContext],
) -> None:
    target.script("/svc", *[Reply(500)] * 10)
    ctx = make_ctx(retry=RetryPolicy(max_attempts=6, initial_backoff=0.01))

    with pytest.raises(CircuitOpen) as caught:
        call(guarded, target, ctx)

    assert len(target.requests_to("/svc")) == 3
    assert caught.value.attempts == 4


def test_circuit_half_opens_after_reset_timeout_and_closes_on_success(
    target: ScriptedTarget,
    guarded: HttpSender,
    quick_circuits: Circuits,
    one_try: ActionContext,
) -> None:
    fail_times(guarded, target, one_try, 3)
    origin = target.url
    assert quick_circuits.state(origin) == "open"

    time.sleep(0.35)
    call(guarded, target, one_try)

    assert quick_circuits.state(origin) == "closed"


def test_failed_trial_call_opens_the_circuit_again(
    target: ScriptedTarget, guarded: HttpSender, one_try: ActionContext
) -> None:
    fail_times(guarded, target, one_try, 3)
    time.sleep(0.35)
    fail_times(guarded, target, one_try, 1)

    with pytest.raises(CircuitOpen):
        call(guarded, target, one_try)


def test_permanent_errors_do_not_count_as_host_failures(
    target: ScriptedTarget, guarded: HttpSender, one_try: ActionContext
) -> None:
    target.script("/svc", *[Reply(404)] * 5)

    for _ in range(5):
        with pytest.raises(PermanentActionError):
            call(guarded, target, one_try)

    call(guarded, target, one_try)


def test_a_success_resets_the_failure_count(
    target: ScriptedTarget, guarded: HttpSender, one_try: ActionContext
) -> None:
    fail_times(guarded, target, one_try, 2)
    call(guarded, target, one_try)
    fail_times(guarded, target, one_try, 2)

    call(guarded, target, one_try)


def test_circuits_are_per_host(
    target: ScriptedTarget,
    guarded: HttpSender,
    one_try: ActionContext,
    closed_port: int,
) -> None:
    refused = OutgoingRequest(method="GET", url=f"http://127.0.0.1:{closed_port}/")
    for _ in range(3):
        with pytest.raises(TransientActionError):
            guarded.send(refused, ctx=one_try)
    with pytest.raises(CircuitOpen):
        guarded.send(refused, ctx=one_try)

    call(guarded, target, one_try)
