from __future__ import annotations

from pathlib import Path

import pytest

from pao.core.secrets import (
    SecretError,
    is_secret_reference,
    parse_secret_reference,
    resolve_secret,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("env:DB_TOKEN", True),
        ("vault:secret/payments/orders#password", True),
        ("file:/run/secrets/token", True),
        ("hunter2", False),
        ("env:", False),
        ("vault:secret/no-key", False),
        ("env:1BAD", False),
    ],
)
def test_references_are_recognised(value: str, expected: bool) -> None:
    assert is_secret_reference(value) is expected


def test_env_reference_resolves_from_the_environment() -> None:
    assert resolve_secret("env:TOKEN", environ={"TOKEN": "s3cr3t"}) == "s3cr3t"


def test_missing_env_variable_is_named_without_a_value() -> None:
    with pytest.raises(SecretError, match="environment variable TOKEN is not set"):
        resolve_secret("env:TOKEN", environ={})


def test_file_reference_strips_the_trailing_newline(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("abc\n")

    assert resolve_secret(f"file:{secret}") == "abc"


def test_vault_without_a_reader_is_a_clear_error() -> None:
    with pytest.raises(SecretError, match="no Vault is configured"):
        resolve_secret("vault:secret/x#k")


def test_vault_reader_receives_path_and_key() -> None:
    seen: list[tuple[str, str]] = []

    def read(path: str, key: str) -> str:
        seen.append((path, key))
        return "v"

    assert resolve_secret("vault:secret/x#k", vault=read) == "v"
    assert seen == [("secret/x", "k")]


def test_a_literal_is_not_echoed_in_the_error() -> None:
    with pytest.raises(SecretError) as info:
        parse_secret_reference("hunter2")

    assert "hunter2" not in str(info.value)
