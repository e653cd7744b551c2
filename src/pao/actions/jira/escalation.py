"""Filing the Jira incident for an escalated request.

``pao request escalate`` and the ``/escalate`` command hand a failed
request to the platform team. The controller gathers the request's
failure context and calls :func:`file_escalation`, which files one
incident in the configured escalation project holding every section a
person needs to take over (see :mod:`pao.actions.jira.incident`). The
incident is labelled from the request id, and looked for before it is
filed: escalating a request twice finds the first incident again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pao.actions.attempts import service_context
from pao.actions.context import ActionContext
from pao.actions.errors import PermanentActionError
from pao.actions.http import HttpSender
from pao.actions.jira.client import JiraClient
from pao.actions.jira.incident import EscalationContext, adf_incident, wiki_incident
from pao.actions.jira.service import JiraService, idempotency_label
from pao.actions.jira.ticket import one_line
from pao.actions.vendor_config import EscalationTarget, JiraConfig, VendorConfig
from pao.core.settings import Settings

__all__ = ["escalation_label", "file_escalation", "flat_context"]


def escalation_label(request_id: str) -> str:
    """The label marking the escalation incident of *request_id*."""
    return idempotency_label(f"{request_id}:escalation", prefix="pao-escalation")


def file_escalation(
    jira: JiraService | JiraConfig | Settings,
    context: EscalationContext | Mapping[str, Any],
    *,
    ctx: ActionContext | None = None,
    sender: HttpSender | None = None,
) -> dict[str, str]:
    """File (or find again) the incident for a failed request.

    *jira* is pao's Jira (or the configuration to reach it); *context* the
    failure context, in the flat shape of
    :class:`~pao.actions.jira.incident.EscalationContext` or the nested
    one of the controller (``request``, ``item``, ``failedAt``,
    ``failedAction``, ``cleanup``, ``requestData``); the request id is
    required. Returns ``key``, ``url``, ``instance`` and ``project`` of
    the incident. Raises the action errors of :mod:`pao.actions.errors`.
    """
    service = _service(jira, sender)
    flat = flat_context(context)
    request_id = str(flat["requestId"])
    target = service.config.escalation
    client = service.client(target.instance)
    ctx = ctx or service_context("escalation", key=request_id)
    issue, _, _ = service.ensure_issue(
        client,
        project=target.project,
        label=escalation_label(request_id),
        fields=lambda c: _fields(c, target, flat, request_id),
        ctx=ctx,
    )
    return {
        "key": issue.key,
        "url": issue.url,
        "instance": issue.instance,
        "project": target.project,
    }


def flat_context(context: Mapping[str, Any]) -> dict[str, Any]:
    """*context* in the flat shape the incident reads.

    The controller's nested shape is recognised by its ``requestData`` or
    ``item`` key; a context without a request id is refused.
    """
    if "requestData" not in context and "item" not in context:
        flat = dict(context)
    else:
        flat = _flatten(context)
    if not flat.get("requestId"):
        raise PermanentActionError("the escalation context has no request id")
    return flat


def _flatten(context: Mapping[str, Any]) -> dict[str, Any]:
    request = context.get("request") or {}
    cleanup = {
        entry.get("action"): entry.get("instructions")
        for entry in context.get("cleanup") or []
        if isinstance(entry, Mapping)
    }
    actions = [
        {**action, "cleanup": cleanup.get(action.get("id"))}
        for action in context.get("actions") or []
        if isinstance(action, Mapping)
    ]
    return {
        "requestId": request.get("id"),
        "requestPath": request.get("path"),
        "catalogItem": context.get("item") or {},
        "requester": request.get("requester"),
        "team": request.get("team"),
        "at": context.get("failedAt"),
        "action": context.get("failedAction"),
        "error": context.get("error"),
        "reason": context.get("reason"),
        "escalatedBy": context.get("escalatedBy"),
        "actions": actions,
        "request": context.get("requestData"),
    }


def _service(
    jira: JiraService | JiraConfig | Settings, sender: HttpSender | None
) -> JiraService:
    if isinstance(jira, JiraService):
        return jira
    if isinstance(jira, Settings):
        jira = VendorConfig.from_settings(jira).jira
    return JiraService(jira, sender=sender)


def _fields(
    client: JiraClient,
    target: EscalationTarget,
    context: Mapping[str, Any],
    request_id: str,
) -> dict[str, Any]:
    item = (context.get("catalogItem") or {}).get("id") or "unknown item"
    summary = f"[pao] Request {request_id} ({item}) failed and was escalated"
    description = adf_incident(context) if client.is_cloud else wiki_incident(context)
    fields: dict[str, Any] = {
        "project": {"key": target.project},
        "issuetype": {"name": target.issue_type},
        "summary": one_line(summary),
        "description": description,
        "labels": [*target.labels, escalation_label(request_id)],
    }
    if target.priority:
        fields["priority"] = {"name": target.priority}
    return fields
