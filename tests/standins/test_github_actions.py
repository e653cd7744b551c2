"""The GitHub Actions stand-in, checked against GitHub's OpenAPI description."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jsonschema
import pytest

from openapi_check import check_request, check_response
from pao.standins import GithubActionsStandin, RestTarget, WorkflowInput

TOKEN = "ghs_standin"
SECRET = "github-hook-secret"
REPO = "acme/runner-fleet"
DISPATCHES = "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches"
RUNS = "/repos/{owner}/{repo}/actions/runs"
RUN = "/repos/{owner}/{repo}/actions/runs/{run_id}"
WORKFLOW = "/repos/{owner}/{repo}/actions/workflows/{workflow_id}"
WORKFLOW_RUNS = "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs"


@pytest.fixture(scope="module")
def _served() -> Iterator[GithubActionsStandin]:
    github = GithubActionsStandin(token=TOKEN, step_seconds=0.02, webhook_secret=SECRET)
    github.add_repo(REPO, branches=("main", "release"), tags=("v1.0.0",))
    github.add_workflow(
        REPO,
        "provision.yml",
        name="Provision",
        run_name="Provision ${{ inputs.correlation_id }}",
        inputs={
            "correlation_id": WorkflowInput(required=True),
            "size": WorkflowInput(default="small", options=("small", "large")),
        },
    )
    github.add_workflow(REPO, "broken.yml", name="Broken", conclusion="failure")
    github.add_workflow(REPO, "ci.yml", name="CI", dispatchable=False)
    with github.serve():
        yield github


@pytest.fixture
def github(_served: GithubActionsStandin, receiver: RestTarget) -> GithubActionsStandin:
    _served.faults.clear()
    _served.webhook_url = receiver.url + "/hooks/github"
    return _served


@pytest.fixture
def api(github: GithubActionsStandin) -> Iterator[httpx.Client]:
    headers = {
        "Authorization": f"Bearer {TOKEN}",
        "Accept": "application/vnd.github+json",
    }
    with httpx.Client(base_url=github.url, headers=headers) as client:
        yield client


def dispatch(api: httpx.Client, workflow: str, body: dict[str, Any]) -> httpx.Response:
    return api.post(f"/repos/{REPO}/actions/workflows/{workflow}/dispatches", json=body)


def find_run(api: httpx.Client, correlation_id: str) -> dict[str, Any]:
    runs = api.get(f"/repos/{REPO}/actions/runs", params={"event": "workflow_dispatch"})
    matching: list[dict[str, Any]] = [
        run
        for run in runs.json()["workflow_runs"]
        if correlation_id in run["display_title"]
    ]
    assert len(matching) == 1
    return matching[0]


def wait_completed(api: httpx.Client, run_id: int) -> dict[str, Any]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        run: dict[str, Any] = api.get(f"/repos/{REPO}/actions/runs/{run_id}").json()
        if run["status"] == "completed":
            return run
        time.sleep(0.02)
    raise AssertionError(f"run {run_id} did not complete")


def test_dispatch_answers_204_without_a_body(
    api: httpx.Client, github_openapi: dict[str, Any]
) -> None:
    body = {"ref": "main", "inputs": {"correlation_id": "req-204"}}
    check_request(github_openapi, "post", DISPATCHES, body)

    answer = dispatch(api, "provision.yml", body)

    assert answer.status_code == 204
    assert answer.content == b""
    check_response(github_openapi, "post", DISPATCHES, 204, None)


def test_dispatched_run_carries_the_correlation_id_and_completes(
    api: httpx.Client, github_openapi: dict[str, Any]
) -> None:
    dispatch(
        api, "provision.yml", {"ref": "release", "inputs": {"correlation_id": "req-7"}}
    )

    run = find_run(api, "req-7")
    done = wait_completed(api, run["id"])

    assert run["display_title"] == "Provision req-7"
    assert (run["name"], run["event"], run["head_branch"]) == (
        "Provision",
        "workflow_dispatch",
        "release",
    )
    assert run["html_url"].endswith(f"/{REPO}/actions/runs/{run['id']}")
    assert done["conclusion"] == "success"
    check_response(github_openapi, "get", RUN, 200, done)


def test_scripted_failure_concludes_the_run_as_failure(api: httpx.Client) -> None:
    dispatch(api, "broken.yml", {"ref": "main"})
    runs = api.get(f"/repos/{REPO}/actions/workflows/broken.yml/runs").json()

    done = wait_completed(api, runs["workflow_runs"][0]["id"])

    assert done["display_title"] == "Broken"
    assert done["conclusion"] == "failure"


@pytest.mark.parametrize(
    ("workflow", "body", "status", "message"),
    [
        ("provision.yml", {"inputs": {}}, 422, '"ref" wasn\'t supplied'),
        ("provision.yml", {"ref": "nope"}, 422, "No ref found for: nope"),
        ("provision.yml", {"ref": "main"}, 422, "Required input 'correlation_id'"),
        (
            "provision.yml",
            {"ref": "main", "inputs": {"correlation_id": "a", "extra": "b"}},
            422,
            'Unexpected inputs provided: ["extra"]',
        ),
        (
            "provision.yml",
            {"ref": "main", "inputs": {"correlation_id": 5}},
            422,
            "is not a string",
        ),
        (
            "provision.yml",
            {"ref": "main", "inputs": {"correlation_id": "a", "size": "huge"}},
            422,
            "not in the list of allowed values",
        ),
        ("ci.yml", {"ref": "main"}, 422, "does not have 'workflow_dispatch' trigger"),
        ("missing.yml", {"ref": "main"}, 404, "Not Found"),
    ],
)
def test_bad_dispatches_are_refused_like_github(
    api: httpx.Client, workflow: str, body: dict[str, Any], status: int, message: str
) -> None:
    answer = dispatch(api, workflow, body)

    assert answer.status_code == status
    assert message in answer.json()["message"]
    assert answer.json()["documentation_url"].startswith("https://docs.github.com/")


def test_more_inputs_than_allowed_are_refused(api: httpx.Client) -> None:
    inputs = {f"input{i}": "x" for i in range(26)}

    answer = dispatch(api, "provision.yml", {"ref": "main", "inputs": inputs})

    assert answer.status_code == 422
    assert "No more than 25 properties" in answer.json()["message"]


def test_tag_refs_can_be_dispatched(api: httpx.Client) -> None:
    answer = dispatch(api, "broken.yml", {"ref": "refs/tags/v1.0.0"})

    assert answer.status_code == 204


def test_runs_are_filtered_by_created_branch_and_status(
    api: httpx.Client, github_openapi: dict[str, Any]
) -> None:
    before = (datetime.now(UTC) - timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    dispatch(
        api, "provision.yml", {"ref": "main", "inputs": {"correlation_id": "req-f"}}
    )
    path = f"/repos/{REPO}/actions/runs"

    recent = api.get(path, params={"created": f">={before}", "branch": "main"}).json()
    future = api.get(path, params={"created": ">=2999-01-01"}).json()
    queued_or_not = api.get(path, params={"status": "completed"}).json()
    bad = api.get(path, params={"created": "yesterday"})

    assert "Provision req-f" in [r["display_title"] for r in recent["workflow_runs"]]
    assert recent["total_count"] == len(recent["workflow_runs"])
    assert future == {"total_count": 0, "workflow_runs": []}
    assert all(r["status"] == "completed" for r in queued_or_not["workflow_runs"])
    assert bad.status_code == 422
    check_response(github_openapi, "get", RUNS, 200, recent)


def test_run_lists_are_paginated_with_link_headers(api: httpx.Client) -> None:
    for number in range(3):
        dispatch(
            api,
            "provision.yml",
            {"ref": "main", "inputs": {"correlation_id": f"p{number}"}},
        )

    first = api.get(f"/repos/{REPO}/actions/runs", params={"per_page": 2})
    second = api.get(f"/repos/{REPO}/actions/runs", params={"per_page": 2, "page": 2})

    assert len(first.json()["workflow_runs"]) == 2
    assert 'rel="next"' in first.headers["link"]
    assert 'rel="prev"' in second.headers["link"]
    first_ids = {r["id"] for r in first.json()["workflow_runs"]}
    assert first_ids.isdisjoint(r["id"] for r in second.json()["workflow_runs"])


def test_workflow_and_its_runs_match_the_description(
    api: httpx.Client, github_openapi: dict[str, Any]
) -> None:
    workflow = api.get(f"/repos/{REPO}/actions/workflows/provision.yml").json()
    by_id = api.get(f"/repos/{REPO}/actions/workflows/{workflow['id']}/runs").json()

    assert workflow["path"] == ".github/workflows/provision.yml"
    check_response(github_openapi, "get", WORKFLOW, 200, workflow)
    check_response(github_openapi, "get", WORKFLOW_RUNS, 200, by_id)


def test_openapi_check_rejects_a_run_missing_required_fields(
    github_openapi: dict[str, Any],
) -> None:
    with pytest.raises(jsonschema.ValidationError):
        check_response(github_openapi, "get", RUN, 200, {"id": 1, "status": "queued"})


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Requires authentication"),
        ({"Authorization": "Bearer wrong"}, "Bad credentials"),
    ],
)
def test_requests_need_the_token(
    github: GithubActionsStandin, headers: dict[str, str], message: str
) -> None:
    answer = httpx.get(f"{github.url}/repos/{REPO}/actions/runs", headers=headers)

    assert answer.status_code == 401
    assert answer.json()["message"] == message


def test_unknown_repo_and_run_are_404(api: httpx.Client) -> None:
    assert api.get("/repos/acme/nope/actions/runs").status_code == 404
    assert api.get(f"/repos/{REPO}/actions/runs/1").status_code == 404


def test_workflow_run_webhooks_follow_the_run_and_are_signed(
    api: httpx.Client, receiver: RestTarget, github_openapi: dict[str, Any]
) -> None:
    dispatch(
        api, "provision.yml", {"ref": "main", "inputs": {"correlation_id": "req-hook"}}
    )
    run = find_run(api, "req-hook")
    wait_completed(api, run["id"])
    time.sleep(0.1)

    hooks = [
        hook
        for hook in receiver.state.webhooks
        if hook.json["workflow_run"]["id"] == run["id"]
    ]
    assert [hook.json["action"] for hook in hooks] == [
        "requested",
        "in_progress",
        "completed",
    ]
    for hook in hooks:
        digest = hmac.new(SECRET.encode(), hook.body, hashlib.sha256).hexdigest()
        assert hook.headers["x-hub-signature-256"] == f"sha256={digest}"
        assert hook.headers["x-github-event"] == "workflow_run"
        assert hook.headers["x-github-delivery"]
    completed = hooks[-1].json
    assert completed["workflow_run"]["conclusion"] == "success"
    assert completed["workflow_run"]["display_title"] == "Provision req-hook"
    assert completed["workflow"]["path"] == ".github/workflows/provision.yml"
    assert completed["repository"]["full_name"] == REPO
    assert set(completed) >= {
        "action",
        "workflow_run",
        "workflow",
        "repository",
        "sender",
    }
    check_response(github_openapi, "get", RUN, 200, completed["workflow_run"])


def test_webhook_payload_has_the_fields_of_githubs_example(
    api: httpx.Client, receiver: RestTarget, fixtures_dir: Path
) -> None:
    example_path = fixtures_dir / "github-webhooks/workflow_run/completed.payload.json"
    if not example_path.is_file():
        pytest.skip(f"webhook example not found at {example_path}")
    example = json.loads(example_path.read_text())
    dispatch(
        api, "provision.yml", {"ref": "main", "inputs": {"correlation_id": "req-ex"}}
    )
    run = find_run(api, "req-ex")
    wait_completed(api, run["id"])
    time.sleep(0.1)

    [ours] = [
        h.json
        for h in receiver.state.webhooks
        if h.json["workflow_run"]["id"] == run["id"] and h.json["action"] == "completed"
    ]

    assert set(example) <= set(ours)
    assert set(example["workflow_run"]) <= set(ours["workflow_run"])
    assert set(example["workflow"]) <= set(ours["workflow"])
    assert set(example["repository"]) <= set(ours["repository"])
    assert set(example["sender"]) <= set(ours["sender"])
