"""github-workflow actions against the GitHub Actions stand-in."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pytest

from actions.scripted import Reply, ScriptedTarget
from openapi_check import check_request, load_openapi
from pao.actions import (
    ActionAuthError,
    ActionContext,
    ActionResult,
    PermanentActionError,
    TransientActionError,
    Waiting,
)
from pao.actions.github_workflow import GithubWorkflowExecutor, input_text
from pao.actions.http import HttpSender
from pao.actions.vendor_config import GitHubConfig
from pao.standins import GithubActionsStandin, WorkflowInput

TOKEN = "ghs-installation-token-51c2"
REPO = "acme/runner-fleet"
RUN_NAME = "Provision ${{ inputs.size }} (${{ inputs.correlation_id }})"
DISPATCH = "/repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches"
Ctx = Callable[..., ActionContext]


@pytest.fixture(scope="module")
def _served() -> Iterator[GithubActionsStandin]:
    standin = GithubActionsStandin(token=TOKEN, step_seconds=None)
    standin.add_repo(REPO, branches=("main", "release"))
    with standin.serve():
        yield standin


@pytest.fixture
def gh(_served: GithubActionsStandin) -> GithubActionsStandin:
    _served.faults.clear()
    _served.requests.clear()
    return _served


def make_executor(
    gh: GithubActionsStandin, sender: HttpSender, **kwargs: Any
) -> GithubWorkflowExecutor:
    token = kwargs.pop("token", TOKEN)
    config = GitHubConfig(api_url=gh.url, token=lambda: token)
    kwargs.setdefault("discovery_interval", 0.01)
    return GithubWorkflowExecutor(config, sender=sender, **kwargs)


@pytest.fixture
def executor(gh: GithubActionsStandin, sender: HttpSender) -> GithubWorkflowExecutor:
    return make_executor(gh, sender)


def workflow(
    gh: GithubActionsStandin,
    *,
    run_name: str | None = RUN_NAME,
    correlation: bool = True,
    conclusion: Any = "success",
) -> str:
    inputs = {name: WorkflowInput() for name in ("size", "debug", "replicas", "tags")}
    if correlation:
        inputs["correlation_id"] = WorkflowInput()
    file_name = f"provision-{uuid.uuid4().hex[:6]}.yml"
    gh.add_workflow(
        REPO, file_name, run_name=run_name, inputs=inputs, conclusion=conclusion
    )
    return file_name


def config(file_name: str, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "repository": REPO,
        "workflow": file_name,
        "ref": "main",
        "inputs": {"size": "large", "debug": True, "replicas": 3, "tags": ["a", "b"]},
    }
    fields.update(overrides)
    return fields


def fresh(make_ctx: Ctx, **overrides: Any) -> ActionContext:
    return make_ctx(idempotency_key=f"pao-{uuid.uuid4()}-provision-1", **overrides)


def runs_of(gh: GithubActionsStandin, file_name: str) -> list[Any]:
    return [r for r in gh.runs() if r.workflow.file_name == file_name]


def test_dispatches_finds_the_run_and_waits_for_success(
    gh: GithubActionsStandin,
    executor: GithubWorkflowExecutor,
    make_ctx: Ctx,
    fixtures_dir: Path,
) -> None:
    file_name = workflow(gh)
    ctx = fresh(make_ctx)

    result = executor.execute(config(file_name), ctx)

    (run,) = runs_of(gh, file_name)
    assert run.inputs == {
        "size": "large",
        "debug": "true",
        "replicas": "3",
        "tags": '["a","b"]',
        "correlation_id": ctx.idempotency_key,
    }
    url = f"{gh.url}/{REPO}/actions/runs/{run.id}"
    assert result.outputs == {"runId": run.id, "runUrl": url}
    assert result.waiting is not None
    waiting = Waiting.from_dict(result.waiting.to_dict())
    assert waiting.kind == "workflow-run"
    assert dict(waiting.ref) == {"repository": REPO, "run_id": run.id, "run_url": url}
    (sent,) = gh.requests.matching("POST", "dispatches$")
    assert sent.headers["accept"] == "application/vnd.github+json"
    assert sent.headers["x-github-api-version"] == "2022-11-28"
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    check_request(load_openapi(fixtures_dir), "POST", DISPATCH, sent.json)
    assert isinstance(executor.poll(waiting, ctx), Waiting)

    gh.advance(run.id, steps=2)
    done = executor.poll(waiting, ctx)

    assert isinstance(done, ActionResult)
    assert done.outputs == {"runId": run.id, "runUrl": url, "conclusion": "success"}


@pytest.mark.parametrize("conclusion", ["failure", "cancelled", "timed_out"])
def test_an_unsuccessful_run_fails_with_its_url(
    gh: GithubActionsStandin,
    executor: GithubWorkflowExecutor,
    make_ctx: Ctx,
    conclusion: str,
) -> None:
    file_name = workflow(gh, conclusion=conclusion)
    ctx = fresh(make_ctx)
    waiting = executor.execute(config(file_name), ctx).waiting
    assert waiting is not None
    gh.advance(int(waiting.ref["run_id"]), steps=2)

    with pytest.raises(PermanentActionError) as caught:
        executor.poll(waiting, ctx)

    assert str(caught.value) == (
        f"workflow run {waiting.ref['run_url']} completed with conclusion {conclusion}"
    )


def test_repeated_execute_starts_one_run(
    gh: GithubActionsStandin, executor: GithubWorkflowExecutor, make_ctx: Ctx
) -> None:
    file_name = workflow(gh)
    ctx = fresh(make_ctx)

    first = executor.execute(config(file_name), ctx)
    second = executor.execute(config(file_name), ctx)
    found = executor.find_existing(config(file_name), ctx)
    missing = executor.find_existing(config(file_name), fresh(make_ctx))

    assert second.outputs == first.outputs
    assert found is not None
    assert found.outputs == first.outputs
    assert missing is None
    assert len(runs_of(gh, file_name)) == 1


def test_a_lost_dispatch_answer_is_not_sent_again(
    gh: GithubActionsStandin, executor: GithubWorkflowExecutor, make_ctx: Ctx
) -> None:
    file_name = workflow(gh)
    gh.drop_next(after_effect=True, method="POST", path="dispatches$")

    result = executor.execute(config(file_name), fresh(make_ctx))

    assert result.attempts == 2
    assert len(runs_of(gh, file_name)) == 1
    assert len(gh.requests.matching("POST", "dispatches$")) == 1


def test_a_workflow_without_the_correlation_input_is_explained(
    gh: GithubActionsStandin, executor: GithubWorkflowExecutor, make_ctx: Ctx
) -> None:
    file_name = workflow(gh, correlation=False)

    with pytest.raises(PermanentActionError) as caught:
        executor.execute(config(file_name), fresh(make_ctx))

    message = str(caught.value)
    assert "(422 Unprocessable Entity): Unexpected inputs provided" in message
    assert "must declare the input 'correlation_id'" in message
    assert caught.value.attempts == 1


def test_a_run_that_never_shows_its_correlation_fails_later(
    gh: GithubActionsStandin, sender: HttpSender, make_ctx: Ctx
) -> None:
    file_name = workflow(gh, run_name=None)
    now = [datetime.now(UTC)]
    executor = make_executor(gh, sender, discovery_tries=2, clock=lambda: now[0])
    ctx = fresh(make_ctx)

    result = executor.execute(config(file_name), ctx)
    assert result.waiting is not None
    early = executor.poll(result.waiting, ctx)
    now[0] += timedelta(hours=1)

    with pytest.raises(PermanentActionError) as caught:
        executor.poll(result.waiting, ctx)

    assert result.waiting.ref["run_id"] is None
    assert isinstance(early, Waiting)
    assert "give the workflow a run-name that shows its correlation input" in str(
        caught.value
    )
    assert len(runs_of(gh, file_name)) == 1


def test_a_run_listed_late_is_found_by_the_poll(
    gh: GithubActionsStandin, sender: HttpSender, make_ctx: Ctx
) -> None:
    file_name = workflow(gh)
    executor = make_executor(gh, sender, discovery_tries=1)
    ctx = fresh(make_ctx)
    # The first two listings (before and right after the dispatch) miss it.
    empty = b'{"total_count": 0, "workflow_runs": []}'
    gh.fail_next(200, count=2, body=empty, method="GET", path="runs$")

    result = executor.execute(config(file_name), ctx)
    assert result.waiting is not None
    answer = executor.poll(result.waiting, ctx)

    (run,) = runs_of(gh, file_name)
    assert isinstance(answer, Waiting)
    assert answer.ref["run_id"] == run.id


def test_bad_token_fails_at_once_without_showing_it(
    gh: GithubActionsStandin, sender: HttpSender, make_ctx: Ctx
) -> None:
    executor = make_executor(gh, sender, token="ghp-wrong-token")

    with pytest.raises(ActionAuthError) as caught:
        executor.execute(config(workflow(gh)), fresh(make_ctx))

    message = str(caught.value)
    assert "GitHub rejected pao's credentials" in message
    assert "Bad credentials" in message
    assert "ghp-wrong-token" not in message + repr(caught.value)


def test_a_secondary_rate_limit_is_waited_out(
    gh: GithubActionsStandin, executor: GithubWorkflowExecutor, make_ctx: Ctx
) -> None:
    file_name = workflow(gh)
    gh.fail_next(403, retry_after=0.1, method="POST", path="dispatches$")

    result = executor.execute(config(file_name), fresh(make_ctx))

    assert result.attempts == 2
    assert len(runs_of(gh, file_name)) == 1


def test_forbidden_without_rate_limit_is_an_auth_failure(
    gh: GithubActionsStandin, executor: GithubWorkflowExecutor, make_ctx: Ctx
) -> None:
    gh.fail_next(403, method="POST", path="dispatches$")

    with pytest.raises(ActionAuthError, match="GitHub refused access"):
        executor.execute(config(workflow(gh)), fresh(make_ctx))


def test_an_unknown_workflow_is_named(
    gh: GithubActionsStandin, executor: GithubWorkflowExecutor, make_ctx: Ctx
) -> None:
    with pytest.raises(PermanentActionError) as caught:
        executor.execute(config("nope.yml"), fresh(make_ctx))

    assert "could not list runs of nope.yml in acme/runner-fleet (404 Not Found)" in (
        str(caught.value)
    )


def test_an_outage_ends_after_the_attempts_allowed(
    gh: GithubActionsStandin, executor: GithubWorkflowExecutor, make_ctx: Ctx
) -> None:
    file_name = workflow(gh)
    gh.fail_next(502, count=10)

    with pytest.raises(TransientActionError) as caught:
        executor.execute(config(file_name), fresh(make_ctx))

    assert caught.value.attempts == 3
    assert runs_of(gh, file_name) == []


def test_enterprise_api_root_is_used(
    target: ScriptedTarget, sender: HttpSender, make_ctx: Ctx
) -> None:
    ctx = fresh(make_ctx)
    runs = {
        "total_count": 1,
        "workflow_runs": [
            {
                "id": 7,
                "html_url": "https://ghe/r/7",
                "display_title": ctx.idempotency_key,
            }
        ],
    }
    path = "/api/v3/repos/acme/x/actions/workflows/w.yml/runs"
    target.script(path, Reply(json=runs))
    config_ = GitHubConfig(api_url=target.url + "/api/v3/", token=lambda: TOKEN)
    executor = GithubWorkflowExecutor(config_, sender=sender)

    found = executor.find_existing(
        {"repository": "acme/x", "workflow": "w.yml", "ref": "refs/heads/dev"}, ctx
    )

    assert found is not None
    assert found.outputs == {"runId": 7, "runUrl": "https://ghe/r/7"}
    (seen,) = target.requests_to(path)
    query = parse_qs(seen.query)
    assert query["event"] == ["workflow_dispatch"]
    assert query["branch"] == ["dev"]
    assert query["created"][0].startswith(">=")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        ("x", "x"),
        (True, "true"),
        (False, "false"),
        (3, "3"),
        (1.5, "1.5"),
        (None, ""),
        ([1, "a"], '[1,"a"]'),
        ({"k": "v"}, '{"k":"v"}'),
    ],
)
def test_inputs_become_strings(value: Any, text: str) -> None:
    assert input_text(value) == text


def test_validate_config(executor: GithubWorkflowExecutor) -> None:
    assert executor.validate_config(
        {"repository": "acme", "workflow": 12, "ref": "main"}
    ) == [
        (
            ("repository",),
            "String should match pattern '^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$'",
        )
    ]
    assert executor.validate_config(
        {"repository": "a/b", "workflow": "w", "reff": "x"}
    ) == [
        (("ref",), "required key is missing"),
        (("reff",), "unknown key"),
    ]
    assert (
        executor.validate_config(
            {"repository": "{{fields.repo}}", "workflow": "w.yml", "ref": "main"}
        )
        == []
    )
