"""Building the client from pao's ``github`` configuration section."""

from __future__ import annotations

from pathlib import Path

import pytest

from forge.github.conftest import TOKEN
from forge.github.fake_github import FakeGitHub
from pao.core.settings import ConfigError, GitHubAppSettings, GitHubSettings
from pao.forge.github import AppCredentials, TokenCredentials, connect


def test_a_token_reference_is_resolved_once(
    fake: FakeGitHub, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAO_TEST_GITHUB_TOKEN", TOKEN)
    settings = GitHubSettings(
        api_url=fake.url, token="env:PAO_TEST_GITHUB_TOKEN", admins=["acme/admins"]
    )

    github = connect(settings, write_interval=0.0)

    assert isinstance(github.transport.credentials, TokenCredentials)
    assert github.login() == "pao-user"
    assert github.admins == ("acme/admins",)


def test_an_app_key_is_read_from_its_file(
    fake: FakeGitHub, app_key: tuple[str, str], tmp_path: Path
) -> None:
    private, public = app_key
    fake.app_public_key = public
    key_file = tmp_path / "app.pem"
    key_file.write_text(private)
    settings = GitHubSettings(
        api_url=f"{fake.url}/",
        app=GitHubAppSettings(id=fake.app_id, private_key=f"file:{key_file}"),
        requests_repo="acme/platform-requests",
    )

    github = connect(settings, write_interval=0.0)

    assert isinstance(github.transport.credentials, AppCredentials)
    assert github.transport.api_url == fake.url
    fake.add_pull(1)
    assert github.repo("acme/platform-requests").get_pull(1).number == 1
    assert github.login() == "pao-app[bot]"


def test_neither_token_nor_app_is_a_configuration_error() -> None:
    with pytest.raises(ConfigError, match="token or app"):
        connect(GitHubSettings())


def test_an_enterprise_url_keeps_its_api_prefix(fake: FakeGitHub) -> None:
    settings = GitHubSettings(
        api_url="https://github.acme.example/api/v3", token="env:UNUSED_TOKEN"
    )

    github = connect(settings, resolve=lambda reference: "t0ken")

    assert github.transport.api_url == "https://github.acme.example/api/v3"
    assert repr(github) == "GitHub('https://github.acme.example/api/v3')"
