"""The ``terraform`` action: set a workspace's variables and run it.

Config (docs/formats.md): ``workspace`` or ``repository`` (mapped to a
workspace by ``terraform.repositories`` in the configuration, else the
workspace whose VCS repository it is), ``organization`` (default: the
configured one), ``variables``, ``message``, ``autoApply`` (default: the
workspace's setting) and ``isDestroy``.

The run's message ends with the run's idempotency key in brackets; before
creating a run, the workspace's recent runs are searched for it, so a
retried or interrupted action finds its run instead of queueing another.
The action then waits for the run. ``applied`` and
``planned_and_finished`` complete it, with the workspace's state outputs
(sensitive ones as ``***``) plus ``runId``, ``runUrl`` and ``status``;
:data:`FAILED_STATES` fail it; a run still ``pending`` after the action's
timeout fails as stuck.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from pydantic import Field, model_validator

from pao.actions.attempts import contains_token, run_attempts
from pao.actions.configs import ConfigModel, check_config, parse_config
from pao.actions.context import ActionContext
from pao.actions.errors import PermanentActionError, TransientActionError
from pao.actions.executor import ConfigProblem
from pao.actions.http import HttpSender
from pao.actions.masking import MASK
from pao.actions.results import ActionResult, Waiting
from pao.actions.terraform.client import TerraformClient, Workspace
from pao.actions.terraform.variables import (
    TerraformVariable,
    sensitive_values,
    sync_variables,
)
from pao.actions.vendor_config import TerraformConfig

__all__ = [
    "FAILED_STATES",
    "SUCCEEDED_STATES",
    "TerraformExecutor",
    "TerraformRunConfig",
]

SUCCEEDED_STATES = frozenset({"applied", "planned_and_finished"})
FAILED_STATES = frozenset(
    {
        "errored",
        "discarded",
        "canceled",
        "force_canceled",
        "policy_soft_failed",
        "policy_hard_failed",
    }
)
DEFAULT_MESSAGE = "Queued by pao"


class TerraformRunConfig(ConfigModel):
    """A rendered ``terraform`` config."""

    workspace: str | None = Field(default=None, min_length=1)
    repository: str | None = Field(default=None, min_length=1)
    organization: str | None = Field(default=None, min_length=1)
    variables: dict[str, TerraformVariable] = Field(default_factory=dict)
    message: str | None = None
    auto_apply: bool | None = Field(default=None, alias="autoApply")
    is_destroy: bool = Field(default=False, alias="isDestroy")

    @model_validator(mode="after")
    def _one_target(self) -> TerraformRunConfig:
        if (self.workspace is None) == (self.repository is None):
            raise ValueError("set exactly one of workspace and repository")
        return self


class TerraformExecutor:
    """Carries out ``terraform`` actions in the configured organization."""

    type_name = "terraform"
    supports_lookup = True

    def __init__(
        self,
        config: TerraformConfig,
        *,
        sender: HttpSender | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.config = config
        self.client = TerraformClient(config, sender=sender)
        self._clock = clock

    def execute(self, config: Mapping[str, Any], ctx: ActionContext) -> ActionResult:
        parsed = parse_config(TerraformRunConfig, self.type_name, config)
        ctx = ctx.with_secrets(sensitive_values(parsed.variables))
        key = ctx.idempotency_key

        def attempt(one: ActionContext) -> tuple[Workspace, dict[str, Any]]:
            workspace = self._workspace(parsed, one)
            run = self._find_run(workspace, key, one)
            if run is None:
                sync_variables(self.client, workspace, parsed.variables, ctx=one)
                run = self.client.create_run(
                    workspace, _run_attributes(parsed, key), ctx=one
                )
            return workspace, run

        (workspace, run), attempts = run_attempts(ctx, attempt)
        ctx.logger.info(
            "terraform run started", run=run["id"], workspace=workspace.name
        )
        return self._waiting(workspace, run, attempts)

    def find_existing(
        self, config: Mapping[str, Any], ctx: ActionContext
    ) -> ActionResult | None:
        parsed = parse_config(TerraformRunConfig, self.type_name, config)
        key = ctx.idempotency_key

        def attempt(one: ActionContext) -> tuple[Workspace, dict[str, Any] | None]:
            workspace = self._workspace(parsed, one)
            return workspace, self._find_run(workspace, key, one)

        (workspace, run), attempts = run_attempts(ctx, attempt)
        return None if run is None else self._waiting(workspace, run, attempts)

    def poll(self, waiting: Waiting, ctx: ActionContext) -> ActionResult | Waiting:
        if waiting.kind != "terraform-run":
            raise PermanentActionError(f"terraform cannot poll {waiting.kind!r}")
        try:
            return self._poll_once(waiting, ctx)
        except TransientActionError as exc:
            # Terraform Cloud being unreachable for a while does not decide
            # the run: ask again at the next poll.
            ctx.logger.warning("terraform poll failed; waiting on", error=str(exc))
            return replace(waiting, description=f"last poll failed: {exc}")

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        return check_config(TerraformRunConfig, config)

    # -- steps -----------------------------------------------------------------

    def _workspace(self, parsed: TerraformRunConfig, ctx: ActionContext) -> Workspace:
        organization = parsed.organization or self.config.organization
        if not organization:
            raise PermanentActionError("terraform.organization is not configured")
        if parsed.workspace is not None:
            return self.client.workspace_named(organization, parsed.workspace, ctx=ctx)
        assert parsed.repository is not None  # the config model checks it
        mapped = _mapped_workspace(self.config.repositories, parsed.repository)
        if mapped is not None:
            return self.client.workspace_named(organization, mapped, ctx=ctx)
        return self._workspace_of_repository(organization, parsed.repository, ctx)

    def _workspace_of_repository(
        self, organization: str, repository: str, ctx: ActionContext
    ) -> Workspace:
        wanted = repository.casefold()
        found = [
            ws
            for ws in self.client.workspaces(organization, ctx=ctx)
            if ws.vcs_repo is not None and ws.vcs_repo.casefold() == wanted
        ]
        if len(found) == 1:
            return found[0]
        if not found:
            message = (
                f"no workspace of organization {organization!r} runs repository"
                f" {repository!r}; map it under terraform.repositories or name"
                " the workspace in the action"
            )
            raise PermanentActionError(message)
        names = ", ".join(sorted(ws.name for ws in found))
        message = (
            f"several workspaces run repository {repository!r} ({names}); name"
            " one in the action or map the repository under terraform.repositories"
        )
        raise PermanentActionError(message)

    def _find_run(
        self, workspace: Workspace, key: str, ctx: ActionContext
    ) -> dict[str, Any] | None:
        for run in self.client.recent_runs(workspace, key, ctx=ctx):
            message = str((run.get("attributes") or {}).get("message") or "")
            if contains_token(message, key):
                return run
        return None

    def _waiting(
        self, workspace: Workspace, run: Mapping[str, Any], attempts: int
    ) -> ActionResult:
        run_id = str(run["id"])
        url = self.client.run_url(workspace, run_id)
        status = str((run.get("attributes") or {}).get("status", ""))
        ref = {
            "run_id": run_id,
            "workspace_id": workspace.id,
            "workspace": workspace.name,
            "organization": workspace.organization,
            "run_url": url,
        }
        waiting = Waiting(
            kind="terraform-run",
            ref=ref,
            poll_after_seconds=self.config.poll_interval,
            description=f"waiting for Terraform run {run_id} ({status})",
        )
        return ActionResult(
            outputs={"runId": run_id, "runUrl": url, "status": status},
            external_ref={"runId": run_id, "runUrl": url, "workspace": workspace.name},
            waiting=waiting,
            attempts=attempts,
        )

    def _poll_once(
        self, waiting: Waiting, ctx: ActionContext
    ) -> ActionResult | Waiting:
        run_id = str(waiting.ref["run_id"])
        run, attempts = run_attempts(ctx, lambda one: self.client.run(run_id, ctx=one))
        return self._judge(waiting, run, attempts, ctx)

    def _judge(
        self,
        waiting: Waiting,
        run: Mapping[str, Any],
        attempts: int,
        ctx: ActionContext,
    ) -> ActionResult | Waiting:
        attributes = run.get("attributes") or {}
        status = str(attributes.get("status", ""))
        run_id, url = str(waiting.ref["run_id"]), str(waiting.ref["run_url"])
        if status in FAILED_STATES:
            message = f"Terraform run {run_id} ended as {status}: {url}"
            raise PermanentActionError(message)
        if status == "pending":
            self._check_not_stuck(attributes, run_id, url, ctx)
        if status not in SUCCEEDED_STATES:
            return replace(waiting, description=_describe(run_id, attributes))
        outputs, _ = run_attempts(ctx, lambda one: self._state_outputs(waiting, one))
        mine = {"runId": run_id, "runUrl": url, "status": status}
        return ActionResult(
            outputs=outputs | mine,
            external_ref={
                "runId": run_id,
                "runUrl": url,
                "workspace": waiting.ref["workspace"],
            },
            attempts=attempts,
        )

    def _check_not_stuck(
        self, attributes: Mapping[str, Any], run_id: str, url: str, ctx: ActionContext
    ) -> None:
        created = _parse_time(attributes.get("created-at"))
        if created is None:
            return
        waited = (self._clock() - created).total_seconds()
        if waited <= ctx.timeout:
            return
        message = (
            f"Terraform run {run_id} is stuck in pending: queued {waited:.0f}s ago,"
            f" past the action's timeout of {ctx.timeout:g}s; another run or a"
            f" lock may be holding the workspace: {url}"
        )
        raise PermanentActionError(message)

    def _state_outputs(self, waiting: Waiting, ctx: ActionContext) -> dict[str, Any]:
        workspace_id = str(waiting.ref["workspace_id"])
        outputs: dict[str, Any] = {}
        for output in self.client.state_outputs(workspace_id, ctx=ctx):
            attributes = output.get("attributes") or {}
            name = attributes.get("name")
            if isinstance(name, str):
                sensitive = attributes.get("sensitive")
                outputs[name] = MASK if sensitive else attributes.get("value")
        return outputs


def _run_attributes(parsed: TerraformRunConfig, key: str) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "message": f"{parsed.message or DEFAULT_MESSAGE} [{key}]",
        "is-destroy": parsed.is_destroy,
    }
    if parsed.auto_apply is not None:
        attributes["auto-apply"] = parsed.auto_apply
    return attributes


def _mapped_workspace(repositories: Mapping[str, str], repository: str) -> str | None:
    wanted = repository.casefold()
    return next(
        (ws for repo, ws in repositories.items() if repo.casefold() == wanted), None
    )


def _describe(run_id: str, attributes: Mapping[str, Any]) -> str:
    status = attributes.get("status", "unknown")
    if (attributes.get("actions") or {}).get("is-confirmable"):
        return (
            f"Terraform run {run_id} is {status}, waiting for its apply to be confirmed"
        )
    return f"Terraform run {run_id} is {status}"


def _parse_time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
