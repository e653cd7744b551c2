"""The Terraform Cloud stand-in: JSON:API, runs, outputs, notifications."""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pao.standins import RestTarget, TerraformStandin, TfOutput

TOKEN = "tfc-token"
NOTIFY = "notification-token"
JSON_API = "application/vnd.api+json"


@pytest.fixture(scope="module")
def _served() -> Iterator[TerraformStandin]:
    tfc = TerraformStandin(token=TOKEN, step_seconds=0.02, notification_token=NOTIFY)
    with tfc.serve():
        yield tfc


@pytest.fixture
def tfc(_served: TerraformStandin, receiver: RestTarget) -> TerraformStandin:
    _served.faults.clear()
    _served.step_seconds = 0.02
    _served.notification_url = receiver.url + "/hooks/tfc"
    return _served


@pytest.fixture
def api(tfc: TerraformStandin) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": JSON_API}
    with httpx.Client(base_url=tfc.url + "/api/v2", headers=headers) as client:
        yield client


def _name(request: pytest.FixtureRequest) -> str:
    name: str = request.node.name
    return name.replace("[", "-").replace("]", "")[:60]


def start_run(
    api: httpx.Client, workspace_id: str, **attributes: Any
) -> dict[str, Any]:
    document = {
        "data": {
            "type": "runs",
            "attributes": {"message": "pao req-1", **attributes},
            "relationships": {
                "workspace": {"data": {"type": "workspaces", "id": workspace_id}}
            },
        }
    }
    answer = api.post("/runs", json=document)
    assert answer.status_code == 201, answer.text
    run: dict[str, Any] = answer.json()["data"]
    return run


def wait_for(api: httpx.Client, run_id: str, *statuses: str) -> dict[str, Any]:
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        run: dict[str, Any] = api.get(f"/runs/{run_id}").json()["data"]
        if run["attributes"]["status"] in statuses:
            return run
        time.sleep(0.02)
    raise AssertionError(f"run {run_id} never reached {statuses}")


def test_requests_need_the_bearer_token(tfc: TerraformStandin) -> None:
    answer = httpx.get(tfc.url + "/api/v2/organizations/acme/workspaces")

    assert answer.status_code == 401
    assert answer.json() == {"errors": [{"status": "401", "title": "unauthorized"}]}


def test_workspace_is_shown_by_name_and_found_by_search(
    tfc: TerraformStandin, api: httpx.Client, request: pytest.FixtureRequest
) -> None:
    workspace = tfc.add_workspace(_name(request), vcs_repo="acme/dns-infra")

    shown = api.get(f"/organizations/acme/workspaces/{workspace.name}")
    searched = api.get(
        "/organizations/acme/workspaces", params={"search[name]": "shown_by"}
    )

    assert shown.headers["content-type"] == JSON_API
    data = shown.json()["data"]
    assert (data["id"], data["type"]) == (workspace.id, "workspaces")
    assert data["attributes"]["vcs-repo-identifier"] == "acme/dns-infra"
    assert [w["id"] for w in searched.json()["data"]] == [workspace.id]
    assert searched.json()["meta"]["pagination"]["total-count"] == 1
    assert api.get("/organizations/acme/workspaces/nope").status_code == 404


def _var(key: str, value: str, **attributes: Any) -> dict[str, Any]:
    return {
        "data": {
            "type": "vars",
            "attributes": {"key": key, "value": value, **attributes},
        }
    }


def test_variables_are_created_listed_and_updated(
    tfc: TerraformStandin, api: httpx.Client, request: pytest.FixtureRequest
) -> None:
    ws = tfc.add_workspace(_name(request))
    path = f"/workspaces/{ws.id}/vars"

    plain = api.post(path, json=_var("record", "www", category="terraform"))
    secret = api.post(
        path, json=_var("API_KEY", "s3cr3t", category="env", sensitive=True)
    )
    duplicate = api.post(path, json=_var("record", "x", category="terraform"))
    no_category = api.post(path, json=_var("other", "x"))
    updated = api.patch(
        f"{path}/{plain.json()['data']['id']}",
        json={"data": {"type": "vars", "attributes": {"value": "api"}}},
    )

    assert (plain.status_code, secret.status_code) == (201, 201)
    assert secret.json()["data"]["attributes"]["value"] is None
    assert duplicate.status_code == 422
    assert duplicate.json()["errors"][0]["detail"] == "Key has already been taken"
    assert no_category.status_code == 422
    assert updated.json()["data"]["attributes"]["value"] == "api"
    listed = {
        v["attributes"]["key"]: v["attributes"]["value"]
        for v in api.get(path).json()["data"]
    }
    assert listed == {"record": "api", "API_KEY": None}
    assert "s3cr3t" not in api.get(path).text


def test_writes_need_the_json_api_media_type(
    tfc: TerraformStandin, api: httpx.Client, request: pytest.FixtureRequest
) -> None:
    ws = tfc.add_workspace(_name(request))

    answer = api.post(
        f"/workspaces/{ws.id}/vars",
        json=_var("k", "v", category="env"),
        headers={"Content-Type": "application/json"},
    )

    assert answer.status_code == 415


