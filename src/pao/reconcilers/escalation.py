"""Escalation: the failure context of a request, filed as a Jira incident.

:func:`escalation_context` gathers what SPEC.md asks an incident to hold;
:func:`escalator_for` gives the ``escalate`` command the function that
files it, or None when no Jira is configured (the escalation is then only
recorded, in the index and the status file).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pao.core.settings import Settings
from pao.reconcilers.commands import Escalator
from pao.store import RequestRecord, Store

__all__ = ["escalation_context", "escalator_for"]


def escalation_context(
    store: Store, request: RequestRecord, reason: str
) -> dict[str, Any]:
    """Everything a human needs to take over *request*."""
    revision = store.get_revision(request_id=request.id)
    runs = store.list_action_runs(request_id=request.id, revision=request.revision)
    failure = dict(request.failure or {})
    return {
        "request": {
            "id": request.id,
            "path": request.path,
            "team": request.team,
            "requester": request.requester,
            "revision": request.revision,
            "commit": request.revision_sha,
        },
        "item": {
            "id": request.item_id,
            "version": revision.data.get("item_version"),
            "ownerTeam": request.owner_team,
        },
        "reason": reason,
        "failedAt": failure.get("at") or request.updated_at.isoformat(),
        "error": failure.get("error"),
        "failedAction": failure.get("action"),
        "actions": [
            {
                "id": run.action_id,
                "run": run.run_number,
                "status": run.status.value,
                "outputs": run.outputs or {},
                "resources": {
                    k: v for k, v in (run.external_ref or {}).items() if k != "waiting"
                },
                "error": run.error,
            }
            for run in runs
        ],
        "cleanup": [
            {"action": entry.get("id"), "instructions": entry.get("cleanup")}
            for entry in failure.get("succeeded", [])
            if isinstance(entry, Mapping) and entry.get("cleanup")
        ],
        "requestData": (revision.data.get("document") or {}),
    }


def escalator_for(settings: Settings, store: Store) -> Escalator | None:
    """The incident filer for *settings*, or None without Jira."""
    if settings.jira is None or not settings.jira.instances:
        return None
    from pao.actions.jira import file_escalation

    def escalate(request: RequestRecord, reason: str) -> Mapping[str, Any]:
        context = escalation_context(store, request, reason)
        return file_escalation(settings, context)

    return escalate
