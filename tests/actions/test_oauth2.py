"""OAuth2 client-credentials auth of rest-api actions: fetch, cache, refresh."""

from __future__ import annotations

import base64
from typing import Any
from urllib.parse import parse_qs

import pytest

from actions.scripted import Reply, ScriptedTarget
from pao.actions import ActionAuthError, ActionContext, PermanentActionError
from pao.actions.http import HttpSender
from pao.actions.oauth2 import OAuth2Tokens
from pao.actions.rest_api import RestApiExecutor


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def executor(sender: HttpSender, clock: FakeClock) -> RestApiExecutor:
    tokens = OAuth2Tokens(sender=lambda: sender, clock=clock)
    return RestApiExecutor(sender=sender, tokens=tokens)


def oauth_config(target: ScriptedTarget, **auth: Any) -> dict[str, Any]:
    return {
        "method": "POST",
        "url": target.url + "/api",
        "auth": {
            "type": "oauth2",
            "tokenUrl": target.url + "/oauth/token",
            "clientId": "pao-bot",
            "clientSecret": "client-secret-xyz",
            "scope": ["db.write", "db.read"],
            **auth,
        },
    }


def token(value: str, expires_in: int | None = 3600) -> Reply:
    body: dict[str, Any] = {"access_token": value, "token_type": "Bearer"}
    if expires_in is not None:
        body["expires_in"] = expires_in
    return Reply(200, json=body)


def bearers(target: ScriptedTarget) -> list[str]:
    return [s.headers["authorization"] for s in target.requests_to("/api")]


def test_token_request_uses_client_credentials_grant(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    target.script("/oauth/token", token("tok-1"))

    executor.execute(oauth_config(target), ctx)

    [grant] = target.requests_to("/oauth/token")
    assert grant.method == "POST"
    assert parse_qs(grant.body.decode()) == {
        "grant_type": ["client_credentials"],
        "scope": ["db.write db.read"],
    }
    scheme, _, encoded = grant.headers["authorization"].partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(encoded).decode() == "pao-bot:client-secret-xyz"
    assert bearers(target) == ["Bearer tok-1"]


def test_token_is_cached_across_actions(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    target.script("/oauth/token", token("tok-1"), token("tok-2"))

    executor.execute(oauth_config(target), ctx)
    executor.execute(oauth_config(target), ctx)

    assert len(target.requests_to("/oauth/token")) == 1
    assert bearers(target) == ["Bearer tok-1", "Bearer tok-1"]


def test_token_is_refreshed_shortly_before_expiry(
    target: ScriptedTarget,
    executor: RestApiExecutor,
    ctx: ActionContext,
    clock: FakeClock,
) -> None:
    target.script("/oauth/token", token("tok-1", expires_in=600), token("tok-2"))

    executor.execute(oauth_config(target), ctx)
    clock.now += 565
    executor.execute(oauth_config(target), ctx)
    clock.now += 10
    executor.execute(oauth_config(target), ctx)

    assert bearers(target) == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]


def test_different_scopes_get_different_tokens(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    target.script("/oauth/token", token("tok-1"), token("tok-2"))

    executor.execute(oauth_config(target), ctx)
    executor.execute(oauth_config(target, scope="admin"), ctx)

    assert bearers(target) == ["Bearer tok-1", "Bearer tok-2"]


def test_cached_token_rejected_with_401_is_replaced_once(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    target.script("/oauth/token", token("tok-1"), token("tok-2"))
    target.script("/api", Reply(200), Reply(401), Reply(200))

    executor.execute(oauth_config(target), ctx)
    result = executor.execute(oauth_config(target), ctx)

    assert bearers(target) == ["Bearer tok-1", "Bearer tok-1", "Bearer tok-2"]
    assert result.attempts == 2


def test_fresh_token_rejected_with_401_is_permanent(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    target.script("/oauth/token", token("tok-1"), token("tok-2"))
    target.script("/api", Reply(401))

    with pytest.raises(ActionAuthError):
        executor.execute(oauth_config(target), ctx)

    assert len(target.requests_to("/oauth/token")) == 1


def test_token_endpoint_401_is_permanent_and_names_the_client(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    target.script("/oauth/token", Reply(401, json={"error": "invalid_client"}))

    with pytest.raises(ActionAuthError) as caught:
        executor.execute(oauth_config(target), ctx)

    text = str(caught.value)
    assert "OAuth2 token endpoint" in text
    assert "'pao-bot'" in text
    assert "invalid_client" in text
    assert "client-secret-xyz" not in text
    assert len(target.requests_to("/oauth/token")) == 1
    assert target.requests_to("/api") == []


def test_token_endpoint_outage_is_retried(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    target.script("/oauth/token", Reply(503), token("tok-1"))

    executor.execute(oauth_config(target), ctx)

    assert len(target.requests_to("/oauth/token")) == 2
    assert bearers(target) == ["Bearer tok-1"]


@pytest.mark.parametrize(
    ("reply", "fragment"),
    [
        (Reply(200, json={"token_type": "bearer"}), "without an access_token"),
        (Reply(200, text="not json"), "without an access_token"),
        (
            Reply(200, json={"access_token": "t", "token_type": "mac"}),
            "only bearer tokens",
        ),
    ],
)
def test_unusable_token_answers_are_permanent(
    target: ScriptedTarget,
    executor: RestApiExecutor,
    ctx: ActionContext,
    reply: Reply,
    fragment: str,
) -> None:
    target.script("/oauth/token", reply)

    with pytest.raises(PermanentActionError, match=fragment):
        executor.execute(oauth_config(target), ctx)


def test_token_without_expiry_is_still_cached(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    target.script("/oauth/token", token("tok-1", expires_in=None), token("tok-2"))

    executor.execute(oauth_config(target), ctx)
    executor.execute(oauth_config(target), ctx)

    assert bearers(target) == ["Bearer tok-1", "Bearer tok-1"]


def test_access_token_is_masked_in_errors(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    target.script("/oauth/token", token("issued-token-abcdef"))
    target.script("/api", Reply(400, json={"echo": "Bearer issued-token-abcdef"}))

    with pytest.raises(PermanentActionError) as caught:
        executor.execute(oauth_config(target), ctx)

    assert "issued-token-abcdef" not in str(caught.value)
    assert "Bearer ***" in str(caught.value)
