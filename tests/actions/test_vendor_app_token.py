"""Workflow dispatches can authenticate as a GitHub App installation."""

from __future__ import annotations

from pathlib import Path

import httpx

from github_driver import app_private_key
from pao.actions.vendor_config import VendorConfig
from pao.core.settings import GitHubAppSettings, GitHubSettings, Settings
from pao.standins import GithubStandin


def test_github_app_settings_mint_an_installation_token(tmp_path: Path) -> None:
    key = app_private_key()
    key_file = tmp_path / "app.pem"
    key_file.write_bytes(key)
    standin = GithubStandin(tmp_path / "gh", app_private_key_pem=key)
    standin.add_org("acme")
    standin.add_repo("acme/tools")
    installation = standin.install_app("acme")
    with standin.serve():
        settings = Settings(
            github=GitHubSettings(
                api_url=standin.url,
                app=GitHubAppSettings(
                    id=standin.github_app.id,
                    private_key=f"file:{key_file}",
                    installation_id=installation.id,
                ),
            )
        )
        credential = VendorConfig.from_settings(settings).github.token
        assert credential is not None

        token = credential()
        again = credential()
        answer = httpx.get(
            f"{standin.url}/repos/acme/tools",
            headers={"Authorization": f"Bearer {token}"},
        )
        forged = httpx.get(
            f"{standin.url}/repos/acme/tools",
            headers={"Authorization": "Bearer ghs_not-a-real-token"},
        )

    assert token == again
    assert answer.status_code == 200
    assert answer.json()["full_name"] == "acme/tools"
    assert forged.status_code == 401
