"""Secrets: masked in previews, resolved in live renders, scrubbed after."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from pao.core.secrets import SecretReference
from pao.templates import (
    MASK,
    DefaultSecretResolver,
    InvalidSecretReferenceError,
    Secret,
    SecretResolutionError,
    build_context,
    find_secrets,
    mask,
    render,
    render_config,
    render_value,
)

ENVIRON = {"DB_API_TOKEN": "tok-123", "DB_PASS": "pa55", "OTHER": "o"}


class RecordingVault:
    """A vault reader that records what it was asked for."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []

    def __call__(self, path: str, key: str) -> str:
        self.calls.append((path, key))
        return f"vault-{key}"


def _context(resolver: DefaultSecretResolver | None = None) -> dict[str, object]:
    return build_context(
        fields={"user": "admin", "adminPassword": "env:DB_PASS"},
        password_fields=["adminPassword"],
        secrets={"dbApiToken": "env:DB_API_TOKEN", "missing": "env:NOPE"},
        resolver=resolver or DefaultSecretResolver(environ=ENVIRON),
    )


@pytest.mark.parametrize(
    ("template", "preview", "live"),
    [
        ("Bearer {{secrets.dbApiToken}}", f"Bearer {MASK}", "Bearer tok-123"),
        ("{{fields.adminPassword}}", MASK, "pa55"),
        ("{{upper(secrets.dbApiToken)}}", MASK, "TOK-123"),
        ("{{secrets.dbApiToken | lower}}", MASK, "tok-123"),
        ("{{replace(secrets.dbApiToken, '-', '')}}", MASK, "tok123"),
        (
            "{{base64(concat(fields.user, ':', fields.adminPassword))}}",
            MASK,
            base64.b64encode(b"admin:pa55").decode(),
        ),
        ("{{concat('k=', secrets.dbApiToken)}}", f"k={MASK}", "k=tok-123"),
        (
            "{{json(fields)}}",
            f'{{"user": "admin", "adminPassword": "{MASK}"}}',
            '{"user": "admin", "adminPassword": "pa55"}',
        ),
        ("{{json(secrets.dbApiToken)}}", f'"{MASK}"', '"tok-123"'),
        ("{{#if secrets.dbApiToken}}set{{/if}}", "set", "set"),
        ("{{secrets.dbApiToken | default('x')}}", MASK, "tok-123"),
    ],
)
def test_preview_masks_and_live_resolves(
    template: str, preview: str, live: str
) -> None:
    assert render(template, _context()) == preview
    assert render(template, _context(), live=True) == live


def test_preview_never_resolves() -> None:
    context = _context()

    render("{{secrets.dbApiToken}} {{secrets.missing}}", context)

    assert not any(secret.revealed for secret in find_secrets(context))


def test_live_render_resolves_only_what_it_prints() -> None:
    context = _context()

    render("{{secrets.dbApiToken}}", context, live=True)

    revealed = {s.name: s.revealed for s in find_secrets(context)}
    assert revealed == {
        "fields.adminPassword": False,
        "secrets.dbApiToken": True,
        "secrets.missing": False,
    }


def test_unresolvable_secret_fails_naming_it_without_a_value() -> None:
    with pytest.raises(SecretResolutionError) as caught:
        render("{{secrets.missing}}", _context(), live=True)

    assert caught.value.message == (
        "secrets.missing: env:NOPE: environment variable NOPE is not set"
    )


def test_a_literal_in_place_of_a_reference_is_never_echoed() -> None:
    context = build_context(
        fields={"pw": "hunter2-literal"},
        password_fields=["pw"],
        resolver=DefaultSecretResolver(environ={}),
    )

    with pytest.raises(InvalidSecretReferenceError) as caught:
        render("{{fields.pw}}", context, live=True)

    assert "hunter2" not in str(caught.value)
    assert caught.value.message.startswith("fields.pw: expected a secret reference")


def test_vault_without_a_configured_reader_is_a_clear_error() -> None:
    resolver = DefaultSecretResolver(environ={})

    with pytest.raises(SecretResolutionError, match="no Vault is configured"):
        resolver.resolve(SecretReference("vault", "secret/db", "password"))


def test_vault_references_go_to_the_configured_reader() -> None:
    vault = RecordingVault()
    context = build_context(
        secrets={"token": "vault:secret/team/db#password"},
        resolver=DefaultSecretResolver(environ={}, vault=vault),
    )

    assert render("{{secrets.token}}", context, live=True) == "vault-password"
    assert vault.calls == [("secret/team/db", "password")]


