"""Static checks of action configs, where strings may still be templates."""

from __future__ import annotations

from typing import Any

import pytest

from pao.actions import validate_config
from pao.actions.configs import format_path


@pytest.mark.parametrize(
    "config",
    [
        {"url": "https://db.acme.example/v1/databases"},
        {
            "method": "POST",
            "url": "{{environment.DB_API}}/v1/databases",
            "headers": {"X-Team": "{{request.user.teams[0]}}"},
            "query": {"region": "eu", "tags": ["a", "{{fields.tag}}"]},
            "body": {"name": "{{fields.instanceName}}", "size": 20},
            "auth": {"type": "bearer", "token": "{{secrets.dbApiToken}}"},
            "expectedStatus": [200, 201],
        },
        {
            "url": "https://x",
            "auth": {"type": "api-key", "header": "X-Key", "value": "k"},
        },
        {
            "url": "https://x",
            "auth": {"type": "basic", "username": "u", "password": ""},
        },
        {
            "url": "https://x",
            "auth": {
                "type": "oauth2",
                "tokenUrl": "{{environment.IDP}}/token",
                "clientId": "pao",
                "clientSecret": "{{secrets.idp}}",
                "scope": "db.write",
            },
        },
        {"url": "https://x", "method": "{{fields.verb}}", "headers": "{{fields.h}}"},
        {"url": "https://x", "expectedStatus": ["{{fields.okStatus}}"]},
    ],
)
def test_valid_rest_api_configs_have_no_problems(config: dict[str, Any]) -> None:
    assert validate_config("rest-api", config) == []


@pytest.mark.parametrize(
    ("config", "problems"),
    [
        ({}, [(("url",), "required key is missing")]),
        (
            {"url": "https://x", "auth": {"type": "bearer"}, "timeout": 3},
            [
                (("auth", "token"), "required key is missing"),
                (("timeout",), "unknown key"),
            ],
        ),
        (
            {"url": "https://x", "auth": {"type": "oauth2", "tokenUrl": "idp/token"}},
            [
                (("auth", "tokenUrl"), "must be an http:// or https:// URL"),
                (("auth", "clientId"), "required key is missing"),
                (("auth", "clientSecret"), "required key is missing"),
            ],
        ),
        (
            {"url": "https://x", "expectedStatus": [200, 99]},
            [(("expectedStatus", 1), "99 is not an HTTP status (100-599)")],
        ),
        (
            {"url": "https://x", "auth": {"token": "t"}},
            [(("auth",), "type is missing")],
        ),
        (
            {"url": "https://x", "headers": {"X-A": ["list"]}},
            [(("headers", "X-A"), "Input should be a valid string")],
        ),
    ],
)
def test_rest_api_problems_name_their_path(
    config: dict[str, Any], problems: list[tuple[tuple[str | int, ...], str]]
) -> None:
    assert validate_config("rest-api", config) == problems


def test_auth_type_problem_lists_the_known_types() -> None:
    [(path, message)] = validate_config(
        "rest-api", {"url": "https://x", "auth": {"type": "kerberos"}}
    )

    assert path == ("auth",)
    assert "'bearer'" in message
    assert "'oauth2'" in message


def test_webhook_configs() -> None:
    good = {
        "url": "https://hooks.acme.example/pao",
        "secret": "env:HOOK_SECRET",
        "headers": {},
        "payload": {"event": "created", "name": "{{fields.instanceName}}"},
    }

    assert validate_config("webhook", good) == []
    assert validate_config("webhook", {"url": "https://x", "secret": ""}) == [
        (("secret",), "String should have at least 1 character")
    ]
    assert validate_config("webhook", {"secret": "s", "body": {}}) == [
        (("url",), "required key is missing"),
        (("body",), "unknown key"),
    ]


def test_config_that_is_not_a_mapping() -> None:
    assert validate_config("webhook", ["url"]) == [((), "config must be a mapping")]


def test_unknown_type_is_reported_at_the_empty_path() -> None:
    [(path, message)] = validate_config("carrier-pigeon", {})

    assert path == ()
    assert "unknown action type 'carrier-pigeon'" in message
    assert "rest-api" in message


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ((), "config"),
        (("url",), "url"),
        (("auth", "token"), "auth.token"),
        (("expectedStatus", 1), "expectedStatus[1]"),
        (("query", "tags", 0), "query.tags[0]"),
    ],
)
def test_format_path(path: tuple[str | int, ...], text: str) -> None:
    assert format_path(path) == text
