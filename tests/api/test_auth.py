"""Authentication by token or trusted proxy, and request visibility."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from pao.api import ApiConfig, Principal, ProxyTrust, can_see_request

from .conftest import (
    ADMIN_TOKEN,
    ALICE_TOKEN,
    GRANTS,
    METRICS_TOKEN,
    AppFactory,
    bearer,
    sha256_hex,
)
from .sample import MODULE

ClientFactory = Callable[..., TestClient]

PROXY = ProxyTrust.from_cidrs(
    user_header="X-Forwarded-User",
    teams_header="X-Forwarded-Groups",
    cidrs=["10.0.0.0/8", "fd00::/8"],
)


@pytest.fixture
def api(make_app: AppFactory, make_client: ClientFactory) -> TestClient:
    return make_client(make_app(modules=[MODULE]))


def proxied(make_app: AppFactory, make_client: ClientFactory, peer: str) -> TestClient:
    config = ApiConfig(
        tokens=GRANTS, trusted_proxy=PROXY, admin_teams=frozenset({"acme/ops"})
    )
    return make_client(make_app(config=config, modules=[MODULE]), client=(peer, 4321))


class TestTokens:
    def test_valid_token_identifies_the_user(self, api: TestClient) -> None:
        """A configured token maps to its user and teams."""
        response = api.get("/api/v1/whoami", headers=bearer(ALICE_TOKEN))

        assert response.status_code == 200
        assert response.json() == {
            "user": "alice@acme.example",
            "teams": ["acme/payments"],
            "admin": False,
        }

    def test_admin_flag_is_carried(self, api: TestClient) -> None:
        """A grant marked admin makes an admin principal."""
        response = api.get("/api/v1/whoami", headers=bearer(ADMIN_TOKEN))

        assert response.json()["admin"] is True

    @pytest.mark.parametrize(
        "header",
        [
            "Bearer wrong-token",
            f"Bearer {ALICE_TOKEN}x",
            f"Basic {ALICE_TOKEN}",
            "Bearer",
            "Bearer    ",
            sha256_hex(ALICE_TOKEN),
        ],
    )
    def test_bad_credentials_are_401(self, api: TestClient, header: str) -> None:
        """Unknown, altered, non-bearer or empty credentials are refused."""
        response = api.get("/api/v1/whoami", headers={"Authorization": header})

        assert response.status_code == 401
        assert response.json()["error"]["code"] == "invalid_token"
        assert response.headers["www-authenticate"].startswith("Bearer")

    def test_the_stored_digest_is_not_a_token(self, api: TestClient) -> None:
        """Knowing tokenSha256 from the configuration does not let one in."""
        response = api.get("/api/v1/whoami", headers=bearer(sha256_hex(ALICE_TOKEN)))

        assert response.status_code == 401

    def test_scheme_is_case_insensitive(self, api: TestClient) -> None:
        """``bearer`` works like ``Bearer`` (RFC 7235 schemes ignore case)."""
        response = api.get(
            "/api/v1/whoami", headers={"Authorization": f"bearer {ALICE_TOKEN}"}
        )

        assert response.status_code == 200


class TestAnonymous:
    @pytest.mark.parametrize(
        "path", ["/api/v1/health", "/api/v1/health/ready", "/api/v1/version"]
    )
    def test_public_paths_answer_anonymous_callers(
        self, api: TestClient, path: str
    ) -> None:
        """Health, readiness and version need no credentials."""
        # Readiness is 503 here (no repo fetched yet), but not 401.
        assert api.get(path).status_code in {200, 503}

    def test_public_paths_ignore_bad_credentials(self, api: TestClient) -> None:
        """A probe with a stale token still gets its answer."""
        response = api.get("/api/v1/health", headers=bearer("stale"))

        assert response.status_code == 200

    @pytest.mark.parametrize(
        "path",
        [
            "/api/v1/metrics",
            "/api/v1/openapi.json",
            "/api/v1/docs",
            "/api/v1/whoami",
            "/api/v1/items",
        ],
    )
    def test_other_paths_refuse_anonymous_callers(
        self, api: TestClient, path: str
    ) -> None:
        """Everything else needs an authenticated caller."""
        response = api.get(path)

        assert response.status_code == 401
        assert response.json()["error"]["code"] == "unauthenticated"

    def test_authentication_comes_before_parameter_checks(
        self, api: TestClient
    ) -> None:
        """Anonymous callers learn nothing about an endpoint's parameters."""
        response = api.get("/api/v1/items?bogus=1")

        assert response.status_code == 401


