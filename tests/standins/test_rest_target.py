"""The generic REST target: resources, idempotency keys, auth, webhooks."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterator

import httpx
import pytest

from pao.standins import RestTarget, pao_signature

SECRET = "hook-secret"


@pytest.fixture(scope="module")
def _served() -> Iterator[RestTarget]:
    target = RestTarget(webhook_secret=SECRET, oauth_clients={"bot": "bot-secret"})
    with target.serve():
        yield target


@pytest.fixture
def target(_served: RestTarget) -> RestTarget:
    _served.faults.clear()
    return _served


@pytest.fixture
def client(target: RestTarget) -> Iterator[httpx.Client]:
    token = httpx.post(
        target.url + "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=("bot", "bot-secret"),
    ).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=target.url, headers=headers) as client:
        yield client


def test_create_answers_201_with_id_and_ready_status(client: httpx.Client) -> None:
    answer = client.post("/v1/databases", json={"name": "orders", "size": 10})

    assert answer.status_code == 201
    body = answer.json()
    assert body["name"] == "orders"
    assert body["status"] == "ready"
    assert answer.headers["location"] == f"/v1/databases/{body['id']}"
    assert client.get(f"/v1/databases/{body['id']}").json() == body


def test_patch_put_and_delete_change_the_resource(client: httpx.Client) -> None:
    created = client.post("/v1/queues", json={"name": "q", "size": 1}).json()
    path = f"/v1/queues/{created['id']}"

    patched = client.patch(path, json={"size": 2}).json()
    replaced = client.put(path, json={"name": "q2"}).json()
    deleted = client.delete(path)

    assert patched["size"] == 2
    assert patched["name"] == "q"
    assert replaced["name"] == "q2"
    assert "size" not in replaced
    assert deleted.status_code == 204
    assert client.get(path).status_code == 404


def test_non_object_body_is_refused(client: httpx.Client) -> None:
    answer = client.post("/v1/databases", content=b"[1, 2]")

    assert answer.status_code == 400
    assert answer.json()["error"] == "invalid_json"


def test_repeated_idempotency_key_replays_the_first_answer(
    target: RestTarget, client: httpx.Client
) -> None:
    headers = {"Idempotency-Key": "key-replay"}

    first = client.post("/v1/buckets", json={"name": "b"}, headers=headers)
    second = client.post("/v1/buckets", json={"name": "b"}, headers=headers)

    assert second.status_code == 201
    assert second.json() == first.json()
    assert second.headers["idempotent-replayed"] == "true"
    assert [r["name"] for r in target.resources("buckets")] == ["b"]
    assert target.deliveries_by_key()["key-replay"] == 2
    assert "key-replay" in target.repeated_keys()


def test_idempotency_key_reused_for_another_request_is_refused(
    client: httpx.Client,
) -> None:
    headers = {"Idempotency-Key": "key-mismatch"}
    client.post("/v1/buckets", json={"name": "one"}, headers=headers)

    answer = client.post("/v1/buckets", json={"name": "two"}, headers=headers)

    assert answer.status_code == 422
    assert answer.json()["error"] == "idempotency_key_reused"


def test_faulted_arrivals_count_as_deliveries_but_have_no_effect(
    target: RestTarget, client: httpx.Client
) -> None:
    target.fail_next(503, path="^/v1/tables$")
    headers = {"Idempotency-Key": "key-faulted"}

    failed = client.post("/v1/tables", json={"name": "t"}, headers=headers)
    retried = client.post("/v1/tables", json={"name": "t"}, headers=headers)

    assert failed.status_code == 503
    assert retried.status_code == 201
    assert "idempotent-replayed" not in retried.headers
    assert target.deliveries_by_key()["key-faulted"] == 2
    assert len(target.resources("tables")) == 1


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer forged"},
        {"Authorization": "Basic Ym90OmJvdC1zZWNyZXQ="},
    ],
)
def test_resources_need_an_issued_token(
    target: RestTarget, headers: dict[str, str]
) -> None:
    answer = httpx.get(target.url + "/v1/databases", headers=headers)

    assert answer.status_code == 401


def test_token_endpoint_checks_client_credentials(target: RestTarget) -> None:
    form = {"grant_type": "client_credentials", "client_id": "bot"}

    wrong = httpx.post(target.url + "/oauth/token", data={**form, "client_secret": "x"})
    right = httpx.post(
        target.url + "/oauth/token", data={**form, "client_secret": "bot-secret"}
    )
    wrong_grant = httpx.post(
        target.url + "/oauth/token", data={"grant_type": "password"}
    )

    assert wrong.status_code == 401
    assert right.json()["token_type"] == "Bearer"
    assert wrong_grant.status_code == 400


def test_expected_headers_gate_the_resources() -> None:
    target = RestTarget(expected_headers={"X-API-Key": "k1"})
    with target.serve():
        denied = httpx.get(target.url + "/v1/x", headers={"X-API-Key": "k2"})
        allowed = httpx.get(target.url + "/v1/x", headers={"X-API-Key": "k1"})

    assert denied.status_code == 401
    assert allowed.status_code == 200


def _signed(body: bytes, *, secret: str = SECRET, age: float = 0) -> dict[str, str]:
    timestamp = str(int(time.time() - age))
    message = timestamp.encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return {"X-Pao-Timestamp": timestamp, "X-Pao-Signature-256": f"sha256={digest}"}


def test_pao_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    body = b'{"event": "created"}'
    headers = _signed(body)

    assert (
        pao_signature(SECRET, headers["X-Pao-Timestamp"], body)
        == (headers["X-Pao-Signature-256"])
    )


@pytest.mark.parametrize(
    ("headers_for", "status", "valid"),
    [
        (_signed, 200, True),
        (lambda body: _signed(body, secret="other"), 401, False),
        (lambda body: _signed(body, age=3600), 401, False),
        (lambda body: {}, 401, False),
    ],
    ids=["valid", "wrong-secret", "stale", "unsigned"],
)
def test_webhooks_are_verified_and_the_verdict_recorded(
    target: RestTarget, headers_for: object, status: int, valid: bool
) -> None:
    body = b'{"event": "created"}'
    headers = headers_for(body)  # type: ignore[operator]

    answer = httpx.post(target.url + "/hooks/db", content=body, headers=headers)

    assert answer.status_code == status
    received = target.state.webhooks[-1]
    assert received.signature_valid is valid
    assert received.json == {"event": "created"}
