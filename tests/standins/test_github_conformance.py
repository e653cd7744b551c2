"""Every endpoint of the GitHub stand-in answers as GitHub's OpenAPI says.

Each case sends one request (whose body, if any, must fit the operation's
request schema) and checks the answer's status and body against the
response schema of GitHub's own description. Together the cases cover
every operation of the subset pao uses.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from github_driver import app_jwt, app_private_key
from openapi_check import check_request, check_response
from pao.standins import GithubStandin, WorkflowInput

PAT = "ghp_conformance"
REPO = "acme/platform-requests"
R = "/repos/{owner}/{repo}"


@dataclass(frozen=True)
class Case:
    method: str
    template: str
    path: str
    status: int
    body: dict[str, Any] | None = None
    auth: str = "app"  # "app" (installation token), "user" (PAT) or "jwt"

    @property
    def id(self) -> str:
        return f"{self.method} {self.template} {self.status}"


@dataclass
class World:
    github: GithubStandin
    ids: dict[str, Any]
    headers: dict[str, dict[str, str]]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    github = GithubStandin(
        tmp_path_factory.mktemp("github"),
        app_private_key_pem=app_private_key(),
        tokens={PAT: "alice"},
    )
    github.add_org("acme", members=["alice", "bob", "carol"], admins=["dana"])
    github.add_team("acme", "payments", members=["bob"], maintainers=["carol"])
    github.add_repo(
        REPO,
        files={
            "README.md": "# requests\n",
            "requests/db/orders.yaml": "size: small\n",
            ".github/CODEOWNERS": "/requests/db/ @acme/payments @ghost\n",
        },
    )
    github.add_collaborator(REPO, "erin", "maintain")
    github.actions.add_workflow(
        REPO, "provision.yml", inputs={"size": WorkflowInput(default="small")}
    )
    installation = github.install_app("acme")
    github.push(
        REPO, "feature", [{"requests/db/new.yaml": "size: big\n"}], user="alice"
    )
    pull = github.open_pull(REPO, head="feature", user="alice", title="Add new")
    github.submit_review(REPO, pull.number, user="bob", state="CHANGES_REQUESTED")
    comment = github.comment(REPO, pull.number, "/plan", user="bob")
    github.push_tag(REPO, "v1", user="alice")
    with github.serve():
        token = httpx.post(
            f"{github.url}/app/installations/{installation.id}/access_tokens",
            headers={"Authorization": f"Bearer {app_jwt(github.github_app.id)}"},
        ).json()["token"]
        headers = {
            "app": {"Authorization": f"token {token}"},
            "user": {"Authorization": f"token {PAT}"},
            "jwt": {"Authorization": f"Bearer {app_jwt(github.github_app.id)}"},
        }
        ids = _prepare(github, headers["app"], pull.head_sha)
        ids |= {
            "installation": installation.id,
            "comment": comment.id,
            "pull": pull.number,
            "head": pull.head_sha,
        }
        yield World(github, ids, headers)


def _prepare(
    github: GithubStandin, headers: dict[str, str], head: str
) -> dict[str, Any]:
    api = f"{github.url}{R.format(owner='acme', repo='platform-requests')}"
    run = httpx.post(
        f"{api}/check-runs",
        headers=headers,
        json={
            "name": "pao/validate",
            "head_sha": head,
            "status": "completed",
            "conclusion": "failure",
            "output": {
                "title": "1 problem",
                "summary": "size is not allowed",
                "annotations": [
                    {
                        "path": "requests/db/new.yaml",
                        "start_line": 1,
                        "end_line": 1,
                        "annotation_level": "failure",
                        "message": "size must be small or medium",
                    }
                ],
            },
        },
    ).json()
    httpx.post(f"{api}/statuses/{head}", headers=headers, json={"state": "pending"})
    httpx.post(
        f"{api}/actions/workflows/provision.yml/dispatches",
        headers=headers,
        json={"ref": "main"},
    )
    runs = httpx.get(f"{api}/actions/runs", headers=headers).json()["workflow_runs"]
    git = github.repo(REPO).git
    entry = git.entry(head, "requests/db/new.yaml")
    assert entry is not None
    return {
        "check_run": run["id"],
        "blob": entry.sha,
        "tree": git.tree_of(head),
        "main": git.resolve("refs/heads/main"),
        "run": runs[0]["id"],
    }


CASES = [
    Case("GET", "/app", "/app", 200, auth="jwt"),
    Case(
        "POST",
        "/app/installations/{installation_id}/access_tokens",
        "/app/installations/{installation}/access_tokens",
        201,
        {"permissions": {"checks": "write"}},
        auth="jwt",
    ),
    Case("GET", f"{R}/installation", f"{R}/installation", 200, auth="jwt"),
    Case("GET", "/rate_limit", "/rate_limit", 200),
    Case("GET", "/user", "/user", 200, auth="user"),
    Case("GET", "/users/{username}", "/users/bob", 200),
    Case("GET", "/users/{username}", "/users/nobody", 404),
    Case("GET", "/orgs/{org}", "/orgs/acme", 200),
    Case("GET", "/orgs/{org}", "/orgs/nowhere", 404),
    Case("GET", "/orgs/{org}/members/{username}", "/orgs/acme/members/bob", 204),
    Case("GET", "/orgs/{org}/members/{username}", "/orgs/acme/members/zed", 404),
    Case("GET", "/orgs/{org}/teams/{team_slug}", "/orgs/acme/teams/payments", 200),
    Case("GET", "/orgs/{org}/teams/{team_slug}", "/orgs/acme/teams/nope", 404),
    Case(
        "GET",
        "/orgs/{org}/teams/{team_slug}/members",
        "/orgs/acme/teams/payments/members",
        200,
    ),
    Case(
        "GET",
        "/orgs/{org}/teams/{team_slug}/memberships/{username}",
        "/orgs/acme/teams/payments/memberships/carol",
        200,
    ),
    Case(
        "GET",
        "/orgs/{org}/teams/{team_slug}/memberships/{username}",
        "/orgs/acme/teams/payments/memberships/alice",
        404,
    ),
    Case("GET", R, R, 200),
    Case("GET", R, "/repos/acme/missing", 404),
    Case("GET", f"{R}/branches/{{branch}}", f"{R}/branches/main", 200),
    Case("GET", f"{R}/branches/{{branch}}", f"{R}/branches/gone", 404),
    Case("GET", f"{R}/commits", f"{R}/commits", 200),
    Case("GET", f"{R}/commits/{{ref}}", f"{R}/commits/feature", 200),
    Case("GET", f"{R}/commits/{{ref}}", f"{R}/commits/{'0' * 40}", 422),
    Case(
        "GET",
        f"{R}/commits/{{ref}}/check-runs",
        f"{R}/commits/{{head}}/check-runs",
        200,
    ),
    Case("GET", f"{R}/commits/{{ref}}/status", f"{R}/commits/{{head}}/status", 200),
    Case("GET", f"{R}/commits/{{ref}}/statuses", f"{R}/commits/{{head}}/statuses", 200),
    Case(
        "POST",
        f"{R}/statuses/{{sha}}",
        f"{R}/statuses/{{head}}",
        201,
        {"state": "success", "context": "pao/plan", "description": "ok"},
    ),
    Case("GET", f"{R}/compare/{{basehead}}", f"{R}/compare/main...feature", 200),
    Case("GET", f"{R}/compare/{{basehead}}", f"{R}/compare/main...nope", 404),
    Case(
        "GET",
        f"{R}/contents/{{path}}",
        f"{R}/contents/requests/db/orders.yaml",
        200,
    ),
    Case("GET", f"{R}/contents/{{path}}", f"{R}/contents/requests", 200),
    Case("GET", f"{R}/contents/{{path}}", f"{R}/contents/absent.yaml", 404),
    Case(
        "PUT",
        f"{R}/contents/{{path}}",
        f"{R}/contents/status/{{unique}}.yaml",
        201,
        {"message": "Record status", "content": base64.b64encode(b"ok\n").decode()},
    ),
    Case("GET", f"{R}/codeowners/errors", f"{R}/codeowners/errors", 200),
    Case("GET", f"{R}/collaborators/{{username}}", f"{R}/collaborators/erin", 204),
    Case("GET", f"{R}/collaborators/{{username}}", f"{R}/collaborators/zed", 404),
    Case(
        "GET",
        f"{R}/collaborators/{{username}}/permission",
        f"{R}/collaborators/erin/permission",
        200,
    ),
    Case(
        "GET",
        f"{R}/collaborators/{{username}}/permission",
        f"{R}/collaborators/zed/permission",
        404,
    ),
    Case("POST", f"{R}/git/blobs", f"{R}/git/blobs", 201, {"content": "hello"}),
    Case("GET", f"{R}/git/blobs/{{file_sha}}", f"{R}/git/blobs/{{blob}}", 200),
    Case("GET", f"{R}/git/trees/{{tree_sha}}", f"{R}/git/trees/{{tree}}", 200),
    Case(
        "POST",
        f"{R}/git/trees",
        f"{R}/git/trees",
        201,
        {
            "base_tree": "{tree}",
            "tree": [
                {"path": "x.txt", "mode": "100644", "type": "blob", "content": "x"}
            ],
        },
    ),
    Case("GET", f"{R}/git/commits/{{commit_sha}}", f"{R}/git/commits/{{head}}", 200),
    Case(
        "POST",
        f"{R}/git/commits",
        f"{R}/git/commits",
        201,
        {"message": "Plumbing", "tree": "{tree}", "parents": ["{head}"]},
    ),
    Case("GET", f"{R}/git/ref/{{ref}}", f"{R}/git/ref/heads/main", 200),
    Case("GET", f"{R}/git/ref/{{ref}}", f"{R}/git/ref/heads/nope", 404),
    Case(
        "POST",
        f"{R}/git/refs",
        f"{R}/git/refs",
        201,
        {"ref": "refs/heads/{unique}", "sha": "{main}"},
    ),
    Case(
        "POST",
        f"{R}/git/refs",
        f"{R}/git/refs",
        422,
        {"ref": "refs/heads/main", "sha": "{main}"},
    ),
    Case(
        "PATCH",
        f"{R}/git/refs/{{ref}}",
        f"{R}/git/refs/tags/v1",
        200,
        {"sha": "{main}", "force": True},
    ),
    Case(
        "POST",
        f"{R}/check-runs",
        f"{R}/check-runs",
        201,
        {"name": "pao/plan", "head_sha": "{head}", "status": "in_progress"},
    ),
    Case(
        "GET",
        f"{R}/check-runs/{{check_run_id}}",
        f"{R}/check-runs/{{check_run}}",
        200,
    ),
    Case(
        "PATCH",
        f"{R}/check-runs/{{check_run_id}}",
        f"{R}/check-runs/{{check_run}}",
        200,
        {"conclusion": "success", "output": {"title": "ok", "summary": "fixed"}},
    ),
    Case(
        "GET",
        f"{R}/check-runs/{{check_run_id}}/annotations",
        f"{R}/check-runs/{{check_run}}/annotations",
        200,
    ),
    Case("GET", f"{R}/issues/{{issue_number}}", f"{R}/issues/{{pull}}", 200),
    Case("GET", f"{R}/issues/{{issue_number}}", f"{R}/issues/999", 404),
    Case(
        "GET",
        f"{R}/issues/{{issue_number}}/comments",
        f"{R}/issues/{{pull}}/comments",
        200,
    ),
    Case(
        "POST",
        f"{R}/issues/{{issue_number}}/comments",
        f"{R}/issues/{{pull}}/comments",
        201,
        {"body": "Plan: 1 action"},
    ),
    Case(
        "POST",
        f"{R}/issues/{{issue_number}}/comments",
        f"{R}/issues/999/comments",
        404,
        {"body": "nobody reads this"},
    ),
    Case(
        "GET",
        f"{R}/issues/comments/{{comment_id}}",
        f"{R}/issues/comments/{{comment}}",
        200,
    ),
    Case(
        "PATCH",
        f"{R}/issues/comments/{{comment_id}}",
        f"{R}/issues/comments/{{comment}}",
        200,
        {"body": "/plan please"},
    ),
    Case(
        "PATCH",
        f"{R}/issues/comments/{{comment_id}}",
        f"{R}/issues/comments/{{comment}}",
        422,
        {"body": "x" * 65_536},
    ),
    Case(
        "POST",
        f"{R}/issues/comments/{{comment_id}}/reactions",
        f"{R}/issues/comments/{{comment}}/reactions",
        201,
        {"content": "eyes"},
    ),
    Case(
        "POST",
        f"{R}/issues/comments/{{comment_id}}/reactions",
        f"{R}/issues/comments/{{comment}}/reactions",
        200,
        {"content": "eyes"},
    ),
    Case(
        "GET",
        f"{R}/issues/comments/{{comment_id}}/reactions",
        f"{R}/issues/comments/{{comment}}/reactions",
        200,
    ),
    Case("GET", f"{R}/pulls", f"{R}/pulls", 200),
    Case(
        "POST",
        f"{R}/pulls",
        f"{R}/pulls",
        422,
        {"title": "Again", "head": "feature", "base": "main"},
    ),
    Case("GET", f"{R}/pulls/{{pull_number}}", f"{R}/pulls/{{pull}}", 200),
    Case("GET", f"{R}/pulls/{{pull_number}}", f"{R}/pulls/999", 404),
    Case(
        "GET", f"{R}/pulls/{{pull_number}}/commits", f"{R}/pulls/{{pull}}/commits", 200
    ),
    Case("GET", f"{R}/pulls/{{pull_number}}/files", f"{R}/pulls/{{pull}}/files", 200),
    Case(
        "GET", f"{R}/pulls/{{pull_number}}/reviews", f"{R}/pulls/{{pull}}/reviews", 200
    ),
    Case(
        "POST",
        f"{R}/pulls/{{pull_number}}/requested_reviewers",
        f"{R}/pulls/{{pull}}/requested_reviewers",
        201,
        {"reviewers": ["carol"], "team_reviewers": ["payments"]},
    ),
    Case(
        "POST",
        f"{R}/pulls/{{pull_number}}/requested_reviewers",
        f"{R}/pulls/{{pull}}/requested_reviewers",
        422,
        {"reviewers": ["alice"]},
    ),
    Case(
        "GET",
        f"{R}/pulls/{{pull_number}}/requested_reviewers",
        f"{R}/pulls/{{pull}}/requested_reviewers",
        200,
    ),
    Case(
        "GET",
        f"{R}/actions/workflows/{{workflow_id}}",
        f"{R}/actions/workflows/provision.yml",
        200,
    ),
    Case(
        "POST",
        f"{R}/actions/workflows/{{workflow_id}}/dispatches",
        f"{R}/actions/workflows/provision.yml/dispatches",
        204,
        {"ref": "main", "inputs": {"size": "small"}},
    ),
    Case("GET", f"{R}/actions/runs", f"{R}/actions/runs", 200),
    Case("GET", f"{R}/actions/runs/{{run_id}}", f"{R}/actions/runs/{{run}}", 200),
    Case(
        "GET",
        f"{R}/actions/workflows/{{workflow_id}}/runs",
        f"{R}/actions/workflows/provision.yml/runs",
        200,
    ),
    Case(
        "DELETE",
        f"{R}/issues/comments/{{comment_id}}",
        f"{R}/issues/comments/{{comment}}",
        204,
    ),
]


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str):
        return value.format(owner="acme", repo="platform-requests", **ids)
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    return value


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_answer_fits_githubs_description(
    world: World, github_openapi: dict[str, Any], case: Case
) -> None:
    ids = world.ids | {"unique": uuid.uuid4().hex[:12]}
    body = _fill(case.body, ids)
    if body is not None and case.status < 400:
        check_request(github_openapi, case.method, case.template, body)

    answer = httpx.request(
        case.method,
        world.github.url + _fill(case.path, ids),
        json=body,
        headers=world.headers[case.auth],
    )

    assert answer.status_code == case.status, answer.text
    shown = answer.json() if answer.content else None
    check_response(github_openapi, case.method, case.template, case.status, shown)


def test_the_cases_cover_every_operation_of_the_subset(
    github_openapi: dict[str, Any],
) -> None:
    documented = {
        (method.upper(), path)
        for path, item in github_openapi["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }

    covered = {(case.method, case.template) for case in CASES}

    assert documented - covered == set()


def test_codeowners_errors_name_unknown_owners(world: World) -> None:
    answer = httpx.get(
        f"{world.github.url}/repos/{REPO}/codeowners/errors",
        headers=world.headers["app"],
    )

    [error] = answer.json()["errors"]
    assert (error["line"], error["kind"], error["path"]) == (
        1,
        "Unknown owner",
        ".github/CODEOWNERS",
    )
    assert "@ghost" in error["message"]
