"""Who may call the GitHub stand-in: tokens, app JWTs, installation tokens."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from github import Auth, Github, GithubIntegration

from github_driver import app_jwt, app_private_key
from pao.standins import GithubStandin

PAT = "ghp_alice_token"
REPO = "acme/platform-requests"


@pytest.fixture(scope="module")
def github(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GithubStandin]:
    standin = GithubStandin(
        tmp_path_factory.mktemp("github"),
        app_private_key_pem=app_private_key(),
        tokens={PAT: "alice"},
    )
    standin.add_org("acme", members=["alice"])
    standin.add_repo(REPO)
    standin.install_app("acme")
    with standin.serve():
        yield standin


def installation_id(github: GithubStandin) -> int:
    installation = github.state.installation_for("acme")
    assert installation is not None
    return installation.id


def exchange(github: GithubStandin, token: str) -> httpx.Response:
    return httpx.post(
        f"{github.url}/app/installations/{installation_id(github)}/access_tokens",
        headers={"Authorization": f"Bearer {token}"},
    )


def other_key() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


@pytest.mark.parametrize(
    ("authorization", "message"),
    [
        (None, "Requires authentication"),
        ("token ghp_wrong", "Bad credentials"),
        ("Basic YWxpY2U6eA==", "Bad credentials"),
    ],
)
def test_requests_without_valid_credentials_get_401(
    github: GithubStandin, authorization: str | None, message: str
) -> None:
    headers = {"Authorization": authorization} if authorization else {}

    answer = httpx.get(f"{github.url}/repos/{REPO}", headers=headers)

    assert answer.status_code == 401
    assert answer.json()["message"] == message
    assert answer.json()["documentation_url"].startswith("https://docs.github.com/")


def test_a_personal_access_token_acts_as_its_user(github: GithubStandin) -> None:
    answer = httpx.get(f"{github.url}/user", headers={"Authorization": f"Bearer {PAT}"})

    assert answer.status_code == 200
    assert answer.json()["login"] == "alice"


def test_an_app_jwt_buys_an_installation_token_that_expires_in_an_hour(
    github: GithubStandin,
) -> None:
    answer = exchange(github, app_jwt(github.github_app.id))

    assert answer.status_code == 201
    body = answer.json()
    expires = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00"))
    assert 3500 < (expires - datetime.now(UTC)).total_seconds() <= 3600
    repo = httpx.get(
        f"{github.url}/repos/{REPO}",
        headers={"Authorization": f"token {body['token']}"},
    )
    assert repo.status_code == 200


@pytest.mark.parametrize(
    ("make_token", "message"),
    [
        (
            lambda app: app_jwt(app, other_key()),
            "A JSON web token could not be decoded",
        ),
        (lambda app: app_jwt(999), "Integration not found"),
        (
            lambda app: app_jwt(app, issued_at=time.time() - 3600),
            "'Expiration time' claim ('exp') must be a numeric value",
        ),
        (
            lambda app: app_jwt(app, lifetime=3600),
            "'Expiration time' claim ('exp') is too far in the future",
        ),
        (lambda app: "not.a.jwt", "A JSON web token could not be decoded"),
        (lambda app: PAT, "A JSON web token could not be decoded"),
    ],
)
def test_app_endpoints_refuse_anything_but_a_valid_app_jwt(
    github: GithubStandin, make_token: object, message: str
) -> None:
    assert callable(make_token)

    answer = exchange(github, make_token(github.github_app.id))

    assert answer.status_code == 401
    assert answer.json()["message"].startswith(message)


def test_an_app_jwt_is_no_token_for_the_rest_of_the_api(github: GithubStandin) -> None:
    headers = {"Authorization": f"Bearer {app_jwt(github.github_app.id)}"}

    answer = httpx.get(f"{github.url}/repos/{REPO}", headers=headers)

    assert answer.status_code == 401


def test_an_unknown_installation_is_404(github: GithubStandin) -> None:
    headers = {"Authorization": f"Bearer {app_jwt(github.github_app.id)}"}

    answer = httpx.post(
        f"{github.url}/app/installations/1/access_tokens", headers=headers
    )

    assert answer.status_code == 404


def test_check_runs_need_the_app(github: GithubStandin) -> None:
    answer = httpx.post(
        f"{github.url}/repos/{REPO}/check-runs",
        headers={"Authorization": f"token {PAT}"},
        json={"name": "pao/validate", "head_sha": "main"},
    )

    assert answer.status_code == 403
    assert answer.json()["message"] == "You must authenticate via a GitHub App."


def test_pygithub_authenticates_as_the_app_and_acts_as_its_bot(
    github: GithubStandin,
) -> None:
    auth = Auth.AppAuth(github.github_app.id, app_private_key().decode())
    integration = GithubIntegration(auth=auth, base_url=github.url)

    installation = integration.get_repo_installation("acme", "platform-requests")
    client = Github(
        auth=auth.get_installation_auth(installation.id), base_url=github.url
    )
    repo = client.get_repo(REPO)
    commit = repo.get_commit("main")
    run = repo.create_check_run(
        name="pao/validate",
        head_sha=commit.sha,
        status="completed",
        conclusion="success",
        output={"title": "Valid", "summary": "All requests are valid."},
    )

    assert installation.id == installation_id(github)
    assert run.app.id == github.github_app.id
    assert repo.get_check_run(run.id).conclusion == "success"
    client.close()
    integration.close()


def test_pygithub_with_a_token_reads_people_and_teams(github: GithubStandin) -> None:
    github.add_team("acme", "payments", members=["alice"], maintainers=["bob"])
    client = Github(auth=Auth.Token(PAT), base_url=github.url)

    org = client.get_organization("acme")
    team = org.get_team_by_slug("payments")
    members = sorted(m.login for m in team.get_members())

    assert client.get_user().login == "alice"
    assert members == ["alice", "bob"]
    membership = team.get_team_membership("bob")
    assert (membership.state, membership.role) == ("active", "maintainer")
    assert org.has_in_members(client.get_user("alice"))
    client.close()


def test_clone_url_is_a_git_remote(github: GithubStandin, tmp_path: Path) -> None:
    from gitutil import git

    shown = httpx.get(
        f"{github.url}/repos/{REPO}", headers={"Authorization": f"token {PAT}"}
    ).json()
    git("clone", "--quiet", shown["clone_url"], str(tmp_path / "clone"))

    assert shown["clone_url"] == github.clone_url(REPO)
    assert (tmp_path / "clone" / "README.md").is_file()
