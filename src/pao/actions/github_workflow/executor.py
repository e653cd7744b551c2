"""The ``github-workflow`` action: dispatch a workflow and wait for its run.

Config (docs/formats.md): ``repository`` (``owner/name``), ``workflow``
(file name or numeric id), ``ref`` (branch or tag), ``inputs`` and
``correlationInput`` (default ``correlation_id``). Input values are sent
as strings: booleans as ``true``/``false``, numbers as their text, lists
and objects as JSON.

GitHub's dispatch answers without a run id. pao adds the run's idempotency
key as the correlation input, and finds the run whose ``display_title``
(or ``name``) holds that key. The workflow must therefore declare the
input and name its runs after it::

    on:
      workflow_dispatch:
        inputs:
          correlation_id: {required: false}
    run-name: "Provision ${{ inputs.size }} (${{ inputs.correlation_id }})"

Before dispatching, the workflow's recent runs are searched for the key,
so a retried or interrupted action finds its run instead of starting
another. The action completes when the run completes with ``success``
(outputs ``runId``, ``runUrl``, ``conclusion``) and fails with any other
conclusion.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from pydantic import Field, JsonValue, model_validator

from pao.actions.attempts import contains_token, rephrase, run_attempts
from pao.actions.configs import ConfigModel, check_config, parse_config
from pao.actions.context import ActionContext
from pao.actions.errors import PermanentActionError, TransientActionError
from pao.actions.executor import ConfigProblem
from pao.actions.github_workflow.client import GitHubActionsClient
from pao.actions.http import HttpSender
from pao.actions.results import ActionResult, Waiting
from pao.actions.vendor_config import GitHubConfig

__all__ = ["GithubWorkflowConfig", "GithubWorkflowExecutor", "input_text"]

# Runs are listed from this long before the dispatch, for clocks that
# disagree with GitHub's.
CLOCK_SLACK = timedelta(minutes=5)


@dataclass
class _Dispatch:
    """Whether one run of the action sent its dispatch, and when."""

    at: datetime | None = None
    confirmed: bool = False


class GithubWorkflowConfig(ConfigModel):
    """A rendered ``github-workflow`` config."""

    repository: str = Field(pattern=r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
    workflow: str = Field(min_length=1)
    ref: str = Field(min_length=1)
    inputs: dict[str, JsonValue] = Field(default_factory=dict)
    correlation_input: str = Field(
        default="correlation_id", alias="correlationInput", min_length=1
    )

    @model_validator(mode="after")
    def _correlation_is_pao_s(self) -> GithubWorkflowConfig:
        if self.correlation_input in self.inputs:
            message = (
                f"inputs.{self.correlation_input} is set by pao (the run's"
                " correlation id); remove it or rename correlationInput"
            )
            raise ValueError(message)
        return self

    @property
    def branch(self) -> str:
        return self.ref.removeprefix("refs/heads/").removeprefix("refs/tags/")


def input_text(value: JsonValue) -> str:
    """*value* as a workflow_dispatch input, which is always a string."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


