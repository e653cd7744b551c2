"""The webhook executor: signed JSON POSTs a receiver can verify."""

from __future__ import annotations

import json
import time

import pytest

from actions.scripted import Reply, ScriptedTarget
from pao.actions import (
    ActionContext,
    InvalidActionConfig,
    PermanentActionError,
    WebhookExecutor,
    verify_webhook_signature,
)
from pao.actions.http import HttpSender
from pao.standins.rest_target import pao_signature

SECRET = "hook-signing-key"


@pytest.fixture
def executor(sender: HttpSender) -> WebhookExecutor:
    return WebhookExecutor(sender=sender)


def hook(target: ScriptedTarget, **extra: object) -> dict[str, object]:
    return {
        "url": target.url + "/hooks/pao",
        "secret": SECRET,
        "payload": {"event": "created", "name": "orders-db", "size": 20},
        **extra,
    }


def test_delivery_is_signed_over_timestamp_and_raw_body(
    target: ScriptedTarget, executor: WebhookExecutor, ctx: ActionContext
) -> None:
    result = executor.execute(hook(target), ctx)

    [seen] = target.requests_to("/hooks/pao")
    timestamp = seen.headers["x-pao-timestamp"]
    signature = seen.headers["x-pao-signature-256"]
    assert verify_webhook_signature(SECRET, timestamp, seen.body, signature)
    # An independent implementation of the scheme agrees.
    assert signature == pao_signature(SECRET, timestamp, seen.body)
    assert abs(int(timestamp) - time.time()) < 5
    assert result.outputs == {"status": 200}


def test_body_is_compact_json_with_sorted_keys(
    target: ScriptedTarget, executor: WebhookExecutor, ctx: ActionContext
) -> None:
    executor.execute(hook(target), ctx)

    [seen] = target.requests_to("/hooks/pao")
    assert seen.method == "POST"
    assert seen.body == b'{"event":"created","name":"orders-db","size":20}'
    assert seen.headers["content-type"] == "application/json"


def test_wrong_secret_does_not_verify(
    target: ScriptedTarget, executor: WebhookExecutor, ctx: ActionContext
) -> None:
    executor.execute(hook(target), ctx)

    [seen] = target.requests_to("/hooks/pao")
    assert not verify_webhook_signature(
        "other-secret",
        seen.headers["x-pao-timestamp"],
        seen.body,
        seen.headers["x-pao-signature-256"],
    )


def test_retries_keep_the_key_and_sign_each_attempt(
    target: ScriptedTarget, ctx: ActionContext, sender: HttpSender
) -> None:
    ticks = iter([1_700_000_000, 1_700_000_007])
    executor = WebhookExecutor(sender=sender, clock=lambda: next(ticks))
    target.script("/hooks/pao", Reply(503), Reply(204))

    result = executor.execute(hook(target), ctx)

    first, second = target.requests_to("/hooks/pao")
    assert first.headers["idempotency-key"] == second.headers["idempotency-key"]
    assert first.headers["idempotency-key"] == "idem-1234"
    assert first.headers["x-pao-timestamp"] == "1700000000"
    assert second.headers["x-pao-timestamp"] == "1700000007"
    for seen in (first, second):
        assert verify_webhook_signature(
            SECRET,
            seen.headers["x-pao-timestamp"],
            seen.body,
            seen.headers["x-pao-signature-256"],
            tolerance=None,
        )
    assert result.attempts == 2
    assert result.outputs == {"status": 204}


def test_custom_headers_cannot_replace_the_signature(
    target: ScriptedTarget, executor: WebhookExecutor, ctx: ActionContext
) -> None:
    headers = {
        "X-Source": "pao",
        "x-pao-signature-256": "sha256=forged",
        "idempotency-key": "other",
    }

    executor.execute(hook(target, headers=headers), ctx)

    [seen] = target.requests_to("/hooks/pao")
    assert seen.headers["x-source"] == "pao"
    names = [name for name, _ in seen.raw_headers]
    assert names.count("x-pao-signature-256") == 1
    assert names.count("idempotency-key") == 1
    assert seen.headers["x-pao-signature-256"] != "sha256=forged"
    assert seen.headers["idempotency-key"] == "idem-1234"


def test_non_2xx_answer_fails(
    target: ScriptedTarget, executor: WebhookExecutor, ctx: ActionContext
) -> None:
    target.script("/hooks/pao", Reply(410, text="gone"))

    with pytest.raises(PermanentActionError, match="410 Gone"):
        executor.execute(hook(target), ctx)


def test_payload_defaults_to_an_empty_object(
    target: ScriptedTarget, executor: WebhookExecutor, ctx: ActionContext
) -> None:
    executor.execute({"url": target.url + "/hooks/pao", "secret": SECRET}, ctx)

    [seen] = target.requests_to("/hooks/pao")
    assert json.loads(seen.body) == {}


def test_missing_secret_is_a_config_error(
    target: ScriptedTarget, executor: WebhookExecutor, ctx: ActionContext
) -> None:
    with pytest.raises(InvalidActionConfig, match="secret: required key is missing"):
        executor.execute({"url": target.url + "/hooks/pao"}, ctx)

    assert target.seen == []


def test_secret_echoed_by_the_receiver_is_masked(
    target: ScriptedTarget, executor: WebhookExecutor, ctx: ActionContext
) -> None:
    target.script("/hooks/pao", Reply(400, text=f"bad signature for {SECRET}"))

    with pytest.raises(PermanentActionError) as caught:
        executor.execute(hook(target), ctx)

    assert SECRET not in str(caught.value)
    assert SECRET not in repr(caught.value)
