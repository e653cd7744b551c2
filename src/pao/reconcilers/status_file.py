"""The status file pao writes back into the requests repo.

``status/<item-id>/<name>.yaml`` mirrors what the index knows about one
request: its phase, the catalog item version, each action's status with
timestamps and masked outputs, and on failure the failure context. The
document is a pure function of the stored state, so writing it again
without a state change produces the same bytes (and so no commit).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import yaml

from pao.store import ActionRun, RequestRecord, RequestStatus

__all__ = [
    "HEADER",
    "dump_status",
    "parse_status",
    "status_document",
    "status_path",
]

# libyaml's emitter: status files are written on every state change.
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

HEADER = "# Written by pao on every state change of this request. Do not edit.\n"


def status_path(request_path: str) -> str:
    """``requests/a/b.yaml`` → ``status/a/b.yaml``."""
    _, _, rest = request_path.partition("/")
    return f"status/{rest}"


def status_document(
    *,
    request: RequestRecord,
    runs: Iterable[ActionRun],
    item_version: str | None,
    diagnostics: list[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "apiVersion": "pao/v1",
        "kind": "RequestStatus",
        "id": request.id,
        "request": request.path,
        "catalogItem": {"id": request.item_id, "version": item_version},
        "revision": request.revision,
        "commit": request.revision_sha,
        "phase": request.status.value,
        "team": request.team,
        "requester": request.requester,
        "updatedAt": _time(request.updated_at),
        "actions": [_action(run) for run in _latest(runs, request.revision)],
    }
    if diagnostics:
        document["validation"] = [dict(d) for d in diagnostics]
    if request.failure and request.status is not RequestStatus.COMPLETED:
        document["failure"] = request.failure
    if request.escalation:
        document["escalation"] = request.escalation
    return document


def dump_status(document: Mapping[str, Any]) -> bytes:
    text = yaml.dump(
        dict(document),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=88,
    )
    return (HEADER + text).encode()


def parse_status(content: bytes) -> dict[str, Any] | None:
    """A status file read back (for ``pao reindex``); None if unreadable."""
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError:
        return None
    return data if isinstance(data, dict) else None


def _latest(runs: Iterable[ActionRun], revision: int) -> list[ActionRun]:
    latest: dict[str, ActionRun] = {}
    for run in runs:
        if run.revision != revision:
            continue
        if (
            run.action_id not in latest
            or run.run_number >= latest[run.action_id].run_number
        ):
            latest[run.action_id] = run
    return sorted(latest.values(), key=lambda run: run.id)


def _action(run: ActionRun) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": run.action_id,
        "status": run.status.value,
        "run": run.run_number,
        "attempts": run.attempts,
        "startedAt": _time(run.started_at),
        "finishedAt": _time(run.finished_at),
    }
    if run.outputs:
        entry["outputs"] = run.outputs
    if run.external_ref:
        entry["resources"] = {
            key: value for key, value in run.external_ref.items() if key != "waiting"
        }
    if run.error:
        entry["error"] = run.error
    return entry


def _time(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None
