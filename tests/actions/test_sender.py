"""Retries, timeouts and error mapping of the shared HTTP sender."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from actions.scripted import Reply, ScriptedTarget
from pao.actions import (
    ActionAuthError,
    ActionCancelled,
    ActionContext,
    ActionTimeout,
    PermanentActionError,
    RetryPolicy,
    TransientActionError,
)
from pao.actions.http import HttpSender, OutgoingRequest, expect_statuses


def get(target: ScriptedTarget, path: str = "/thing") -> OutgoingRequest:
    return OutgoingRequest(method="GET", url=target.url + path)


@pytest.mark.parametrize("status", [500, 502, 503, 504, 408, 429])
def test_transient_statuses_are_retried_until_success(
    target: ScriptedTarget, sender: HttpSender, ctx: ActionContext, status: int
) -> None:
    target.script("/thing", Reply(status), Reply(status), Reply(200, json={"id": 7}))

    reply = sender.send(get(target), ctx=ctx)

    assert reply.status == 200
    assert reply.body == {"id": 7}
    assert reply.attempts == 3
    assert len(target.requests_to("/thing")) == 3


def test_transient_failures_stop_after_max_attempts(
    target: ScriptedTarget, sender: HttpSender, ctx: ActionContext
) -> None:
    target.script("/thing", *[Reply(503, text="busy")] * 5)

    with pytest.raises(TransientActionError) as caught:
        sender.send(get(target), ctx=ctx)

    assert caught.value.status == 503
    assert caught.value.attempts == 3
    assert len(target.requests_to("/thing")) == 3


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, PermanentActionError),
        (404, PermanentActionError),
        (409, PermanentActionError),
        (422, PermanentActionError),
        (501, PermanentActionError),
        (401, ActionAuthError),
        (403, ActionAuthError),
    ],
)
def test_permanent_statuses_fail_without_retry(
    target: ScriptedTarget,
    sender: HttpSender,
    ctx: ActionContext,
    status: int,
    error: type[PermanentActionError],
) -> None:
    target.script("/thing", Reply(status, json={"error": "no"}))

    with pytest.raises(error) as caught:
        sender.send(get(target), ctx=ctx)

    assert type(caught.value) is error
    assert caught.value.status == status
    assert caught.value.attempts == 1
    assert len(target.requests_to("/thing")) == 1


def test_auth_failure_message_points_at_the_credentials(
    target: ScriptedTarget, sender: HttpSender, ctx: ActionContext
) -> None:
    target.script("/thing", Reply(401, json={"error": "bad token"}))

    with pytest.raises(ActionAuthError) as caught:
        sender.send(get(target), ctx=ctx)

    text = str(caught.value)
    assert f"GET {target.url}/thing answered 401 Unauthorized" in text
    assert "rejected the credentials" in text
    assert '{"error":"bad token"}' in text


def test_unexpected_success_status_is_permanent(
    target: ScriptedTarget, sender: HttpSender, ctx: ActionContext
) -> None:
    target.script("/thing", Reply(202))

    with pytest.raises(PermanentActionError, match="202 Accepted, which the action"):
        sender.send(get(target), ctx=ctx, expected=expect_statuses([200, 201]))


def test_expected_error_status_is_a_success(
    target: ScriptedTarget, sender: HttpSender, ctx: ActionContext
) -> None:
    target.script("/thing", Reply(404, json={"gone": True}))

    reply = sender.send(get(target), ctx=ctx, expected=expect_statuses([404]))

    assert reply.status == 404
    assert reply.body == {"gone": True}


def test_retry_after_seconds_is_honoured_beyond_max_backoff(
    target: ScriptedTarget, sender: HttpSender, ctx: ActionContext
) -> None:
    target.script("/thing", Reply(429, headers={"Retry-After": "1"}), Reply(200))

    sender.send(get(target), ctx=ctx)

    first, second = target.requests_to("/thing")
    assert second.at - first.at >= 0.95


def test_retry_after_past_the_deadline_is_left_to_the_engine(
    target: ScriptedTarget,
    sender: HttpSender,
    make_ctx: Callable[..., ActionContext],
) -> None:
    target.script("/thing", Reply(503, headers={"Retry-After": "120"}))
    started = time.monotonic()

    with pytest.raises(TransientActionError) as caught:
        sender.send(get(target), ctx=make_ctx(timeout=5.0))

    assert caught.value.retry_after == 120
    assert caught.value.attempts == 1
    assert time.monotonic() - started < 2


def test_connection_refused_is_transient_and_bounded(
    sender: HttpSender, ctx: ActionContext, closed_port: int
) -> None:
    request = OutgoingRequest(method="POST", url=f"http://127.0.0.1:{closed_port}/x")

    with pytest.raises(TransientActionError, match="ConnectError") as caught:
        sender.send(request, ctx=ctx)

    assert caught.value.attempts == 3
    assert caught.value.status is None


def test_a_hanging_target_times_out_on_every_attempt_within_the_deadline(
    target: ScriptedTarget,
    sender: HttpSender,
    make_ctx: Callable[..., ActionContext],
) -> None:
    target.script("/thing", *[Reply(200, delay=0.8)] * 3)
    started = time.monotonic()

    with pytest.raises(ActionTimeout, match="did not answer in time") as caught:
        sender.send(get(target), ctx=make_ctx(timeout=0.6))

    assert caught.value.attempts == 3
    assert len(target.requests_to("/thing")) == 3
    assert time.monotonic() - started < 1.0


def test_a_cancelled_run_sends_nothing(
    target: ScriptedTarget, sender: HttpSender, ctx: ActionContext
) -> None:
    ctx.cancel.set()

    with pytest.raises(ActionCancelled):
        sender.send(get(target), ctx=ctx)

    assert target.seen == []


def test_cancelling_cuts_a_backoff_short(
    target: ScriptedTarget, sender: HttpSender, ctx: ActionContext
) -> None:
    target.script("/thing", Reply(503, headers={"Retry-After": "5"}))
    timer = threading.Timer(0.2, ctx.cancel.set)
    timer.start()
    started = time.monotonic()

    with pytest.raises(ActionCancelled):
        sender.send(get(target), ctx=ctx)

    timer.join()
    assert time.monotonic() - started < 2
    assert len(target.requests_to("/thing")) == 1


def test_unsupported_scheme_is_permanent(
    sender: HttpSender, ctx: ActionContext
) -> None:
    request = OutgoingRequest(method="GET", url="ftp://127.0.0.1/file")

    with pytest.raises(PermanentActionError) as caught:
        sender.send(request, ctx=ctx)

    assert caught.value.attempts == 1


def test_single_attempt_policy_never_retries(
    target: ScriptedTarget,
    sender: HttpSender,
    make_ctx: Callable[..., ActionContext],
) -> None:
    target.script("/thing", Reply(500), Reply(200))
    ctx = make_ctx(retry=RetryPolicy(max_attempts=1, initial_backoff=0.01))

    with pytest.raises(TransientActionError):
        sender.send(get(target), ctx=ctx)

    assert len(target.requests_to("/thing")) == 1


def test_malformed_json_is_kept_as_text(
    target: ScriptedTarget, sender: HttpSender, ctx: ActionContext
) -> None:
    target.script(
        "/thing", Reply(200, text='{"id": "ab', content_type="application/json")
    )

    reply = sender.send(get(target), ctx=ctx)

    assert reply.body == '{"id": "ab'
    assert reply.truncated is False


def test_large_bodies_are_truncated_and_not_parsed(
    target: ScriptedTarget, sender: HttpSender, ctx: ActionContext
) -> None:
    big = {"items": ["x" * 1000] * 400}
    target.script("/thing", Reply(200, json=big))

    reply = sender.send(get(target), ctx=ctx)

    assert reply.truncated is True
    assert isinstance(reply.body, str)
    assert len(reply.body.encode()) == 256 * 1024
    assert reply.record()["truncated"] is True


def test_error_excerpt_of_a_long_body_is_bounded(
    target: ScriptedTarget, sender: HttpSender, ctx: ActionContext
) -> None:
    target.script("/thing", Reply(400, text="e" * 5000))

    with pytest.raises(PermanentActionError) as caught:
        sender.send(get(target), ctx=ctx)

    assert caught.value.body_excerpt is not None
    assert len(caught.value.body_excerpt) == 501
    assert len(str(caught.value)) < 800


def test_response_header_names_are_lower_cased(
    target: ScriptedTarget, sender: HttpSender, ctx: ActionContext
) -> None:
    target.script("/thing", Reply(200, headers={"X-Request-ID": "abc"}))

    reply = sender.send(get(target), ctx=ctx)

    assert reply.headers["x-request-id"] == "abc"


def test_request_builder_runs_once_per_attempt(
    target: ScriptedTarget, sender: HttpSender, ctx: ActionContext
) -> None:
    target.script("/thing", Reply(500), Reply(200))
    built: list[int] = []

    def build() -> OutgoingRequest:
        built.append(len(built))
        return OutgoingRequest(
            method="GET", url=target.url + "/thing", headers={"X-Try": str(len(built))}
        )

    sender.send(build, ctx=ctx)

    assert [s.headers["x-try"] for s in target.requests_to("/thing")] == ["1", "2"]
