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
from pao.actions.jira.client import JiraClient
from pao.actions.jira.incident import EscalationContext, adf_incident, wiki_incident
from pao.actions.jira.service import JiraService, idempotency_label
from pao.actions.jira.ticket import one_line
from pao.actions.vendor_config import EscalationTarget

__all__ = ["escalation_label", "file_escalation"]


def escalation_label(request_id: str) -> str:
    """The label marking the escalation incident of *request_id*."""
    return idempotency_label(f"{request_id}:escalation", prefix="pao-escalation")


def file_escalation(
    context: EscalationContext | Mapping[str, Any],
    *,
    jira: JiraService,
    ctx: ActionContext | None = None,
) -> dict[str, str]:
    """File (or find again) the incident for a failed request.

    *context* is the failure context described by
    :class:`~pao.actions.jira.incident.EscalationContext`; ``requestId``
    is required. Returns ``key``, ``url``, ``instance`` and ``project`` of
    the incident. Raises the action errors of :mod:`pao.actions.errors`.
    """
    request_id = str(context["requestId"])
    target = jira.config.escalation
    client = jira.client(target.instance)
    ctx = ctx or service_context("escalation", key=request_id)
    issue, _, _ = jira.ensure_issue(
        client,
        project=target.project,
        label=escalation_label(request_id),
        fields=lambda c: _fields(c, target, context, request_id),
        ctx=ctx,
    )
    return {
        "key": issue.key,
        "url": issue.url,
        "instance": issue.instance,
        "project": target.project,
    }


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
