"""The render context: every scope, built once per request."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from pao.templates import (
    MASK,
    RequestInfo,
    Secret,
    UndefinedVariableError,
    build_context,
    render,
    system_scope,
)

NOW = datetime(2025, 1, 31, 23, 30, 5, tzinfo=timezone(timedelta(hours=-2)))


def _context(**overrides: object) -> dict[str, object]:
    arguments: dict[str, object] = {
        "fields": {"instanceName": "orders-db", "adminPassword": "env:DB_PASS"},
        "password_fields": ["adminPassword"],
        "metadata": {"id": "postgres-database", "owner": {"team": "acme/dba"}},
        "request": RequestInfo(
            id="req-7",
            user_email="alice@acme.example",
            user_teams=("acme/payments", "acme/sre"),
            team="acme/payments",
            timestamp="2025-01-31T09:00:00Z",
            correlation_id="corr-1",
        ),
        "outputs": {"create-db": {"databaseId": "db-1"}},
        "secrets": {"dbApiToken": "env:DB_API_TOKEN"},
        "environment_allow": ["AWS_REGION", "DEPLOY_ENV"],
        "environ": {"AWS_REGION": "eu-west-1", "HOME": "/root", "TOKEN": "t0p"},
        "now": NOW,
        "hostname": "pao-1",
    }
    arguments.update(overrides)
    return build_context(**arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{fields.instanceName}}", "orders-db"),
        ("{{metadata.owner.team}}", "acme/dba"),
        ("{{request.id}}", "req-7"),
        ("{{request.user.email}}", "alice@acme.example"),
        (
            "{{request.user.teams[0]}},{{request.user.teams[1]}}",
            "acme/payments,acme/sre",
        ),
        ("{{join(request.user.teams, ' ')}}", "acme/payments acme/sre"),
        ("{{request.team}}", "acme/payments"),
        ("{{request.timestamp}}", "2025-01-31T09:00:00Z"),
        ("{{request.correlation_id}}", "corr-1"),
        ("{{system.date}}", "2025-02-01"),
        ("{{system.timestamp}}", "2025-02-01T01:30:05Z"),
        ("{{system.hostname}}", "pao-1"),
        ("{{environment.AWS_REGION}}", "eu-west-1"),
        ("{{outputs.create-db.databaseId}}", "db-1"),
        ("{{secrets.dbApiToken}}", MASK),
        ("{{fields.adminPassword}}", MASK),
    ],
)
def test_every_scope_renders(template: str, expected: str) -> None:
    assert render(template, _context()) == expected


def test_system_uuid_is_a_uuid4_fixed_for_the_context() -> None:
    context = _context()

    first = render("{{system.uuid}}", context)

    assert re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}", first
    )
    assert render("{{system.uuid}}", context) == first
    assert render("{{system.uuid}}", _context()) != first


@pytest.mark.parametrize("name", ["HOME", "TOKEN", "DEPLOY_ENV"])
def test_environment_reads_only_allowed_names_that_are_set(name: str) -> None:
    with pytest.raises(UndefinedVariableError) as caught:
        render(f"{{{{environment.{name}}}}}", _context())

    assert caught.value.message == f"environment.{name} is not set"


def test_environment_defaults_to_the_process_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DEPLOY_ENV", "staging")
    monkeypatch.setenv("NOT_ALLOWED", "x")

    context = build_context(environment_allow=["DEPLOY_ENV"])

    assert context["environment"] == {"DEPLOY_ENV": "staging"}


def test_password_fields_and_secrets_become_secret_values() -> None:
    context = _context()

    password = context["fields"]["adminPassword"]  # type: ignore[index]
    token = context["secrets"]["dbApiToken"]  # type: ignore[index]

    assert isinstance(password, Secret)
    assert password.reference == "env:DB_PASS"
    assert password.name == "fields.adminPassword"
    assert isinstance(token, Secret)
    assert token.name == "secrets.dbApiToken"
    assert not password.revealed
    assert not token.revealed


def test_a_password_field_that_is_not_set_stays_unset() -> None:
    context = _context(fields={"instanceName": "x"})

    with pytest.raises(UndefinedVariableError):
        render("{{fields.adminPassword}}", context)


def test_context_copies_scopes_instead_of_sharing_them() -> None:
    fields = {"instanceName": "a"}

    context = _context(fields=fields, password_fields=[])
    fields["instanceName"] = "b"

    assert render("{{fields.instanceName}}", context) == "a"


def test_missing_request_leaves_the_scope_empty() -> None:
    context = build_context()

    with pytest.raises(UndefinedVariableError, match=r"request\.id is not set"):
        render("{{request.id}}", context)


def test_system_scope_uses_utc() -> None:
    scope = system_scope(
        now=datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC), hostname="h"
    )

    assert scope["date"] == "2024-12-31"
    assert scope["timestamp"] == "2024-12-31T23:59:59Z"
    assert scope["hostname"] == "h"
