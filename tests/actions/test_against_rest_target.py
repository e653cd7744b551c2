"""rest-api and webhook actions against the generic REST stand-in."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pao.actions import (
    ActionAuthError,
    ActionContext,
    RestApiExecutor,
    WebhookExecutor,
)
from pao.actions.http import HttpSender
from pao.standins.rest_target import RestTarget

HOOK_SECRET = "hook-signing-key"


@pytest.fixture(scope="module")
def _served() -> Iterator[RestTarget]:
    standin = RestTarget(
        oauth_clients={"pao-bot": "client-secret-xyz"},
        webhook_secret=HOOK_SECRET,
    )
    with standin.serve():
        yield standin


@pytest.fixture
def rest(_served: RestTarget) -> RestTarget:
    _served.faults.clear()
    return _served


def create(rest: RestTarget, name: str, secret: str = "client-secret-xyz") -> Any:
    return {
        "method": "POST",
        "url": rest.url + "/v1/databases",
        "body": {"name": name},
        "auth": {
            "type": "oauth2",
            "tokenUrl": rest.url + "/oauth/token",
            "clientId": "pao-bot",
            "clientSecret": secret,
        },
        "expectedStatus": [201],
    }


def test_lost_answer_is_retried_without_a_duplicate(
    rest: RestTarget, sender: HttpSender, make_ctx: Callable[..., ActionContext]
) -> None:
    rest.drop_next(after_effect=True, method="POST", path="^/v1/databases$")
    ctx = make_ctx(idempotency_key="key-lost-answer")

    result = RestApiExecutor(sender=sender).execute(create(rest, "lost-answer"), ctx)

    created = [r for r in rest.resources("databases") if r["name"] == "lost-answer"]
    assert len(created) == 1
    assert result.attempts == 2
    assert result.external_ref["id"] == created[0]["id"]
    assert result.response is not None
    assert result.response["headers"]["idempotent-replayed"] == "true"


def test_scripted_outage_with_retry_after_then_success(
    rest: RestTarget, sender: HttpSender, make_ctx: Callable[..., ActionContext]
) -> None:
    rest.fail_next(503, count=2, retry_after=0.1, path="^/v1/databases$")
    ctx = make_ctx(idempotency_key="key-outage")

    result = RestApiExecutor(sender=sender).execute(create(rest, "outage"), ctx)

    assert result.outputs == {"status": 201}
    assert result.attempts == 3


def test_wrong_client_secret_is_an_auth_error(
    rest: RestTarget, sender: HttpSender, ctx: ActionContext
) -> None:
    config = create(rest, "nope", secret="wrong")

    with pytest.raises(ActionAuthError, match="rejected client 'pao-bot'"):
        RestApiExecutor(sender=sender).execute(config, ctx)


def test_webhook_signature_is_accepted_by_the_receiver(
    rest: RestTarget, sender: HttpSender, ctx: ActionContext
) -> None:
    config = {
        "url": rest.url + "/hooks/provisioned",
        "secret": HOOK_SECRET,
        "payload": {"event": "created", "name": "orders-db"},
    }

    WebhookExecutor(sender=sender).execute(config, ctx)

    [received] = [w for w in rest.state.webhooks if w.path == "/hooks/provisioned"]
    assert received.signature_valid is True
