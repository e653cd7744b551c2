"""Report merged requests' progress on their pull requests.

The audit log is the feed, as for status files and Jira comments: each
pass reads the entries after its watermark and, for every pull request
whose requests moved, refreshes the sticky plan comment and the
``pao/fulfil`` check run on the pull request's head. When a request ends
(completed or failed) it posts one comment saying so; a failure comment
carries the failure context and the three ways on.

A new process starts from the end of the log: what happened before it
was reported by its predecessor, or shows in the refreshed comment.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

import structlog

from pao.forge.github import PullRequest
from pao.reconcilers.check_runs import FULFIL_CHECK, fulfil_verdict
from pao.reconcilers.merged_requests import plan_from_index
from pao.reconcilers.plan_comment import (
    PLAN_MARKER,
    format_outputs,
    render_plan_comment,
)
from pao.reconcilers.pull_context import PullContext
from pao.reconcilers.pull_plan import PullPlan
from pao.store import AuditEntry, RequestRecord, RequestStatus

__all__ = ["ProgressReporter", "render_completion", "render_failure"]

logger = structlog.get_logger(__name__)

WATERMARK = "github-progress"
BATCH = 500
_ENDINGS = frozenset({RequestStatus.COMPLETED.value, RequestStatus.FAILED.value})


class ProgressReporter:
    """Turns audit entries into pull-request comments and check runs."""

    def __init__(self, ctx: PullContext) -> None:
        self.ctx = ctx

    def report_pending(self) -> int:
        """One pass; returns how many pull requests were refreshed."""
        store = self.ctx.store
        state = store.get_repo_state(WATERMARK)
        if state is None or state.indexed_sha is None:
            store.set_repo_state(repo=WATERMARK, indexed_sha=str(_latest_id(self.ctx)))
            return 0
        entries = store.list_audit(after_id=int(state.indexed_sha), limit=BATCH)
        if not entries:
            return 0
        pulls: dict[int, list[AuditEntry]] = {}
        for entry in entries:
            record = store.find_request(entry.request_id) if entry.request_id else None
            if record is not None and record.pr_number is not None:
                pulls.setdefault(record.pr_number, []).append(entry)
        for number, moved in sorted(pulls.items()):
            self._report(number, moved)
        store.set_repo_state(repo=WATERMARK, indexed_sha=str(entries[-1].id))
        return len(pulls)

    def _report(self, number: int, entries: list[AuditEntry]) -> None:
        pull = self.ctx.repo.get_pull(number)
        if not pull.merged:
            return  # the validation pass reports unmerged pull requests
        plan = plan_from_index(self.ctx, pull)
        if plan is None:
            return
        self.ctx.repo.upsert_sticky_comment(
            number, marker=PLAN_MARKER, body=render_plan_comment(plan)
        )
        self._check(pull, plan)
        for entry in entries:
            if entry.to_status in _ENDINGS and entry.from_status == "in_progress":
                self._announce(number, entry)

    def _check(self, pull: PullRequest, plan: PullPlan) -> None:
        verdict = fulfil_verdict(plan)
        status: Literal["completed", "in_progress"] = (
            "completed" if verdict.completed else "in_progress"
        )
        found = self.ctx.repo.find_check_run(pull.head_sha, name=FULFIL_CHECK)
        if found is None:
            self.ctx.repo.create_check_run(
                head_sha=pull.head_sha,
                name=FULFIL_CHECK,
                status=status,
                conclusion=verdict.conclusion,
                output=verdict.output,
            )
        else:
            self.ctx.repo.update_check_run(
                found.id,
                status=status,
                conclusion=verdict.conclusion,
                output=verdict.output,
            )

    def _announce(self, number: int, entry: AuditEntry) -> None:
        assert entry.request_id is not None
        record = self.ctx.store.get_request(entry.request_id)
        if entry.to_status == RequestStatus.COMPLETED.value:
            body = render_completion(record, self._outputs(record))
        else:
            body = render_failure(
                record, entry.details.get("failure") or record.failure
            )
        self.ctx.repo.create_comment(number, body)
        logger.info("pull_request_told", pull=number, request_id=record.id)

    def _outputs(self, record: RequestRecord) -> dict[str, dict[str, Any]]:
        runs = self.ctx.store.list_action_runs(
            request_id=record.id, revision=record.revision
        )
        return {
            run.action_id: dict(run.outputs)
            for run in runs
            if run.status.value == "succeeded" and run.outputs
        }


def render_completion(
    record: RequestRecord, outputs: Mapping[str, Mapping[str, Any]]
) -> str:
    """The comment for a request that completed."""
    lines = [f"✅ **`{record.item_id}/{record.name}` completed.**"]
    if outputs:
        lines += ["", "Outputs:", ""]
        lines += [
            f"- `{action}`: {format_outputs(values)}"
            for action, values in outputs.items()
        ]
    return "\n".join(lines) + "\n"


def render_failure(record: RequestRecord, failure: Mapping[str, Any] | None) -> str:
    """The comment for a request that failed: context and the ways on."""
    failure = failure or {}
    action = failure.get("action")
    where = f" at action `{action}`" if action else ""
    lines = [f"❌ **`{record.item_id}/{record.name}` failed{where}.**"]
    if failure.get("error"):
        lines += ["", f"> {' '.join(str(failure['error']).split())}"]
    succeeded = [s for s in failure.get("succeeded") or () if isinstance(s, Mapping)]
    if succeeded:
        lines += ["", "Done before the failure:", ""]
        for step in succeeded:
            outputs = step.get("outputs") or {}
            shown = f": {format_outputs(outputs)}" if outputs else ""
            lines.append(f"- `{step.get('id')}`{shown}")
            if step.get("cleanup"):
                lines.append(f"  - cleanup: {' '.join(str(step['cleanup']).split())}")
    lines += [
        "",
        "What next? Comment one of:",
        "",
        "- `/retry` to run it again from the failed action"
        " (`/retry <action-id>` to start from another one)",
        "- `/abort [reason]` to give it up; what was created stays as it is",
        "- `/escalate [reason]` to hand it to the platform team as an incident",
    ]
    return "\n".join(lines) + "\n"


def _latest_id(ctx: PullContext) -> int:
    latest = 0
    while True:
        entries = ctx.store.list_audit(after_id=latest, limit=BATCH)
        if not entries:
            return latest
        latest = entries[-1].id
