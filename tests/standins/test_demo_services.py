"""The demo services answer the example catalog's calls as its README lists."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from pao.actions import sign_webhook
from pao.standins.demo_services import SERVICE_PREFIXES, DemoSecrets, DemoServices

SECRETS = DemoSecrets.generate()


@pytest.fixture(scope="module")
def _served() -> Iterator[DemoServices]:
    services = DemoServices(SECRETS, conflict_once=("busy-repo",))
    with services.serve():
        yield services


@pytest.fixture
def services(_served: DemoServices) -> DemoServices:
    return _served


@pytest.fixture
def env(services: DemoServices) -> dict[str, str]:
    return services.environment()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def signed(body: bytes, secret: str, *, at: float | None = None) -> dict[str, str]:
    timestamp = str(int(time.time() if at is None else at))
    return {
        "Content-Type": "application/json",
        "X-Pao-Timestamp": timestamp,
        "X-Pao-Signature-256": sign_webhook(secret, timestamp, body),
    }


def test_one_server_serves_every_environment_name_under_its_own_prefix(
    services: DemoServices, env: dict[str, str]
) -> None:
    assert set(env) == set(SERVICE_PREFIXES)
    assert {url.removeprefix(services.url) for url in env.values()} == set(
        SERVICE_PREFIXES.values()
    )
    assert len(set(env.values())) == 8


def test_database_calls_chain_through_the_ids_they_return(
    env: dict[str, str],
) -> None:
    db, auth = env["DB_API_URL"], bearer(SECRETS.db_api_token)
    body = {"name": "orders-chain", "environment": "prod", "engine": "postgres"}

    created = httpx.post(f"{db}/v1/databases", json=body, headers=auth)
    database = created.json()
    role = httpx.post(
        f"{db}/v1/databases/{database['id']}/roles",
        json={"name": "orders_owner", "password": "x", "owner": True},
        headers=auth,
    )
    replica = httpx.post(
        f"{db}/v1/databases/{database['id']}/replicas",
        json={"region": "eu-central-1"},
        headers=auth,
    )
    resized = httpx.patch(
        f"{db}/v1/databases/by-name/orders-chain", json={"storageGb": 300}, headers=auth
    )
    snapshot = httpx.post(
        f"{db}/v1/databases/by-name/orders-chain/snapshots", json={}, headers=auth
    )
    deleted = httpx.delete(f"{db}/v1/databases/by-name/orders-chain", headers=auth)
    gone = httpx.delete(f"{db}/v1/databases/by-name/orders-chain", headers=auth)

    assert created.status_code == 201
    assert database["host"] == "orders-chain.prod.pg.acme.internal"
    assert database["port"] == 5432
    assert (role.status_code, role.json()["name"]) == (201, "orders_owner")
    assert "password" not in role.json()
    assert replica.status_code == 202
    assert replica.json()["host"].startswith("orders-chain-replica.eu-central-1.")
    assert (resized.status_code, resized.json()["storageGb"]) == (200, 300)
    assert snapshot.status_code == 202
    assert snapshot.json()["id"].startswith("snap-")
    assert (deleted.status_code, gone.status_code) == (204, 404)


def test_a_role_for_an_unknown_database_is_not_found(env: dict[str, str]) -> None:
    answer = httpx.post(
        f"{env['DB_API_URL']}/v1/databases/db-missing/roles",
        json={"name": "x"},
        headers=bearer(SECRETS.db_api_token),
    )

    assert answer.status_code == 404


def test_a_cache_answers_with_its_endpoint_and_location(env: dict[str, str]) -> None:
    cache, auth = env["CACHE_API_URL"], {"X-Api-Key": SECRETS.cache_api_key}

    created = httpx.post(
        f"{cache}/v2/instances", json={"name": "rates", "tls": "true"}, headers=auth
    )
    instance = created.json()
    schedule = httpx.put(
        f"{cache}/v2/instances/{instance['id']}/snapshot-schedule",
        json={"everyMinutes": "30"},
        headers=auth,
    )
    password = httpx.put(
        f"{cache}/v2/instances/{instance['id']}/auth",
        json={"password": "p"},
        headers=auth,
    )

    assert created.status_code == 201
    assert instance["endpoint"] == "rediss://rates.cache.acme.internal:6380"
    assert created.headers["location"] == f"{cache}/v2/instances/{instance['id']}"
    assert (schedule.status_code, password.status_code) == (200, 204)


def test_rabbitmq_calls_answer_created_then_no_content(env: dict[str, str]) -> None:
    queue = env["QUEUE_API_URL"]
    auth = ("pao-provisioner", SECRETS.queue_admin_password)

    first = httpx.put(f"{queue}/api/vhosts/shop", json={}, auth=auth)
    again = httpx.put(f"{queue}/api/vhosts/shop", json={}, auth=auth)
    limit = httpx.put(
        f"{queue}/api/vhost-limits/shop/max-queues", json={"value": "5"}, auth=auth
    )
    user = httpx.put(f"{queue}/api/users/shop_app", json={"password": "p"}, auth=auth)
    permissions = httpx.put(
        f"{queue}/api/permissions/shop/shop_app", json={"read": ".*"}, auth=auth
    )
    orphan = httpx.put(f"{queue}/api/permissions/nope/shop_app", json={}, auth=auth)

    assert [first.status_code, again.status_code] == [201, 204]
    assert [limit.status_code, user.status_code, permissions.status_code] == [
        204,
        201,
        201,
    ]
    assert orphan.status_code == 400


def test_the_schema_registry_returns_the_subject(env: dict[str, str]) -> None:
    answer = httpx.post(
        f"{env['QUEUE_API_URL']}/schema-registry/subjects",
        json={"subject": "orders-value", "compatibility": "BACKWARD"},
        headers=bearer(SECRETS.queue_api_token),
    )

    assert (answer.status_code, answer.json()["subject"]) == (201, "orders-value")


def test_access_keys_need_a_token_from_the_client_credentials_grant(
    env: dict[str, str],
) -> None:
    storage = env["STORAGE_API_URL"]
    grant = {"grant_type": "client_credentials", "scope": "access-keys:write"}
    keys = f"{storage}/v1/buckets/acme-invoices/access-keys"
    body = {"access": "read", "deliverTo": "vault:secret/ds/invoices"}

    refused = httpx.post(
        f"{storage}/oauth/token", data=grant, auth=("pao-provisioner", "wrong")
    )
    token = httpx.post(
        f"{storage}/oauth/token",
        data=grant,
        auth=("pao-provisioner", SECRETS.storage_client_secret),
    ).json()["access_token"]
    without = httpx.post(keys, json=body, headers=bearer("made-up"))
    first = httpx.post(keys, json=body, headers=bearer(token))
    second = httpx.post(keys, json=body, headers=bearer(token))

    assert refused.status_code == 401
    assert without.status_code == 401
    assert first.status_code == 201
    assert first.json()["keyId"].startswith("AKIA")
    assert [first.json()["vault"]["version"], second.json()["vault"]["version"]] == [
        1,
        2,
    ]


def test_a_certificate_has_an_expiry_and_a_store_path(env: dict[str, str]) -> None:
    url = f"{env['DNS_API_URL']}/v1/certificates"
    auth = {"Authorization": f"ApiKey {SECRETS.dns_api_key}"}
    body = {"commonName": "shop.acme.example"}

    ordered = httpx.post(url, params={"validation": "dns-01"}, json=body, headers=auth)
    unvalidated = httpx.post(url, json=body, headers=auth)

    assert ordered.status_code == 201
    assert ordered.json()["store"]["path"] == "secret/certificates/shop.acme.example"
    assert ordered.json()["notAfter"].endswith("Z")
    assert unvalidated.status_code == 400


def test_a_grant_needs_an_approval_ticket_and_can_be_revoked(
    env: dict[str, str],
) -> None:
    url, auth = f"{env['IAM_API_URL']}/v1/grants", bearer(SECRETS.iam_api_token)
    body = {"principal": "ann@acme.example", "account": "1", "role": "Reader"}

    unapproved = httpx.post(url, json=body, headers=auth)
    granted = httpx.post(url, json=body, headers=auth | {"X-Approval-Ticket": "SEC-1"})
    revoked = httpx.delete(url, params=body, headers=auth)
    again = httpx.delete(url, params=body, headers=auth)

    assert unapproved.status_code == 403
    assert granted.status_code == 201
    assert granted.json()["grantId"].startswith("grant-")
    assert (revoked.status_code, again.status_code) == (204, 404)


def test_artifact_repositories_and_tokens(env: dict[str, str]) -> None:
    ci, auth = env["CI_API_URL"], bearer(SECRETS.ci_api_token)

    created = httpx.put(
        f"{ci}/api/repositories/libs", json={"packageType": "maven"}, headers=auth
    )
    updated = httpx.put(
        f"{ci}/api/repositories/libs", json={"packageType": "maven"}, headers=auth
    )
    token = httpx.post(
        f"{ci}/api/security/tokens",
        json={"scope": "repositories:libs:write"},
        headers=auth,
    )

    assert (created.status_code, updated.status_code) == (201, 200)
    assert created.json()["url"].endswith("/libs/")
    assert token.status_code == 201
    assert token.json()["tokenId"].startswith("tok-")


def test_a_conflict_once_name_is_refused_the_first_time_only(
    env: dict[str, str],
) -> None:
    url = f"{env['CI_API_URL']}/api/repositories/busy-repo"
    auth = bearer(SECRETS.ci_api_token)

    first = httpx.put(url, json={"packageType": "npm"}, headers=auth)
    second = httpx.put(url, json={"packageType": "npm"}, headers=auth)

    assert first.status_code == 409
    assert "busy-repo" in first.json()["message"]
    assert second.status_code == 201


@pytest.mark.parametrize(
    ("service", "path", "headers"),
    [
        ("DB_API_URL", "/v1/databases", {}),
        ("DB_API_URL", "/v1/databases", {"Authorization": "Bearer wrong"}),
        ("CACHE_API_URL", "/v2/instances", {"X-Api-Key": "wrong"}),
        ("QUEUE_API_URL", "/schema-registry/subjects", {}),
        ("DNS_API_URL", "/v1/certificates", {"Authorization": "Bearer x"}),
        ("IAM_API_URL", "/v1/grants", {"X-Approval-Ticket": "SEC-1"}),
        ("CI_API_URL", "/api/security/tokens", {"Authorization": "Basic eDp5"}),
    ],
)
def test_calls_without_the_right_credentials_are_unauthorized(
    env: dict[str, str], service: str, path: str, headers: dict[str, str]
) -> None:
    answer = httpx.post(env[service] + path, json={"name": "x"}, headers=headers)

    assert answer.status_code == 401


def test_basic_auth_with_the_wrong_password_is_unauthorized(
    env: dict[str, str],
) -> None:
    answer = httpx.put(
        f"{env['QUEUE_API_URL']}/api/vhosts/x", json={}, auth=("pao-provisioner", "no")
    )

    assert answer.status_code == 401


def test_a_repeated_idempotency_key_gets_the_first_answer(
    services: DemoServices, env: dict[str, str]
) -> None:
    headers = bearer(SECRETS.db_api_token) | {"Idempotency-Key": "k-repeat"}
    body = {"name": "once-only"}
    url = f"{env['DB_API_URL']}/v1/databases"

    first = httpx.post(url, json=body, headers=headers)
    second = httpx.post(url, json=body, headers=headers)
    other = httpx.post(url, json={"name": "another"}, headers=headers)

    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert [d["name"] for d in services.records("databases")].count("once-only") == 1
    assert other.status_code == 422


def test_the_webhook_gateway_accepts_only_fresh_signed_posts(
    services: DemoServices, env: dict[str, str]
) -> None:
    hooks, body = env["HOOKS_URL"], b'{"event":"database.created"}'
    secret = SECRETS.hooks_signing_secret

    accepted = httpx.post(
        f"{hooks}/inventory", content=body, headers=signed(body, secret)
    )
    forged = httpx.post(
        f"{hooks}/inventory", content=body, headers=signed(body, "not-the-secret")
    )
    stale = httpx.post(
        f"{hooks}/inventory",
        content=body,
        headers=signed(body, secret, at=time.time() - 3600),
    )
    unknown = httpx.post(f"{hooks}/nowhere", content=body, headers=signed(body, secret))

    assert accepted.status_code == 202
    assert [forged.status_code, stale.status_code, unknown.status_code] == [
        401,
        401,
        404,
    ]
    assert services.hooks()[-1].payload == {"event": "database.created"}
    assert services.hooks()[-1].path == "inventory"


def test_secrets_are_named_as_the_example_items_read_them() -> None:
    names = set(DemoSecrets.generate().environ())

    assert names == {
        "DB_API_TOKEN",
        "CACHE_API_KEY",
        "QUEUE_ADMIN_PASSWORD",
        "QUEUE_API_TOKEN",
        "STORAGE_CLIENT_SECRET",
        "DNS_API_KEY",
        "IAM_API_TOKEN",
        "CI_API_TOKEN",
        "HOOKS_SIGNING_SECRET",
    }
