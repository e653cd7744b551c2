"""The rest-api executor against a real HTTP server."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from actions.scripted import Reply, ScriptedTarget
from pao.actions import (
    ActionAuthError,
    ActionContext,
    InvalidActionConfig,
    PermanentActionError,
    RestApiExecutor,
    TransientActionError,
)
from pao.actions.http import HttpSender


@pytest.fixture
def executor(sender: HttpSender) -> RestApiExecutor:
    return RestApiExecutor(sender=sender)


def config(target: ScriptedTarget, **extra: Any) -> dict[str, Any]:
    return {"method": "POST", "url": target.url + "/v1/databases", **extra}


def test_post_sends_json_body_query_and_headers(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    target.script("/v1/databases", Reply(201, json={"id": "db-7", "state": "new"}))
    cfg = config(
        target,
        headers={"X-Team": "payments"},
        query={"region": "eu", "tag": ["a", "b"]},
        body={"name": "orders-db", "sizeGb": 20, "ha": True},
    )

    result = executor.execute(cfg, ctx)

    [seen] = target.requests_to("/v1/databases")
    assert seen.method == "POST"
    assert seen.query == "region=eu&tag=a&tag=b"
    assert seen.json() == {"name": "orders-db", "sizeGb": 20, "ha": True}
    assert seen.headers["content-type"] == "application/json"
    assert seen.headers["x-team"] == "payments"
    assert seen.headers["x-correlation-id"] == "corr-42"
    assert result.outputs == {"status": 201}
    assert result.response is not None
    assert result.response["body"] == {"id": "db-7", "state": "new"}
    assert result.response["headers"]["content-type"] == "application/json"
    assert result.external_ref["id"] == "db-7"
    assert result.attempts == 1


def test_method_defaults_to_get_without_body(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    executor.execute({"url": target.url + "/v1/databases"}, ctx)

    [seen] = target.requests_to("/v1/databases")
    assert seen.method == "GET"
    assert seen.body == b""
    assert "content-type" not in seen.headers


def test_location_header_becomes_the_external_url(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    target.script("/v1/databases", Reply(201, headers={"Location": "/v1/databases/9"}))

    result = executor.execute(config(target), ctx)

    assert result.external_ref["url"] == target.url + "/v1/databases/9"


def test_idempotency_key_is_identical_across_retries(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    target.script("/v1/databases", Reply(503), Reply(500), Reply(201))

    result = executor.execute(config(target, body={"n": 1}), ctx)

    keys = [s.headers["idempotency-key"] for s in target.requests_to("/v1/databases")]
    assert keys == ["idem-1234"] * 3
    assert result.attempts == 3


def test_config_may_name_its_own_idempotency_key(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    cfg = config(target, headers={"idempotency-key": "req-orders-db"})

    executor.execute(cfg, ctx)

    [seen] = target.requests_to("/v1/databases")
    assert seen.headers["idempotency-key"] == "req-orders-db"


def test_expected_status_list_is_enforced(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    target.script("/v1/databases", Reply(200))

    with pytest.raises(PermanentActionError, match="200 OK, which the action does"):
        executor.execute(config(target, expectedStatus=[201]), ctx)


def test_string_body_with_non_json_content_type_is_sent_raw(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    cfg = config(target, headers={"Content-Type": "text/plain"}, body="hello")

    executor.execute(cfg, ctx)

    [seen] = target.requests_to("/v1/databases")
    assert seen.body == b"hello"


def test_string_body_is_json_encoded_by_default(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    executor.execute(config(target, body="hello"), ctx)

    [seen] = target.requests_to("/v1/databases")
    assert seen.body == b'"hello"'


def test_bearer_auth(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    auth = {"type": "bearer", "token": "s3cr3t-token-value"}

    executor.execute(config(target, auth=auth), ctx)

    [seen] = target.requests_to("/v1/databases")
    assert seen.headers["authorization"] == "Bearer s3cr3t-token-value"


def test_api_key_auth(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    auth = {"type": "api-key", "header": "X-Api-Key", "value": "k-123"}

    executor.execute(config(target, auth=auth), ctx)

    [seen] = target.requests_to("/v1/databases")
    assert seen.headers["x-api-key"] == "k-123"
    assert "authorization" not in seen.headers


def test_basic_auth(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    auth = {"type": "basic", "username": "bot", "password": "pä:ss"}

    executor.execute(config(target, auth=auth), ctx)

    [seen] = target.requests_to("/v1/databases")
    scheme, _, encoded = seen.headers["authorization"].partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(encoded).decode() == "bot:pä:ss"


def test_auth_header_overrides_a_configured_authorization(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    cfg = config(
        target,
        headers={"authorization": "Bearer stale"},
        auth={"type": "bearer", "token": "fresh"},
    )

    executor.execute(cfg, ctx)

    [seen] = target.requests_to("/v1/databases")
    assert seen.headers["authorization"] == "Bearer fresh"


def test_unauthorized_is_a_permanent_auth_error(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    target.script("/v1/databases", Reply(401, json={"message": "invalid token"}))
    auth = {"type": "bearer", "token": "s3cr3t-token-value"}

    with pytest.raises(ActionAuthError) as caught:
        executor.execute(config(target, auth=auth), ctx)

    assert caught.value.status == 401
    assert len(target.requests_to("/v1/databases")) == 1


@pytest.mark.parametrize(
    ("cfg", "fragment"),
    [
        ({"method": "POST"}, "url: required key is missing"),
        ({"url": "ftp://x/y"}, "url: must be an absolute http"),
        ({"url": "https://x", "auth": {"type": "bearer"}}, "auth.token: required"),
        ({"url": "https://x", "auth": {"type": "magic"}}, "auth: type must be one"),
        ({"url": "https://x", "expectedStatus": [200, 700]}, "expectedStatus[1]"),
        ({"url": "https://x", "retries": 3}, "retries: unknown key"),
        ({"url": "https://x", "method": "PO ST"}, "method: must be an HTTP method"),
    ],
)
def test_invalid_config_names_the_key(
    executor: RestApiExecutor, ctx: ActionContext, cfg: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(InvalidActionConfig) as caught:
        executor.execute(cfg, ctx)

    assert str(caught.value).startswith("rest-api config is invalid: ")
    assert fragment in str(caught.value)


def test_invalid_config_never_quotes_values(
    executor: RestApiExecutor, ctx: ActionContext
) -> None:
    cfg = {"url": "https://x", "auth": {"type": "bearer", "token": ["hunter2-secret"]}}

    with pytest.raises(InvalidActionConfig) as caught:
        executor.execute(cfg, ctx)

    assert "auth.token" in str(caught.value)
    assert "hunter2" not in str(caught.value)


def test_numbers_in_headers_and_query_are_sent_as_text(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    cfg = config(target, headers={"X-Size": 20}, query={"page": 2})

    executor.execute(cfg, ctx)

    [seen] = target.requests_to("/v1/databases")
    assert seen.headers["x-size"] == "20"
    assert seen.query == "page=2"


def test_result_serialises_for_the_store(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    target.script("/v1/databases", Reply(201, json={"id": 5}))

    result = executor.execute(config(target), ctx)

    data = json.loads(json.dumps(result.to_dict()))
    assert data["outputs"] == {"status": 201}
    assert data["response"]["body"] == {"id": 5}
    assert data["external_ref"]["id"] == 5
    assert data["waiting"] is None


def test_exhausted_retries_raise_transient_with_attempts(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    target.script("/v1/databases", *[Reply(502)] * 3)

    with pytest.raises(TransientActionError) as caught:
        executor.execute(config(target), ctx)

    assert caught.value.attempts == 3
    assert f"POST {target.url}/v1/databases answered 502" in str(caught.value)


def test_query_in_the_url_is_kept_and_merged_with_config_query(
    target: ScriptedTarget, executor: RestApiExecutor, ctx: ActionContext
) -> None:
    cfg = {"url": target.url + "/v1/databases?page=2", "query": {"region": "eu"}}

    executor.execute(cfg, ctx)
    executor.execute({"url": target.url + "/v1/databases?page=3"}, ctx)

    first, second = target.requests_to("/v1/databases")
    assert first.query == "page=2&region=eu"
    assert second.query == "page=3"