def test_file_references_read_the_file(tmp_path: Path) -> None:
    secret_file = tmp_path / "token"
    secret_file.write_text("from-file\n", encoding="utf-8")
    context = build_context(
        secrets={"token": f"file:{secret_file}"},
        resolver=DefaultSecretResolver(environ={}),
    )

    assert render("{{secrets.token}}", context, live=True) == "from-file"


def test_restricted_resolver_refuses_other_env_names_and_files(tmp_path: Path) -> None:
    allowed = tmp_path / "allowed"
    allowed.mkdir()
    (allowed / "ok").write_text("fine", encoding="utf-8")
    (tmp_path / "outside").write_text("nope", encoding="utf-8")
    resolver = DefaultSecretResolver(
        environ=ENVIRON, allowed_env=["DB_PASS"], file_roots=[allowed]
    )

    assert resolver.resolve(SecretReference("env", "DB_PASS")) == "pa55"
    assert resolver.resolve(SecretReference("file", str(allowed / "ok"))) == "fine"
    with pytest.raises(SecretResolutionError, match="may not be used"):
        resolver.resolve(SecretReference("env", "DB_API_TOKEN"))
    with pytest.raises(SecretResolutionError, match="outside the allowed"):
        resolver.resolve(SecretReference("file", str(allowed / ".." / "outside")))


def test_password_fields_can_use_their_own_resolver() -> None:
    context = build_context(
        fields={"pw": "env:DB_PASS"},
        password_fields=["pw"],
        secrets={"t": "env:DB_API_TOKEN"},
        resolver=DefaultSecretResolver(environ=ENVIRON),
        field_resolver=DefaultSecretResolver(environ=ENVIRON, allowed_env=[]),
    )

    assert render("{{secrets.t}}", context, live=True) == "tok-123"
    with pytest.raises(SecretResolutionError, match=r"fields\.pw"):
        render("{{fields.pw}}", context, live=True)


def test_secret_without_a_resolver_uses_the_default_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PAO_TEST_SECRET", "from-env")

    assert Secret("env:PAO_TEST_SECRET").reveal() == "from-env"
    with pytest.raises(SecretResolutionError, match="no Vault is configured"):
        Secret("vault:secret/x#y", name="secrets.v").reveal()


def test_the_default_resolver_takes_references_as_text() -> None:
    resolver = DefaultSecretResolver(environ=ENVIRON)

    assert resolver.resolve("env:DB_PASS") == "pa55"
    with pytest.raises(InvalidSecretReferenceError):
        resolver.resolve("not-a-reference")


def test_secret_str_and_repr_never_show_the_value() -> None:
    secret = Secret("env:X", name="secrets.x", value="plain-value")

    assert str(secret) == MASK
    assert repr(secret) == "Secret('secrets.x', '***')"
    assert f"{secret}" == MASK


def test_mask_scrubs_resolved_and_derived_values() -> None:
    context = _context()
    header = render(
        "Basic {{base64(concat(fields.user, ':', fields.adminPassword))}}",
        context,
        live=True,
    )
    body = f"echo: {header} and pa55 and tok-123"

    scrubbed = mask(body, find_secrets(context))

    assert scrubbed == f"echo: Basic {MASK} and {MASK} and tok-123"


def test_mask_prefers_the_longest_value_and_accepts_plain_strings() -> None:
    secrets = [Secret("env:A", value="abc"), "abcdef", Secret("env:B")]

    assert mask("abcdef abc ab", secrets) == f"{MASK} {MASK} ab"
    assert mask("k=abc", {"name": Secret("env:A", value="abc")}) == f"k={MASK}"


def test_render_value_and_config_mask_in_preview_and_reveal_live() -> None:
    config = {
        "auth": {"token": "{{secrets.dbApiToken}}"},
        "body": "{{json(fields)}}",
        "users": ["{{fields.adminPassword}}"],
    }

    preview = render_config(config, _context())
    live = render_config(config, _context(), live=True)

    assert preview == {
        "auth": {"token": MASK},
        "body": {"user": "admin", "adminPassword": MASK},
        "users": [MASK],
    }
    assert live == {
        "auth": {"token": "tok-123"},
        "body": {"user": "admin", "adminPassword": "pa55"},
        "users": ["pa55"],
    }
    assert render_value("{{secrets}}", _context()) == {
        "dbApiToken": MASK,
        "missing": MASK,
    }