class GithubWorkflowExecutor:
    """Carries out ``github-workflow`` actions."""

    type_name = "github-workflow"
    supports_lookup = True

    def __init__(
        self,
        config: GitHubConfig,
        *,
        sender: HttpSender | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        lookback: timedelta = timedelta(days=7),
        discovery_tries: int = 5,
        discovery_interval: float = 2.0,
        discovery_timeout: timedelta = timedelta(minutes=15),
    ) -> None:
        self.config = config
        self.client = GitHubActionsClient(config, sender=sender)
        self._clock = clock
        self._lookback = lookback
        self._tries = discovery_tries
        self._interval = discovery_interval
        self._discovery_timeout = discovery_timeout

    def execute(self, config: Mapping[str, Any], ctx: ActionContext) -> ActionResult:
        parsed = parse_config(GithubWorkflowConfig, self.type_name, config)
        since = self._clock() - self._lookback
        sent = _Dispatch()

        def attempt(one: ActionContext) -> dict[str, Any] | None:
            if sent.at is None:
                run = self._find_run(parsed, since, one)
            else:
                # An earlier attempt sent the dispatch: give GitHub time to
                # list its run before deciding it never arrived.
                run = self._discover(parsed, sent.at, one)
            if run is not None or sent.confirmed:
                return run
            sent.at = self._clock()
            self._dispatch(parsed, one)
            sent.confirmed = True
            return self._discover(parsed, sent.at, one)

        run, attempts = run_attempts(ctx, attempt)
        if run is None:
            assert sent.at is not None  # no run and no dispatch cannot end well
            return self._undiscovered(parsed, ctx, sent.at, attempts)
        return self._waiting(parsed.repository, run, attempts)

    def find_existing(
        self, config: Mapping[str, Any], ctx: ActionContext
    ) -> ActionResult | None:
        parsed = parse_config(GithubWorkflowConfig, self.type_name, config)
        since = self._clock() - self._lookback
        run, attempts = run_attempts(
            ctx, lambda one: self._find_run(parsed, since, one)
        )
        return None if run is None else self._waiting(parsed.repository, run, attempts)

    def poll(self, waiting: Waiting, ctx: ActionContext) -> ActionResult | Waiting:
        if waiting.kind != "workflow-run":
            raise PermanentActionError(f"github-workflow cannot poll {waiting.kind!r}")
        try:
            return self._poll_once(waiting, ctx)
        except TransientActionError as exc:
            # GitHub being unreachable for a while does not decide the run:
            # ask again at the next poll.
            ctx.logger.warning("workflow poll failed; waiting on", error=str(exc))
            return replace(waiting, description=f"last poll failed: {exc}")

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        return check_config(GithubWorkflowConfig, config)

    # -- finding the run -------------------------------------------------------

    def _find_run(
        self, parsed: GithubWorkflowConfig, since: datetime, ctx: ActionContext
    ) -> dict[str, Any] | None:
        runs = self.client.workflow_runs(
            parsed.repository,
            parsed.workflow,
            branch=parsed.branch,
            since=since - CLOCK_SLACK,
            ctx=ctx,
        )
        key = ctx.idempotency_key
        for run in runs:
            title = f"{run.get('display_title') or ''} {run.get('name') or ''}"
            if contains_token(title, key):
                return run
        return None

    def _discover(
        self, parsed: GithubWorkflowConfig, moment: datetime, ctx: ActionContext
    ) -> dict[str, Any] | None:
        # GitHub lists a dispatched run after a moment; look a few times.
        for tried in range(1, self._tries + 1):
            run = self._find_run(parsed, moment, ctx)
            if run is not None or tried == self._tries:
                return run
            if ctx.remaining() <= self._interval or ctx.cancel.wait(self._interval):
                return None
        return None

    def _dispatch(self, parsed: GithubWorkflowConfig, ctx: ActionContext) -> None:
        inputs = {name: input_text(value) for name, value in parsed.inputs.items()}
        inputs[parsed.correlation_input] = ctx.idempotency_key
        try:
            self.client.dispatch(
                parsed.repository,
                parsed.workflow,
                ref=parsed.ref,
                inputs=inputs,
                ctx=ctx,
            )
        except PermanentActionError as exc:
            name = parsed.correlation_input
            if exc.status != 422 or f'"{name}"' not in exc.message:
                raise
            hint = (
                f"; the workflow must declare the input {name!r} under"
                f" on.workflow_dispatch.inputs and show it in its run-name,"
                " so that pao can find the run it starts"
            )
            raise rephrase(exc, exc.message + hint) from None

    # -- results ---------------------------------------------------------------

    def _waiting(
        self, repository: str, run: Mapping[str, Any], attempts: int
    ) -> ActionResult:
        run_id = int(run["id"])
        url = str(run.get("html_url") or "")
        waiting = Waiting(
            kind="workflow-run",
            ref={"repository": repository, "run_id": run_id, "run_url": url},
            poll_after_seconds=self.config.poll_interval,
            description=f"waiting for workflow run {url or run_id}",
        )
        return ActionResult(
            outputs={"runId": run_id, "runUrl": url},
            external_ref={"repository": repository, "runId": run_id, "runUrl": url},
            waiting=waiting,
            attempts=attempts,
        )

    def _undiscovered(
        self,
        parsed: GithubWorkflowConfig,
        ctx: ActionContext,
        moment: datetime,
        attempts: int,
    ) -> ActionResult:
        ref = {
            "repository": parsed.repository,
            "run_id": None,
            "workflow": parsed.workflow,
            "branch": parsed.branch,
            "correlation": ctx.idempotency_key,
            "dispatched_at": moment.isoformat(),
        }
        waiting = Waiting(
            kind="workflow-run",
            ref=ref,
            poll_after_seconds=min(self.config.poll_interval, 15.0),
            description="dispatched; waiting for GitHub to list the run",
        )
        return ActionResult(
            outputs={}, external_ref=ref, waiting=waiting, attempts=attempts
        )

    def _poll_once(
        self, waiting: Waiting, ctx: ActionContext
    ) -> ActionResult | Waiting:
        if waiting.ref.get("run_id") is None:
            return self._poll_undiscovered(waiting, ctx)
        repository, run_id = str(waiting.ref["repository"]), int(waiting.ref["run_id"])
        run, attempts = run_attempts(
            ctx, lambda one: self.client.run(repository, run_id, ctx=one)
        )
        url = str(run.get("html_url") or waiting.ref.get("run_url") or "")
        if run.get("status") != "completed":
            status = run.get("status", "unknown")
            return replace(waiting, description=f"workflow run {url} is {status}")
        conclusion = str(run.get("conclusion"))
        if conclusion != "success":
            message = f"workflow run {url} completed with conclusion {conclusion}"
            raise PermanentActionError(message)
        return ActionResult(
            outputs={"runId": run_id, "runUrl": url, "conclusion": conclusion},
            external_ref={"repository": repository, "runId": run_id, "runUrl": url},
            attempts=attempts,
        )

    def _poll_undiscovered(
        self, waiting: Waiting, ctx: ActionContext
    ) -> ActionResult | Waiting:
        ref = waiting.ref
        parsed = GithubWorkflowConfig.model_validate(
            {
                "repository": ref["repository"],
                "workflow": ref["workflow"],
                "ref": ref["branch"],
            }
        )
        moment = datetime.fromisoformat(str(ref["dispatched_at"]))
        ctx = replace(ctx, idempotency_key=str(ref["correlation"]))
        run, attempts = run_attempts(
            ctx, lambda one: self._find_run(parsed, moment, one)
        )
        if run is not None:
            found = self._waiting(parsed.repository, run, attempts).waiting
            assert found is not None
            return self._poll_once(found, ctx)
        if self._clock() - moment < self._discovery_timeout:
            return waiting
        message = (
            f"workflow {parsed.workflow} of {parsed.repository} was dispatched at"
            f" {moment:%Y-%m-%d %H:%M:%S}Z but no run titled with"
            f" {ref['correlation']!r} appeared; give the workflow a run-name that"
            " shows its correlation input"
        )
        raise PermanentActionError(message)