class TestProxy:
    def test_trusted_peer_identity_headers_are_believed(
        self, make_app: AppFactory, make_client: ClientFactory
    ) -> None:
        """From inside the CIDRs, the headers name the user and teams."""
        client = proxied(make_app, make_client, "10.1.2.3")

        response = client.get(
            "/api/v1/whoami",
            headers={
                "X-Forwarded-User": "bob@acme.example",
                "X-Forwarded-Groups": "acme/dba, acme/ops ,,",
            },
        )

        assert response.status_code == 200
        assert response.json() == {
            "user": "bob@acme.example",
            "teams": ["acme/dba", "acme/ops"],
            "admin": True,
        }

    def test_ipv6_peer_inside_cidr_is_trusted(
        self, make_app: AppFactory, make_client: ClientFactory
    ) -> None:
        """IPv6 ranges work as IPv4 ones do."""
        client = proxied(make_app, make_client, "fd12::1")

        response = client.get("/api/v1/whoami", headers={"X-Forwarded-User": "bob"})

        assert response.status_code == 200
        assert response.json()["teams"] == []

    @pytest.mark.parametrize("peer", ["192.168.1.5", "11.0.0.1", "testclient"])
    def test_untrusted_peer_identity_headers_are_ignored(
        self, make_app: AppFactory, make_client: ClientFactory, peer: str
    ) -> None:
        """Outside the CIDRs, the same headers leave the caller anonymous."""
        client = proxied(make_app, make_client, peer)

        response = client.get(
            "/api/v1/whoami",
            headers={"X-Forwarded-User": "root", "X-Forwarded-Groups": "acme/ops"},
        )

        assert response.status_code == 401

    def test_token_wins_over_proxy_headers(
        self, make_app: AppFactory, make_client: ClientFactory
    ) -> None:
        """A bearer token is checked even when proxy headers come too."""
        client = proxied(make_app, make_client, "10.0.0.1")
        headers = {"X-Forwarded-User": "bob", **bearer("wrong")}

        response = client.get("/api/v1/whoami", headers=headers)

        assert response.status_code == 401

    def test_empty_user_header_is_anonymous(
        self, make_app: AppFactory, make_client: ClientFactory
    ) -> None:
        """A proxy that sends an empty user has authenticated nobody."""
        client = proxied(make_app, make_client, "10.0.0.1")

        response = client.get("/api/v1/whoami", headers={"X-Forwarded-User": " "})

        assert response.status_code == 401


class TestMetricsToken:
    @pytest.fixture
    def metrics_api(
        self, make_app: AppFactory, make_client: ClientFactory
    ) -> TestClient:
        config = ApiConfig(
            tokens=GRANTS, metrics_token_sha256=sha256_hex(METRICS_TOKEN).upper()
        )
        return make_client(make_app(config=config, modules=[MODULE]))

    def test_metrics_token_opens_metrics(self, metrics_api: TestClient) -> None:
        """The configured scraper token reads the metrics."""
        response = metrics_api.get("/api/v1/metrics", headers=bearer(METRICS_TOKEN))

        assert response.status_code == 200

    def test_user_token_does_not_open_metrics(self, metrics_api: TestClient) -> None:
        """With a metrics token configured, only it is accepted there."""
        response = metrics_api.get("/api/v1/metrics", headers=bearer(ALICE_TOKEN))

        assert response.status_code == 401

    def test_metrics_token_opens_nothing_else(self, metrics_api: TestClient) -> None:
        """The scraper's credential is not a user credential."""
        response = metrics_api.get("/api/v1/whoami", headers=bearer(METRICS_TOKEN))

        assert response.status_code == 401

    def test_without_metrics_token_users_read_metrics(self, api: TestClient) -> None:
        """Unconfigured, metrics need an ordinary authenticated caller."""
        response = api.get("/api/v1/metrics", headers=bearer(ALICE_TOKEN))

        assert response.status_code == 200


class TestVisibility:
    ALICE = Principal(user="alice", teams=frozenset({"acme/payments"}))
    DBA = Principal(user="dan", teams=frozenset({"acme/dba"}))
    OTHER = Principal(user="eve", teams=frozenset({"acme/web"}))
    ADMIN = Principal(user="root", teams=frozenset(), admin=True)

    @pytest.mark.parametrize(
        ("principal", "visible"),
        [(ALICE, True), (DBA, True), (OTHER, False), (ADMIN, True)],
    )
    def test_requester_owner_and_admin_see_a_request(
        self, principal: Principal, visible: bool
    ) -> None:
        """Visible to its team, the owner team and admins; no one else."""
        assert can_see_request(principal, "acme/payments", "acme/dba") is visible

    def test_request_without_owner_is_its_team_only(self) -> None:
        """An item without an owner team grants nothing extra."""
        assert can_see_request(self.ALICE, "acme/payments", None)
        assert not can_see_request(self.DBA, "acme/payments", None)

    def test_invisible_request_answers_404_not_403(
        self, make_app: AppFactory, make_client: ClientFactory
    ) -> None:
        """Others get the same 404 a missing request gets."""
        config = ApiConfig(tokens=GRANTS, trusted_proxy=PROXY)
        client = make_client(
            make_app(config=config, modules=[MODULE]), client=("10.0.0.9", 1)
        )

        seen = client.get(
            "/api/v1/sample/requests/orders-db",
            headers={"X-Forwarded-User": "dan", "X-Forwarded-Groups": "acme/dba"},
        )
        hidden = client.get(
            "/api/v1/sample/requests/orders-db",
            headers={"X-Forwarded-User": "eve", "X-Forwarded-Groups": "acme/web"},
        )

        assert seen.status_code == 200
        assert hidden.status_code == 404
        assert hidden.json()["error"]["code"] == "request_not_found"
