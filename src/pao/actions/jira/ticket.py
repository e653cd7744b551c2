"""The ``jira-ticket`` action, which is also the manual fallback.

Config (docs/formats.md): ``instance`` (default: the first configured),
``project``, ``issueType`` (default ``Task``), ``priority``, ``summary``,
``description``, ``labels``, ``customFields``, ``waitForResolution`` and
``failureResolutions`` (the resolutions that count as a refusal; default
:data:`FAILURE_RESOLUTIONS`). The description is sent as ADF on Cloud and
as text on Data Center.

The issue carries a label derived from the run's idempotency key, and is
looked for by that label before it is created, so a retried or
interrupted run never opens a second ticket. Outputs: ``key`` and ``url``
(the issue's browse URL). With ``waitForResolution`` the action waits
until the issue is done: a resolution in the failure list fails it, any
other completes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from pydantic import Field, JsonValue, field_validator

from pao.actions.attempts import run_attempts
from pao.actions.configs import ConfigModel, check_config, parse_config
from pao.actions.context import ActionContext
from pao.actions.errors import PermanentActionError, TransientActionError
from pao.actions.executor import ConfigProblem
from pao.actions.jira.client import JiraClient
from pao.actions.jira.service import FoundIssue, JiraService, idempotency_label
from pao.actions.results import ActionResult, Waiting

__all__ = ["FAILURE_RESOLUTIONS", "JiraTicketConfig", "JiraTicketExecutor"]

# Resolutions by which a person declines the work rather than doing it.
# Jira's defaults (Won't Do, Duplicate, Cannot Reproduce, Won't Fix) plus
# names common in service-desk workflows.
FAILURE_RESOLUTIONS = (
    "Won't Do",
    "Won't Fix",
    "Duplicate",
    "Cannot Reproduce",
    "Declined",
    "Rejected",
    "Incomplete",
)
# Jira refuses longer summaries.
MAX_SUMMARY = 255
_OWN_FIELDS = frozenset(
    {"project", "issuetype", "summary", "description", "labels", "priority"}
)


class JiraTicketConfig(ConfigModel):
    """A rendered ``jira-ticket`` config."""

    instance: str | None = None
    project: str = Field(min_length=1)
    issue_type: str = Field(default="Task", alias="issueType", min_length=1)
    priority: str | None = None
    summary: str = Field(min_length=1)
    description: str | None = None
    labels: list[str] = Field(default_factory=list)
    custom_fields: dict[str, JsonValue] = Field(
        default_factory=dict, alias="customFields"
    )
    wait_for_resolution: bool = Field(default=False, alias="waitForResolution")
    failure_resolutions: list[str] | None = Field(
        default=None, alias="failureResolutions"
    )

    @field_validator("labels")
    @classmethod
    def _labels_have_no_spaces(cls, labels: list[str]) -> list[str]:
        spaced = [
            label for label in labels if not label or any(c.isspace() for c in label)
        ]
        if spaced:
            raise ValueError("a Jira label may not be empty or contain spaces")
        return labels

    @field_validator("custom_fields")
    @classmethod
    def _custom_fields_are_extra(
        cls, fields: dict[str, JsonValue]
    ) -> dict[str, JsonValue]:
        clash = sorted(set(fields) & _OWN_FIELDS)
        if clash:
            raise ValueError(f"set {', '.join(clash)} with its own key")
        return fields


class JiraTicketExecutor:
    """Carries out ``jira-ticket`` actions on the configured instances."""

    type_name = "jira-ticket"
    supports_lookup = True

    def __init__(self, service: JiraService) -> None:
        self.service = service

    def execute(self, config: Mapping[str, Any], ctx: ActionContext) -> ActionResult:
        parsed = parse_config(JiraTicketConfig, self.type_name, config)
        client = self.service.client(parsed.instance)
        issue, _, attempts = self.service.ensure_issue(
            client,
            project=parsed.project,
            label=idempotency_label(ctx.idempotency_key),
            fields=lambda c: issue_fields(parsed, c, ctx.idempotency_key),
            ctx=ctx,
        )
        return self._result(parsed, issue, attempts)

    def find_existing(
        self, config: Mapping[str, Any], ctx: ActionContext
    ) -> ActionResult | None:
        parsed = parse_config(JiraTicketConfig, self.type_name, config)
        client = self.service.client(parsed.instance)
        label = idempotency_label(ctx.idempotency_key)
        found, attempts = run_attempts(
            ctx,
            lambda one: self.service.find_labelled(
                client, project=parsed.project, label=label, ctx=one
            ),
        )
        return None if found is None else self._result(parsed, found, attempts)

    def poll(self, waiting: Waiting, ctx: ActionContext) -> ActionResult | Waiting:
        if waiting.kind != "jira-resolution":
            raise PermanentActionError(f"jira-ticket cannot poll {waiting.kind!r}")
        client = self.service.client(str(waiting.ref["instance"]))
        key = str(waiting.ref["key"])
        try:
            issue, attempts = run_attempts(
                ctx, lambda one: client.get_issue(key, ctx=one)
            )
        except TransientActionError as exc:
            # Jira being down for a while does not decide the ticket: ask
            # again at the next poll.
            ctx.logger.warning("jira poll failed; waiting on", error=str(exc))
            return replace(waiting, description=f"last poll failed: {exc}")
        return _judge(client, waiting, issue, attempts)

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        problems = check_config(JiraTicketConfig, config)
        instance = config.get("instance") if isinstance(config, Mapping) else None
        instances = self.service.config.instances
        literal = isinstance(instance, str) and "{{" not in instance
        if literal and instances and instance not in instances:
            known = ", ".join(instances)
            problems.append(
                (("instance",), f"no Jira instance {instance!r} (known: {known})")
            )
        return problems

    def _result(
        self, parsed: JiraTicketConfig, issue: FoundIssue, attempts: int
    ) -> ActionResult:
        waiting = None
        if parsed.wait_for_resolution:
            ref: dict[str, Any] = {"instance": issue.instance, "key": issue.key}
            if parsed.failure_resolutions is not None:
                ref["failureResolutions"] = list(parsed.failure_resolutions)
            waiting = Waiting(
                kind="jira-resolution",
                ref=ref,
                poll_after_seconds=self.service.config.poll_interval,
                description=f"waiting for {issue.key} to be resolved",
            )
        return ActionResult(
            outputs={"key": issue.key, "url": issue.url},
            external_ref=issue.ref() | {"id": issue.id},
            waiting=waiting,
            attempts=attempts,
        )


def issue_fields(
    parsed: JiraTicketConfig, client: JiraClient, key: str
) -> dict[str, Any]:
    """The create body's ``fields`` for *parsed*, in *client*'s dialect."""
    labels = [*parsed.labels, idempotency_label(key)]
    fields: dict[str, Any] = {
        **parsed.custom_fields,
        "project": {"key": parsed.project},
        "issuetype": {"name": parsed.issue_type},
        "summary": one_line(parsed.summary),
        "labels": list(dict.fromkeys(labels)),
    }
    if parsed.priority:
        fields["priority"] = {"name": parsed.priority}
    if parsed.description and parsed.description.strip():
        fields["description"] = client.document(parsed.description)
    return fields


def one_line(summary: str) -> str:
    """*summary* on one line and within Jira's length limit."""
    flat = " ".join(summary.split())
    return flat if len(flat) <= MAX_SUMMARY else flat[: MAX_SUMMARY - 1] + "…"


def _judge(
    client: JiraClient, waiting: Waiting, issue: Mapping[str, Any], attempts: int
) -> ActionResult | Waiting:
    key = str(waiting.ref["key"])
    fields = issue.get("fields") or {}
    status = fields.get("status") or {}
    category = (status.get("statusCategory") or {}).get("key")
    if category != "done":
        return waiting
    resolution = (fields.get("resolution") or {}).get("name")
    url = client.instance.browse_url(key)
    refusals = waiting.ref.get("failureResolutions") or FAILURE_RESOLUTIONS
    if resolution and _normal(resolution) in {_normal(r) for r in refusals}:
        message = f"Jira issue {key} was closed as {resolution!r}: {url}"
        raise PermanentActionError(message)
    outputs = {
        "key": key,
        "url": url,
        "status": str(status.get("name", "")),
        "resolution": resolution,
    }
    return ActionResult(
        outputs=outputs,
        external_ref={"instance": client.instance.name, "key": key, "url": url},
        attempts=attempts,
    )


def _normal(name: str) -> str:
    # Jira sites differ in the apostrophe they use (U+0027 or U+2019).
    return name.replace("\u2019", "'").strip().casefold()
