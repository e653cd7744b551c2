"""Vendor configuration from settings, and registering the vendor executors."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from pao.actions import executor_for, register, registered_types, validate_config
from pao.actions.errors import PermanentActionError
from pao.actions.jira import JiraTicketExecutor
from pao.actions.vendor_config import MissingCredential, VendorConfig
from pao.actions.vendors import (
    VendorExecutors,
    build_vendor_executors,
    register_vendor_executors,
)
from pao.core.settings import Settings


def settings() -> Settings:
    return Settings.model_validate(
        {
            "jira": {
                "instances": {
                    "platform": {
                        "baseUrl": "https://acme.atlassian.net",
                        "auth": {
                            "type": "api_token",
                            "username": "bot@acme.example",
                            "token": "env:PAO_TEST_JIRA_TOKEN",
                        },
                    },
                    "legacy": {
                        "baseUrl": "https://jira.acme.example/",
                        "flavor": "datacenter",
                        "auth": {"type": "bearer", "token": "env:PAO_TEST_JIRA_PAT"},
                    },
                },
                "escalation": {"instance": "legacy", "project": "OPS"},
            },
            "terraform": {
                "organization": "acme",
                "token": "env:PAO_TEST_TFC_TOKEN",
                "repositories": {"acme/dns-infra": "dns-prod"},
            },
            "github": {"apiUrl": "https://ghe.acme.example/api/v3"},
        }
    )


@pytest.fixture
def _restore_registry() -> Iterator[None]:
    before = {name: executor_for(name) for name in registered_types()}
    yield
    for executor in before.values():
        register(executor, replace=True)


def test_settings_become_vendor_config(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAO_TEST_JIRA_TOKEN", "jira-token")
    monkeypatch.setenv("PAO_TEST_TFC_TOKEN", "tfc-token")

    config = VendorConfig.from_settings(settings())

    assert list(config.jira.instances) == ["platform", "legacy"]
    platform = config.jira.instance(None)
    assert platform.api_root == "https://acme.atlassian.net/rest/api/3"
    assert platform.auth.token is not None
    assert platform.auth.token() == "jira-token"
    legacy = config.jira.instance("legacy")
    assert legacy.api_root == "https://jira.acme.example/rest/api/2"
    assert legacy.browse_url("OPS-1") == "https://jira.acme.example/browse/OPS-1"
    assert config.jira.escalation.instance == "legacy"
    assert config.jira.escalation.project == "OPS"
    assert config.terraform.api_root == "https://app.terraform.io/api/v2"
    assert config.terraform.token is not None
    assert config.terraform.token() == "tfc-token"
    assert dict(config.terraform.repositories) == {"acme/dns-infra": "dns-prod"}
    assert config.github.api_url == "https://ghe.acme.example/api/v3"


def test_credentials_are_read_when_used(monkeypatch: pytest.MonkeyPatch) -> None:
    config = VendorConfig.from_settings(settings())
    token = config.jira.instance("legacy").auth.token
    github_token = config.github.token
    assert token is not None
    assert github_token is not None

    with pytest.raises(MissingCredential, match="PAO_TEST_JIRA_PAT is not set"):
        token()
    monkeypatch.setenv("PAO_TEST_JIRA_PAT", "rotated")
    assert token() == "rotated"
    with pytest.raises(MissingCredential, match=r"github\.token is not configured"):
        github_token()


def test_file_references_are_read_too(tmp_path: Path) -> None:
    secret = tmp_path / "tfc"
    secret.write_text("from-a-file\n")
    base = settings()
    assert base.terraform is not None
    base.terraform.token = f"file:{secret}"

    config = VendorConfig.from_settings(base)

    assert config.terraform.token is not None
    assert config.terraform.token() == "from-a-file"


def test_unconfigured_executors_validate_but_do_not_run() -> None:
    assert {"jira-ticket", "terraform", "github-workflow"} <= set(registered_types())
    assert validate_config("jira-ticket", {"project": "X"}) == [
        (("summary",), "required key is missing")
    ]

    with pytest.raises(PermanentActionError, match="no Jira instance is configured"):
        build_vendor_executors(VendorConfig()).jira.client(None)


@pytest.mark.usefixtures("_restore_registry")
def test_register_replaces_the_unconfigured_executors() -> None:
    built = register_vendor_executors(settings())

    assert isinstance(built, VendorExecutors)
    assert executor_for("jira-ticket") is built.jira_ticket
    assert executor_for("terraform") is built.terraform
    assert executor_for("github-workflow") is built.github_workflow
    assert isinstance(built.jira_ticket, JiraTicketExecutor)
    assert built.jira_ticket.service is built.jira
    assert validate_config(
        "jira-ticket", {"project": "X", "summary": "s", "instance": "x"}
    ) == [(("instance",), "no Jira instance 'x' (known: platform, legacy)")]
