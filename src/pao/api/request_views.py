"""How requests look in the API: response models and the renderers.

The models document the shapes in the OpenAPI description; the renderers
build plain dicts of the same shape, which is cheaper than instantiating
the models for every row of a page.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field

from pao.reconcilers.status_file import status_document
from pao.store import ActionRun, AuditEntry, RequestRecord, RequestRevision

__all__ = [
    "ActionRunOut",
    "AuditEntryOut",
    "EscalationOut",
    "RequestDetail",
    "RequestLogs",
    "RequestStatusDocument",
    "RequestSummary",
    "render_detail",
    "render_escalation",
    "render_logs",
    "render_status",
    "render_summary",
]


class RequestSummary(BaseModel):
    """A request as lists show it."""

    id: str
    name: str
    catalog_item: str
    path: str
    team: str
    owner_team: str | None
    requester: str | None
    status: str
    revision: int
    commit: str
    pr_number: int | None
    created_at: datetime
    updated_at: datetime


class RequestDetail(RequestSummary):
    """A request with its current revision."""

    kind: str | None = Field(description="create, update or decommission.")
    item_version: str | None
    document: dict[str, Any] | None = Field(
        description="The request file as of the current revision."
    )
    diagnostics: list[dict[str, Any]]
    failure: dict[str, Any] | None
    escalation: dict[str, Any] | None


class StatusItemRef(BaseModel):
    id: str
    version: str | None


class StatusAction(BaseModel):
    id: str
    status: str
    run: int
    attempts: int
    startedAt: datetime | None  # the status file's names
    finishedAt: datetime | None
    outputs: dict[str, Any] | None = None
    resources: dict[str, Any] | None = None
    error: str | None = None


class RequestStatusDocument(BaseModel):
    """The request's status file: phase and each action's latest run."""

    apiVersion: str  # the status file's names
    kind: str
    id: str
    request: str
    catalogItem: StatusItemRef
    revision: int
    commit: str
    phase: str
    team: str
    requester: str | None
    updatedAt: datetime
    actions: list[StatusAction]
    validation: list[dict[str, Any]] | None = None
    failure: dict[str, Any] | None = None
    escalation: dict[str, Any] | None = None


class AuditEntryOut(BaseModel):
    id: int
    at: datetime
    actor: str
    event: str
    from_status: str | None
    to_status: str | None
    details: dict[str, Any]
    correlation_id: str | None


class ActionRunOut(BaseModel):
    """One run of one action; outputs and errors are masked when recorded."""

    id: int
    revision: int
    action_id: str
    run_number: int
    status: str
    attempts: int
    started_at: datetime | None
    finished_at: datetime | None
    outputs: dict[str, Any] | None
    error: str | None
    resources: dict[str, Any] | None


class RequestLogs(BaseModel):
    request_id: str
    audit: list[AuditEntryOut]
    actions: list[ActionRunOut]


class EscalationOut(BaseModel):
    request_id: str
    status: str
    escalation: dict[str, Any]
    failure: dict[str, Any] | None


def render_summary(record: RequestRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "name": record.name,
        "catalog_item": record.item_id,
        "path": record.path,
        "team": record.team,
        "owner_team": record.owner_team,
        "requester": record.requester,
        "status": record.status.value,
        "revision": record.revision,
        "commit": record.revision_sha,
        "pr_number": record.pr_number,
        "created_at": record.created_at.isoformat(),
        "updated_at": record.updated_at.isoformat(),
    }


def render_detail(record: RequestRecord, revision: RequestRevision) -> dict[str, Any]:
    data = revision.data
    document = data.get("document")
    diagnostics = data.get("diagnostics")
    return {
        **render_summary(record),
        "kind": _text_or_none(data.get("kind")),
        "item_version": _text_or_none(data.get("item_version")),
        "document": document if isinstance(document, dict) else None,
        "diagnostics": diagnostics if isinstance(diagnostics, list) else [],
        "failure": record.failure,
        "escalation": record.escalation,
    }


def render_status(
    record: RequestRecord, revision: RequestRevision, runs: Iterable[ActionRun]
) -> dict[str, Any]:
    diagnostics = revision.data.get("diagnostics")
    return status_document(
        request=record,
        runs=runs,
        item_version=_text_or_none(revision.data.get("item_version")),
        diagnostics=diagnostics if isinstance(diagnostics, list) else None,
    )


def render_logs(
    record: RequestRecord, audit: Iterable[AuditEntry], runs: Iterable[ActionRun]
) -> dict[str, Any]:
    return {
        "request_id": record.id,
        "audit": [_audit_entry(entry) for entry in audit],
        "actions": [_action_run(run) for run in runs],
    }


def render_escalation(record: RequestRecord) -> dict[str, Any]:
    return {
        "request_id": record.id,
        "status": record.status.value,
        "escalation": record.escalation,
        "failure": record.failure,
    }


def _audit_entry(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "event": entry.event,
        "from_status": entry.from_status,
        "to_status": entry.to_status,
        "details": entry.details,
        "correlation_id": entry.correlation_id,
    }


def _action_run(run: ActionRun) -> dict[str, Any]:
    # The run's context (the rendered request it was given) stays out: the
    # log says what happened, not what was sent.
    resources = None
    if run.external_ref:
        resources = {k: v for k, v in run.external_ref.items() if k != "waiting"}
    return {
        "id": run.id,
        "revision": run.revision,
        "action_id": run.action_id,
        "run_number": run.run_number,
        "status": run.status.value,
        "attempts": run.attempts,
        "started_at": _time(run.started_at),
        "finished_at": _time(run.finished_at),
        "outputs": run.outputs,
        "error": run.error,
        "resources": resources,
    }


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def _text_or_none(value: object) -> str | None:
    return value if isinstance(value, str) else None
