"""GitHub App authentication: JWT, installation tokens and their renewal."""

from __future__ import annotations

import logging
import time

import jwt
import pytest

from forge.github.conftest import Sleeps
from forge.github.fake_github import FakeGitHub, Fault
from pao.forge.github import AppCredentials, GitHub, GitHubForbidden, Transport
from pao.forge.github.auth import RENEW_BEFORE


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def _app(
    fake: FakeGitHub, app_key: tuple[str, str], clock: Clock, **options: object
) -> AppCredentials:
    private, public = app_key
    fake.app_public_key = public
    return AppCredentials(
        app_id=fake.app_id,
        private_key=private,
        api_url=fake.url,
        clock=clock,
        **options,  # type: ignore[arg-type]
    )


def _github(fake: FakeGitHub, app: AppCredentials, sleeps: Sleeps) -> GitHub:
    transport = Transport(
        api_url=fake.url, credentials=app, write_interval=0.0, sleep=sleeps
    )
    return GitHub(transport, app=app)


def test_an_app_signs_a_jwt_and_uses_the_installation_token(
    fake: FakeGitHub, app_key: tuple[str, str], sleeps: Sleeps
) -> None:
    app = _app(fake, app_key, Clock(), installation_id=fake.installation_id)
    github = _github(fake, app, sleeps)
    fake.add_pull(1)

    github.repo("acme/platform-requests").get_pull(1)
    github.repo("acme/platform-requests").list_pull_files(1)

    token_call, pull_call, files_call = fake.calls
    assert token_call.path == "/app/installations/77/access_tokens"
    scheme, _, signed = token_call.headers["authorization"].partition(" ")
    assert scheme == "Bearer"
    claims = jwt.decode(signed, app_key[1], algorithms=["RS256"])
    assert claims["iss"] == str(fake.app_id)
    assert claims["exp"] - claims["iat"] <= 600
    assert pull_call.headers["authorization"] == f"token {fake.issued_tokens[0]}"
    assert files_call.headers["authorization"] == f"token {fake.issued_tokens[0]}"


def test_the_token_is_renewed_before_it_expires(
    fake: FakeGitHub, app_key: tuple[str, str], sleeps: Sleeps
) -> None:
    clock = Clock()
    app = _app(fake, app_key, clock, installation_id=fake.installation_id)
    first = app.token()

    clock.now += fake.token_lifetime - RENEW_BEFORE - 10
    assert app.token() == first
    clock.now += 20

    assert app.token() != first
    assert len(fake.issued_tokens) == 2


def test_a_revoked_token_is_replaced_after_a_401(
    fake: FakeGitHub, app_key: tuple[str, str], sleeps: Sleeps
) -> None:
    app = _app(fake, app_key, Clock(), installation_id=fake.installation_id)
    github = _github(fake, app, sleeps)
    fake.add_pull(1)
    app.token()
    fake.issued_tokens.clear()  # revoked on GitHub's side

    assert github.repo("acme/platform-requests").get_pull(1).number == 1

    statuses = [(c.path, c.status) for c in fake.calls]
    assert statuses[-3:] == [
        ("/repos/acme/platform-requests/pulls/1", 401),
        ("/app/installations/77/access_tokens", 201),
        ("/repos/acme/platform-requests/pulls/1", 200),
    ]


def test_the_installation_is_found_from_the_repository(
    fake: FakeGitHub, app_key: tuple[str, str]
) -> None:
    app = _app(fake, app_key, Clock(), repository="acme/platform-requests")

    app.token()

    assert app.installation_id == fake.installation_id
    assert fake.calls[0].path == "/repos/acme/platform-requests/installation"


def test_an_apps_login_is_its_bot_account(
    fake: FakeGitHub, app_key: tuple[str, str], sleeps: Sleeps
) -> None:
    app = _app(fake, app_key, Clock(), installation_id=fake.installation_id)

    assert _github(fake, app, sleeps).login() == "pao-app[bot]"


def test_a_wrong_key_is_forbidden_and_says_so_without_the_key(
    fake: FakeGitHub, app_key: tuple[str, str], sleeps: Sleeps
) -> None:
    app = _app(fake, app_key, Clock(), installation_id=fake.installation_id)
    fake.faults.append(
        Fault(
            "POST",
            r"/app/.*",
            401,
            {"message": "A JSON web token could not be decoded"},
        )
    )

    with pytest.raises(GitHubForbidden, match="could not be decoded") as caught:
        app.token()

    assert "PRIVATE KEY" not in str(caught.value)
    assert "PRIVATE KEY" not in repr(app)


def test_app_credentials_need_an_installation_or_a_repository() -> None:
    with pytest.raises(ValueError, match="installation_id or a repository"):
        AppCredentials(app_id=1, private_key="k", api_url="http://127.0.0.1:1")


def test_no_token_reaches_the_logs_even_at_debug_level(
    fake: FakeGitHub,
    app_key: tuple[str, str],
    sleeps: Sleeps,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="github")
    app = _app(fake, app_key, Clock(), installation_id=fake.installation_id)
    fake.add_pull(1)

    _github(fake, app, sleeps).repo("acme/platform-requests").get_pull(1)

    assert fake.issued_tokens
    assert fake.issued_tokens[0] not in caplog.text
