"""The failure context a failed request keeps (SPEC: failure handling).

It holds which actions succeeded and what they created, the masked error,
the time, cleanup guidance per succeeded action and the original request
data: everything a human needs to retry, abort or escalate.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pao.catalog import CatalogItem
from pao.store import ActionRun, ActionRunStatus, RequestRecord, Store
from pao.templates import TemplateError, render

__all__ = ["failure_context"]


def failure_context(
    *,
    store: Store,
    request: RequestRecord,
    item: CatalogItem,
    failed: ActionRun,
    error: str,
    context: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    runs = store.list_action_runs(request_id=request.id, revision=request.revision)
    succeeded = [run for run in runs if run.status is ActionRunStatus.SUCCEEDED]
    outputs = {run.action_id: dict(run.outputs or {}) for run in succeeded}
    actions = {action.id: action for action in _all_actions(item)}
    scope = dict(context or {}) | {"outputs": outputs}
    return {
        "action": failed.action_id,
        "error": error,
        "at": datetime.now(UTC).isoformat(),
        "catalogItem": {"id": item.id, "version": item.metadata.version},
        "succeeded": [
            {
                "id": run.action_id,
                "name": actions[run.action_id].name
                if run.action_id in actions
                else run.action_id,
                "outputs": dict(run.outputs or {}),
                "resources": dict(run.external_ref or {}),
                "cleanup": _cleanup(actions.get(run.action_id), scope),
            }
            for run in succeeded
        ],
    }


def _all_actions(item: CatalogItem) -> list[Any]:
    f = item.fulfillment
    return [*f.actions, *f.update, *f.decommission]


def _cleanup(action: Any, scope: Mapping[str, Any]) -> str | None:
    if action is None or action.cleanup is None:
        return None
    try:
        return render(action.cleanup.instructions, scope)
    except TemplateError:
        # Guidance that cannot be filled in is still better shown raw.
        return str(action.cleanup.instructions)