def test_auto_applied_run_ends_applied_with_outputs(
    tfc: TerraformStandin, api: httpx.Client, request: pytest.FixtureRequest
) -> None:
    outputs = {
        "fqdn": TfOutput("{record}.acme.example"),
        "password": TfOutput("hunter2", sensitive=True),
    }
    ws = tfc.add_workspace(_name(request), outputs=outputs)
    api.post(
        f"/workspaces/{ws.id}/vars", json=_var("record", "www", category="terraform")
    )

    run = start_run(api, ws.id, **{"auto-apply": True})
    done = wait_for(api, run["id"], "applied")

    stamps = done["attributes"]["status-timestamps"]
    assert list(stamps) == [
        "pending-at",
        "plan-queued-at",
        "planning-at",
        "planned-at",
        "apply-queued-at",
        "applying-at",
        "applied-at",
    ]
    listed = api.get(f"/workspaces/{ws.id}/current-state-version-outputs").json()[
        "data"
    ]
    values = {o["attributes"]["name"]: o["attributes"]["value"] for o in listed}
    assert values == {"fqdn": "www.acme.example", "password": None}
    secret_id = next(o["id"] for o in listed if o["attributes"]["sensitive"])
    revealed = api.get(f"/state-version-outputs/{secret_id}").json()["data"]
    assert revealed["attributes"]["value"] == "hunter2"


def test_run_without_auto_apply_waits_for_apply(
    tfc: TerraformStandin, api: httpx.Client, request: pytest.FixtureRequest
) -> None:
    ws = tfc.add_workspace(_name(request))
    run = start_run(api, ws.id)

    planned = wait_for(api, run["id"], "planned")
    time.sleep(0.1)
    still = api.get(f"/runs/{run['id']}").json()["data"]
    applied = api.post(f"/runs/{run['id']}/actions/apply")
    done = wait_for(api, run["id"], "applied")
    again = api.post(f"/runs/{run['id']}/actions/apply")

    assert planned["attributes"]["actions"]["is-confirmable"] is True
    assert still["attributes"]["status"] == "planned"
    assert applied.status_code == 202
    assert done["attributes"]["actions"]["is-confirmable"] is False
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("outcome", "errored_at", "final"),
    [
        ("planned_and_finished", "plan", "planned_and_finished"),
        ("errored", "plan", "errored"),
        ("errored", "apply", "errored"),
        ("canceled", "plan", "canceled"),
        ("discarded", "plan", "discarded"),
        ("policy_soft_failed", "plan", "policy_soft_failed"),
    ],
)
def test_scripted_outcomes_end_runs_in_their_state(
    tfc: TerraformStandin,
    api: httpx.Client,
    request: pytest.FixtureRequest,
    outcome: Any,
    errored_at: str,
    final: str,
) -> None:
    ws = tfc.add_workspace(_name(request), outcome=outcome, errored_at=errored_at)

    run = start_run(api, ws.id, **{"auto-apply": True})
    done = wait_for(api, run["id"], final)

    passed_apply = "applying-at" in done["attributes"]["status-timestamps"]
    assert passed_apply == (errored_at == "apply")


def test_pending_run_stays_pending(
    tfc: TerraformStandin, api: httpx.Client, request: pytest.FixtureRequest
) -> None:
    ws = tfc.add_workspace(_name(request), outcome="pending")

    run = start_run(api, ws.id)
    time.sleep(0.15)

    assert (
        api.get(f"/runs/{run['id']}").json()["data"]["attributes"]["status"]
        == "pending"
    )


def test_manual_stepping_when_time_does_not_move_runs(
    tfc: TerraformStandin, api: httpx.Client, request: pytest.FixtureRequest
) -> None:
    tfc.step_seconds = None
    ws = tfc.add_workspace(_name(request))
    run = start_run(api, ws.id)

    time.sleep(0.1)
    before = api.get(f"/runs/{run['id']}").json()["data"]["attributes"]["status"]
    tfc.advance(run["id"], steps=2)
    after = api.get(f"/runs/{run['id']}").json()["data"]["attributes"]["status"]

    assert (before, after) == ("pending", "planning")


def test_earlier_runs_are_listed_newest_first(
    tfc: TerraformStandin, api: httpx.Client, request: pytest.FixtureRequest
) -> None:
    ws = tfc.add_workspace(_name(request))
    first = start_run(api, ws.id, message="pao req-a")
    second = start_run(api, ws.id, message="pao req-b")

    listed = api.get(f"/workspaces/{ws.id}/runs").json()["data"]

    assert [r["id"] for r in listed] == [second["id"], first["id"]]
    assert listed[1]["attributes"]["message"] == "pao req-a"


def test_notifications_are_sent_and_signed_with_hmac_sha512(
    tfc: TerraformStandin,
    api: httpx.Client,
    receiver: RestTarget,
    request: pytest.FixtureRequest,
) -> None:
    ws = tfc.add_workspace(_name(request))

    run = start_run(api, ws.id, **{"auto-apply": True})
    wait_for(api, run["id"], "applied")
    time.sleep(0.1)

    hooks = [h for h in receiver.state.webhooks if h.json["run_id"] == run["id"]]
    for hook in hooks:
        expected = hmac.new(NOTIFY.encode(), hook.body, hashlib.sha512).hexdigest()
        assert hook.headers["x-tfe-notification-signature"] == expected
    triggers = [h.json["notifications"][0]["trigger"] for h in hooks]
    assert triggers == ["run:created", "run:planning", "run:applying", "run:completed"]
    last = hooks[-1].json
    assert last["payload_version"] == 1
    assert last["workspace_name"] == ws.name
    assert last["notifications"][0]["run_status"] == "applied"


def test_scripted_fault_uses_the_json_api_error_shape(
    tfc: TerraformStandin, api: httpx.Client
) -> None:
    tfc.fail_next(429, retry_after=3, path="^/api/v2/runs/")

    answer = api.get("/runs/run-anything")

    assert answer.status_code == 429
    assert answer.headers["content-type"] == JSON_API
    assert answer.json()["errors"][0]["status"] == "429"
