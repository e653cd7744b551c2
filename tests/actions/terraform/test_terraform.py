"""terraform actions against the Terraform Cloud stand-in."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from types import MappingProxyType
from typing import Any

import pytest

from pao.actions import (
    ActionAuthError,
    ActionContext,
    ActionResult,
    PermanentActionError,
    TransientActionError,
    Waiting,
)
from pao.actions.http import HttpSender
from pao.actions.terraform import TerraformExecutor, encode_value
from pao.actions.vendor_config import TerraformConfig
from pao.standins import TerraformStandin, TfOutput

TOKEN = "tfc-team-token-7e1d"
Ctx = Callable[..., ActionContext]


@pytest.fixture(scope="module")
def _served() -> Iterator[TerraformStandin]:
    standin = TerraformStandin(token=TOKEN, organization="acme", step_seconds=None)
    with standin.serve():
        yield standin


@pytest.fixture
def tfc(_served: TerraformStandin) -> TerraformStandin:
    _served.faults.clear()
    _served.requests.clear()
    return _served


def settings(tfc: TerraformStandin, **overrides: Any) -> TerraformConfig:
    fields: dict[str, Any] = {
        "url": tfc.url,
        "organization": "acme",
        "token": lambda: TOKEN,
        "repositories": MappingProxyType({"acme/dns-infra": "dns-mapped"}),
    }
    fields.update(overrides)
    return TerraformConfig(**fields)


@pytest.fixture
def executor(tfc: TerraformStandin, sender: HttpSender) -> TerraformExecutor:
    return TerraformExecutor(settings(tfc), sender=sender)


def workspace(tfc: TerraformStandin, **kwargs: Any) -> str:
    name = f"ws-{uuid.uuid4().hex[:8]}"
    tfc.add_workspace(name, **kwargs)
    return name


def fresh(make_ctx: Ctx, **overrides: Any) -> ActionContext:
    return make_ctx(idempotency_key=f"pao-{uuid.uuid4()}-apply-1", **overrides)


def started(
    executor: TerraformExecutor, config: dict[str, Any], ctx: ActionContext
) -> Waiting:
    result = executor.execute(config, ctx)
    assert result.waiting is not None
    return Waiting.from_dict(result.waiting.to_dict())


def finish(tfc: TerraformStandin, waiting: Waiting) -> None:
    tfc.advance(str(waiting.ref["run_id"]), steps=20)


def test_sets_variables_runs_and_reads_outputs(
    tfc: TerraformStandin, executor: TerraformExecutor, make_ctx: Ctx
) -> None:
    name = workspace(
        tfc,
        outputs={
            "fqdn": TfOutput("{record_name}.acme.example"),
            "api_key": TfOutput("generated-key", sensitive=True),
        },
    )
    config = {
        "workspace": name,
        "variables": {
            "record_name": {"value": "orders"},
            "dns_key": {"value": "dns-secret-value", "sensitive": True},
            "tags": {"value": ["a", "b"], "hcl": True},
            "replicas": {"value": 3},
            "AWS_REGION": {"value": "eu-west-1", "category": "env"},
        },
        "message": "pao orders-db",
        "autoApply": True,
    }
    ctx = fresh(make_ctx)

    result = executor.execute(config, ctx)

    assert result.waiting is not None
    waiting = result.waiting
    run_id = waiting.ref["run_id"]
    assert waiting.kind == "terraform-run"
    assert waiting.ref["workspace_id"] == tfc.workspace(name).id
    run_url = f"{tfc.url}/app/acme/workspaces/{name}/runs/{run_id}"
    assert result.outputs == {"runId": run_id, "runUrl": run_url, "status": "pending"}
    variables = {v.key: v for v in tfc.workspace(name).vars.values()}
    assert variables["record_name"].value == "orders"
    assert variables["dns_key"].sensitive
    assert (variables["tags"].value, variables["tags"].hcl) == ('["a","b"]', True)
    assert variables["replicas"].value == "3"
    assert variables["AWS_REGION"].category == "env"
    run = tfc.state.runs[run_id]
    assert run.message == f"pao orders-db [{ctx.idempotency_key}]"
    assert run.auto_apply is True
    assert isinstance(executor.poll(waiting, ctx), Waiting)

    finish(tfc, waiting)
    done = executor.poll(waiting, ctx)

    assert isinstance(done, ActionResult)
    assert done.outputs == {
        "fqdn": "orders.acme.example",
        "api_key": "***",
        "runId": run_id,
        "runUrl": run_url,
        "status": "applied",
    }


def test_existing_variables_are_updated_by_key(
    tfc: TerraformStandin, executor: TerraformExecutor, make_ctx: Ctx
) -> None:
    name = workspace(tfc)
    for value in ("first", "second"):
        config = {"workspace": name, "variables": {"size": {"value": value}}}
        finish(tfc, started(executor, config, fresh(make_ctx)))

    (variable,) = tfc.workspace(name).vars.values()
    assert variable.value == "second"


def test_repository_mapping_and_vcs_lookup(
    tfc: TerraformStandin, executor: TerraformExecutor, make_ctx: Ctx
) -> None:
    if not any(w.name == "dns-mapped" for w in tfc.state.workspaces.values()):
        tfc.add_workspace("dns-mapped")
    vcs_repo = f"acme/net-{uuid.uuid4().hex[:6]}"
    by_vcs = workspace(tfc, vcs_repo=vcs_repo)

    mapped = executor.execute({"repository": "ACME/dns-infra"}, fresh(make_ctx))
    found = executor.execute({"repository": vcs_repo}, fresh(make_ctx))

    assert mapped.external_ref["workspace"] == "dns-mapped"
    assert found.external_ref["workspace"] == by_vcs


def test_repository_lookups_that_cannot_decide_fail(
    tfc: TerraformStandin, executor: TerraformExecutor, make_ctx: Ctx
) -> None:
    shared = f"acme/shared-{uuid.uuid4().hex[:6]}"
    workspace(tfc, vcs_repo=shared)
    workspace(tfc, vcs_repo=shared)

    with pytest.raises(PermanentActionError, match="several workspaces run"):
        executor.execute({"repository": shared}, fresh(make_ctx))
    with pytest.raises(
        PermanentActionError, match=r"map it under terraform\.repositories"
    ):
        executor.execute({"repository": "acme/nothing"}, fresh(make_ctx))


@pytest.mark.parametrize(
    "outcome", ["errored", "discarded", "canceled", "policy_soft_failed"]
)
def test_failed_runs_fail_with_state_and_url(
    tfc: TerraformStandin, executor: TerraformExecutor, make_ctx: Ctx, outcome: Any
) -> None:
    name = workspace(tfc, outcome=outcome)
    ctx = fresh(make_ctx)
    waiting = started(executor, {"workspace": name, "autoApply": True}, ctx)
    finish(tfc, waiting)

    with pytest.raises(PermanentActionError) as caught:
        executor.poll(waiting, ctx)

    run_id = waiting.ref["run_id"]
    assert str(caught.value) == (
        f"Terraform run {run_id} ended as {outcome}:"
        f" {tfc.url}/app/acme/workspaces/{name}/runs/{run_id}"
    )


def test_no_changes_completes_without_outputs(
    tfc: TerraformStandin, executor: TerraformExecutor, make_ctx: Ctx
) -> None:
    name = workspace(tfc, outcome="planned_and_finished")
    ctx = fresh(make_ctx)
    waiting = started(executor, {"workspace": name}, ctx)
    finish(tfc, waiting)

    done = executor.poll(waiting, ctx)

    assert isinstance(done, ActionResult)
    assert done.outputs["status"] == "planned_and_finished"
    assert set(done.outputs) == {"runId", "runUrl", "status"}


def test_a_run_awaiting_confirmation_keeps_waiting(
    tfc: TerraformStandin, executor: TerraformExecutor, make_ctx: Ctx
) -> None:
    name = workspace(tfc)
    ctx = fresh(make_ctx)
    waiting = started(executor, {"workspace": name, "autoApply": False}, ctx)
    finish(tfc, waiting)

    answer = executor.poll(waiting, ctx)

    assert isinstance(answer, Waiting)
    assert "is planned, waiting for its apply to be confirmed" in answer.description


def test_a_run_stuck_in_pending_fails_after_the_timeout(
    tfc: TerraformStandin, sender: HttpSender, make_ctx: Ctx
) -> None:
    later = datetime.now(UTC) + timedelta(seconds=120)
    executor = TerraformExecutor(settings(tfc), sender=sender, clock=lambda: later)
    name = workspace(tfc, outcome="pending")
    waiting = started(executor, {"workspace": name}, fresh(make_ctx))

    patient = executor.poll(waiting, fresh(make_ctx, timeout=300))
    with pytest.raises(PermanentActionError) as caught:
        executor.poll(waiting, fresh(make_ctx, timeout=60))

    assert isinstance(patient, Waiting)
    message = str(caught.value)
    assert f"Terraform run {waiting.ref['run_id']} is stuck in pending" in message
    assert "past the action's timeout of 60s" in message


def test_repeated_execute_starts_one_run(
    tfc: TerraformStandin, executor: TerraformExecutor, make_ctx: Ctx
) -> None:
    name = workspace(tfc)
    ctx = fresh(make_ctx)

    first = executor.execute({"workspace": name}, ctx)
    second = executor.execute({"workspace": name}, ctx)
    found = executor.find_existing({"workspace": name}, ctx)
    missing = executor.find_existing({"workspace": name}, fresh(make_ctx))

    assert second.outputs["runId"] == first.outputs["runId"]
    assert found is not None
    assert found.outputs["runId"] == first.outputs["runId"]
    assert missing is None
    assert len(tfc.state.runs_of(tfc.workspace(name))) == 1


def test_a_lost_run_answer_is_found_not_repeated(
    tfc: TerraformStandin, executor: TerraformExecutor, make_ctx: Ctx
) -> None:
    name = workspace(tfc)
    tfc.drop_next(after_effect=True, method="POST", path=r"^/api/v2/runs$")

    result = executor.execute({"workspace": name}, fresh(make_ctx))

    assert result.attempts == 2
    assert len(tfc.state.runs_of(tfc.workspace(name))) == 1


def test_wrong_token_fails_at_once_without_showing_it(
    tfc: TerraformStandin, sender: HttpSender, make_ctx: Ctx
) -> None:
    executor = TerraformExecutor(
        settings(tfc, token=lambda: "bad-token-1"), sender=sender
    )

    with pytest.raises(ActionAuthError) as caught:
        executor.execute({"workspace": workspace(tfc)}, fresh(make_ctx))

    assert "check terraform.token" in str(caught.value)
    assert "bad-token-1" not in str(caught.value) + repr(caught.value)
    assert caught.value.attempts == 1


def test_unknown_workspace_is_named(
    tfc: TerraformStandin, executor: TerraformExecutor, make_ctx: Ctx
) -> None:
    with pytest.raises(PermanentActionError) as caught:
        executor.execute({"workspace": "nope"}, fresh(make_ctx))

    assert str(caught.value) == (
        "Terraform Cloud could not find workspace 'nope' (404 Not Found): not found"
    )


@pytest.mark.parametrize(
    ("status", "error", "expected"),
    [
        (
            422,
            {
                "status": "422",
                "title": "invalid attribute",
                "detail": "Key has already been taken",
                "source": {"pointer": "/data/attributes/key"},
            },
            "could not create variable 'size' (422 Unprocessable Entity):"
            " key: Key has already been taken",
        ),
        (
            409,
            {"status": "409", "title": "conflict", "detail": "workspace is locked"},
            "(409 Conflict): workspace is locked",
        ),
    ],
)
def test_api_errors_name_the_problem(
    tfc: TerraformStandin,
    executor: TerraformExecutor,
    make_ctx: Ctx,
    status: int,
    error: dict[str, Any],
    expected: str,
) -> None:
    body = json.dumps({"errors": [error]}).encode()
    path = r"/vars$" if status == 422 else r"^/api/v2/runs$"
    tfc.fail_next(status, body=body, method="POST", path=path)
    config = {"workspace": workspace(tfc), "variables": {"size": {"value": "s"}}}

    with pytest.raises(PermanentActionError) as caught:
        executor.execute(config, fresh(make_ctx))

    assert expected in str(caught.value)
    assert caught.value.attempts == 1


def test_rate_limit_then_success(
    tfc: TerraformStandin, executor: TerraformExecutor, make_ctx: Ctx
) -> None:
    tfc.fail_next(429, retry_after=0.1, method="POST", path=r"^/api/v2/runs$")

    result = executor.execute({"workspace": workspace(tfc)}, fresh(make_ctx))

    assert result.attempts == 2


def test_an_outage_ends_after_the_attempts_allowed(
    tfc: TerraformStandin, executor: TerraformExecutor, make_ctx: Ctx
) -> None:
    name = workspace(tfc)
    tfc.fail_next(500, count=10)

    with pytest.raises(TransientActionError) as caught:
        executor.execute({"workspace": name}, fresh(make_ctx))

    assert caught.value.attempts == 3
    assert tfc.state.runs_of(tfc.workspace(name)) == []


def test_a_poll_survives_a_malformed_answer(
    tfc: TerraformStandin, executor: TerraformExecutor, make_ctx: Ctx
) -> None:
    ctx = fresh(make_ctx)
    waiting = started(executor, {"workspace": workspace(tfc), "autoApply": True}, ctx)
    finish(tfc, waiting)
    tfc.malform_next(method="GET", path=r"^/api/v2/runs/")

    done = executor.poll(waiting, ctx)

    assert isinstance(done, ActionResult)
    assert done.attempts == 2


@pytest.mark.parametrize(
    ("value", "hcl", "text"),
    [
        ("plain", False, "plain"),
        (True, False, "true"),
        (3, False, "3"),
        (2.5, True, "2.5"),
        (["a"], False, '["a"]'),
        ({"k": 1}, True, '{"k":1}'),
        (None, True, "null"),
    ],
)
def test_values_are_encoded_as_strings(value: Any, hcl: bool, text: str) -> None:
    assert encode_value(value, hcl=hcl) == text


def test_validate_config(executor: TerraformExecutor) -> None:
    assert executor.validate_config({"workspace": "a", "repository": "b"}) == [
        ((), "set exactly one of workspace and repository")
    ]
    assert executor.validate_config({"workspace": "a", "autoaply": True}) == [
        (("autoaply",), "unknown key")
    ]
    assert (
        executor.validate_config(
            {"workspace": "{{fields.ws}}", "autoApply": "{{fields.apply}}"}
        )
        == []
    )
