from __future__ import annotations

from pathlib import Path

import pytest

from pao.core.settings import ConfigError, load_settings

CONFIG = """\
catalogRepo: /srv/catalog.git
requestsRepo: /srv/requests.git
pollInterval: 5
github:
  token: env:GITHUB_TOKEN
  admins: [acme/platform-admins]
jira:
  instances:
    platform:
      baseUrl: https://jira.acme.example
      auth: {type: api_token, username: bot@acme.example}
api:
  trustedProxy: {userHeader: X-User, teamsHeader: X-Groups, from: [10.0.0.0/8]}
environment: [AWS_REGION]
"""


@pytest.fixture
def config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("DATABASE_URL", "REDIS_URL", "JIRA_API_TOKEN", "PAO_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    path = tmp_path / "pao.yaml"
    path.write_text(CONFIG)
    return path


def test_file_values_are_read(config_file: Path) -> None:
    settings = load_settings(config_file)

    assert settings.catalog_repo == "/srv/catalog.git"
    assert settings.poll_interval == 5
    assert settings.github is not None
    assert settings.github.admins == ["acme/platform-admins"]
    assert settings.api.trusted_proxy is not None
    assert settings.api.trusted_proxy.from_ == ["10.0.0.0/8"]


def test_environment_overrides_the_file(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAO_POLL_INTERVAL", "9")
    monkeypatch.setenv("DATABASE_URL", "postgresql://db/pao")
    monkeypatch.setenv("PAO_GITHUB__API_URL", "https://ghe.acme.example/api/v3")

    settings = load_settings(config_file)

    assert settings.poll_interval == 9
    assert settings.database_url == "postgresql://db/pao"
    assert settings.github is not None
    assert settings.github.api_url == "https://ghe.acme.example/api/v3"
    assert settings.github.token == "env:GITHUB_TOKEN"


def test_flags_override_the_environment(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAO_CATALOG_REPO", "/from/env")

    settings = load_settings(config_file, catalog_repo="/from/flag", data_dir=None)

    assert settings.catalog_repo == "/from/flag"


def test_jira_api_token_fills_instances_without_a_token(
    config_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JIRA_API_TOKEN", "t")

    settings = load_settings(config_file)

    assert settings.jira is not None
    assert settings.jira.instances["platform"].auth.token == "env:JIRA_API_TOKEN"


def test_a_literal_secret_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pao.yaml"
    path.write_text("github:\n  token: ghp_abcdef\n")

    with pytest.raises(ConfigError) as info:
        load_settings(path)

    assert "github.token" in str(info.value)
    assert "ghp_abcdef" not in str(info.value)


def test_a_broken_file_is_located(tmp_path: Path) -> None:
    path = tmp_path / "pao.yaml"
    path.write_text("pollInterval: 5\npollInterval: 6\n")

    with pytest.raises(ConfigError, match=r"pao.yaml:2:1: duplicate key"):
        load_settings(path)


def test_unknown_keys_are_refused(tmp_path: Path) -> None:
    path = tmp_path / "pao.yaml"
    path.write_text("pollIntervall: 5\n")

    with pytest.raises(ConfigError, match="poll_intervall"):
        load_settings(path)
