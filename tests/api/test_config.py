"""ApiConfig: validation, and building it from the settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from pao.api import ApiConfig, ProxyTrust, TokenGrant
from pao.core.settings import load_settings

from .conftest import sha256_hex


def test_token_digest_is_normalised() -> None:
    grant = TokenGrant(
        user="a", teams=frozenset(), token_sha256=" " + sha256_hex("t").upper()
    )

    assert grant.token_sha256 == sha256_hex("t")


@pytest.mark.parametrize("digest", ["", "abc", "z" * 64, sha256_hex("t") + "0"])
def test_malformed_token_digest_is_refused(digest: str) -> None:
    with pytest.raises(ValueError, match="tokenSha256 of alice"):
        TokenGrant(user="alice", teams=frozenset(), token_sha256=digest)


def test_malformed_metrics_digest_is_refused() -> None:
    with pytest.raises(ValueError, match="metricsTokenSha256"):
        ApiConfig(metrics_token_sha256="secret")


def test_non_positive_body_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="max_body_bytes must be positive"):
        ApiConfig(max_body_bytes=0)


@pytest.mark.parametrize(
    ("peer", "trusted"),
    [
        ("10.0.0.1", True),
        ("10.255.255.255", True),
        ("11.0.0.1", False),
        ("::1", False),
        ("fd00::5", True),
        ("not-an-ip", False),
        (None, False),
    ],
)
def test_proxy_trust_follows_the_cidrs(peer: str | None, trusted: bool) -> None:
    proxy = ProxyTrust.from_cidrs(
        user_header="X-User", teams_header="X-Teams", cidrs=["10.0.0.0/8", "fd00::/8"]
    )

    assert proxy.trusts(peer) is trusted


def test_from_settings_resolves_secrets_and_merges_admins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config_file = tmp_path / "pao.yaml"
    config_file.write_text(
        f"""
github:
  webhookSecret: env:GH_HOOK
  admins: [acme/platform-admins]
jira:
  webhookSecret: file:{tmp_path}/jira-secret
terraform:
  notificationToken: env:TFC_HOOK
api:
  tokens:
    - user: alice@acme.example
      teams: [acme/payments]
      tokenSha256: "{sha256_hex("t")}"
  trustedProxy:
    userHeader: X-Auth-User
    teamsHeader: X-Auth-Groups
    from: [10.0.0.0/8]
  adminTeams: [acme/sre]
  maxBodyBytes: 2048
  cursorKey: env:CURSOR_KEY
""",
        encoding="utf-8",
    )
    (tmp_path / "jira-secret").write_text("jira-value\n", encoding="utf-8")
    monkeypatch.setenv("GH_HOOK", "gh-value")
    monkeypatch.setenv("TFC_HOOK", "tf-value")
    monkeypatch.setenv("CURSOR_KEY", "cursor-value")
    monkeypatch.setenv("CORRELATION_ID_HEADER", "X-Request-ID")

    config = ApiConfig.from_settings(load_settings(config_file))

    assert config.github_webhook_secret == "gh-value"
    assert config.jira_webhook_secret == "jira-value"
    assert config.terraform_notification_token == "tf-value"
    assert config.cursor_key == b"cursor-value"
    assert config.admin_teams == {"acme/platform-admins", "acme/sre"}
    assert config.max_body_bytes == 2048
    assert config.correlation_id_header == "X-Request-ID"
    assert config.tokens[0].teams == {"acme/payments"}
    assert config.trusted_proxy is not None
    assert config.trusted_proxy.user_header == "X-Auth-User"
    assert config.trusted_proxy.trusts("10.1.1.1")


def test_from_settings_without_sections_has_no_secrets(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("GITHUB_WEBHOOK_SECRET", "PAO_CONFIG", "CORRELATION_ID_HEADER"):
        monkeypatch.delenv(name, raising=False)

    config = ApiConfig.from_settings(load_settings())

    assert config.github_webhook_secret is None
    assert config.jira_webhook_secret is None
    assert config.trusted_proxy is None
    assert config.correlation_id_header == "X-Correlation-ID"


def test_secrets_stay_out_of_repr() -> None:
    config = ApiConfig(github_webhook_secret="gh-value", cursor_key=None)

    assert "gh-value" not in repr(config)
