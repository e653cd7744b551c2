"""Merged requests: confirm a code owner's approval, then queue them.

In GitHub mode the requests-repo indexer leaves every request it finds on
the default branch ``awaiting_approval``. :meth:`MergedRequests.review`
looks at the merged pull request each one came with: CODEOWNERS as of the
merge, the reviews as GitHub lists them (see
:mod:`pao.reconcilers.approval`), and whether the indexed content is what
the pull request's head held. Approved requests are queued; the others
wait, and the plan comment says what is missing. A later approving review
runs this again (``pull_request_review`` deliveries and the periodic pass).

:func:`plan_from_index` renders what the index knows about a pull
request's requests: the plan comment and ``pao/fulfil`` after the merge.
"""

from __future__ import annotations

import structlog

from pao.forge.github import PullRequest
from pao.reconcilers.approval import ApprovalVerdict, code_owners_of, evaluate_approval
from pao.reconcilers.plan import actions_for
from pao.reconcilers.pull_context import PullContext, diagnostics_of
from pao.reconcilers.pull_plan import (
    ActionPlan,
    ItemSummary,
    PullPlan,
    RequestPlan,
    latest_runs,
    plan_actions,
)
from pao.reconcilers.pull_records import content_sha256, records_of_pull
from pao.store import ActionRunStatus, Conflict, RequestRecord, RequestStatus

__all__ = ["MergedRequests", "plan_from_index"]

logger = structlog.get_logger(__name__)

S = RequestStatus


class MergedRequests:
    """Queues the merged requests a code owner approved."""

    def __init__(self, ctx: PullContext) -> None:
        self.ctx = ctx

    def review(self, pull: PullRequest) -> list[RequestRecord]:
        """Queue the approved requests of merged pull request *pull*."""
        waiting = [
            record
            for record in records_of_pull(self.ctx.store, pull.number)
            if record.status is S.AWAITING_APPROVAL
        ]
        if not waiting or not pull.merged:
            return []
        verdicts = self.verdicts(pull, waiting)
        queued = [
            record
            for record in waiting
            if verdicts[record.id].approved and self._queue(record, verdicts[record.id])
        ]
        if queued:
            self.ctx.wake()
        return queued

    def review_waiting(self) -> int:
        """One pass over every request awaiting approval (the periodic
        repair for a review or merge delivery that never came)."""
        numbers = sorted(
            {
                record.pr_number
                for record in _awaiting(self.ctx)
                if record.pr_number is not None
            }
        )
        queued = 0
        for number in numbers:
            pull = self.ctx.repo.get_pull(number)
            if pull.merged:
                queued += len(self.review(pull))
        return queued

    def verdicts(
        self, pull: PullRequest, records: list[RequestRecord]
    ) -> dict[str, ApprovalVerdict]:
        """The approval verdict of each record, as of *pull*'s merge."""
        git = self.ctx.git()
        merged_at = pull.merge_commit_sha
        if not merged_at or not git.has_commit(merged_at):
            merged_at = git.head_sha()
        codeowners = self.ctx.codeowners(merged_at)
        reviews = self.ctx.repo.list_reviews(pull.number)
        head = git.fetch_ref(pull.head_sha)
        verdicts: dict[str, ApprovalVerdict] = {}
        for record in records:
            owners = code_owners_of(
                record.path, codeowners, fallback_team=record.owner_team
            )
            verdict = evaluate_approval(
                owners=owners,
                reviews=reviews,
                author=pull.author,
                head_sha=head,
                is_member=self.ctx.github.is_team_member,
            )
            if verdict.approved and not self._as_reviewed(record, head):
                reason = (
                    "the request changed after the reviewed commit;"
                    " it needs a new pull request"
                )
                verdict = ApprovalVerdict(False, verdict.owners, (), reason)
            verdicts[record.id] = verdict
        return verdicts

    def _as_reviewed(self, record: RequestRecord, head: str) -> bool:
        """Whether the indexed revision is what the reviewed head held."""
        revision = self.ctx.store.get_revision(request_id=record.id)
        content = self.ctx.git().read(record.path, head)
        if revision.data.get("kind") == "decommission":
            return content is None
        return (
            content is not None and content_sha256(content) == revision.content_sha256
        )

    def _queue(self, record: RequestRecord, verdict: ApprovalVerdict) -> bool:
        try:
            self.ctx.store.transition_request(
                request_id=record.id,
                to_status=S.QUEUED,
                actor=f"github:{verdict.approvers[0]}",
                expected_from=[S.AWAITING_APPROVAL],
                details={"approved_by": list(verdict.approvers)},
            )
        except Conflict:
            return False  # another replica queued it first
        logger.info("request_approved", request_id=record.id, by=verdict.approvers)
        return True


def plan_from_index(ctx: PullContext, pull: PullRequest) -> PullPlan | None:
    """The plan of *pull*'s recorded requests, with their progress."""
    records = sorted(records_of_pull(ctx.store, pull.number), key=lambda r: r.path)
    if not records:
        return None
    waiting = [r for r in records if r.status is S.AWAITING_APPROVAL]
    verdicts = (
        MergedRequests(ctx).verdicts(pull, waiting) if waiting and pull.merged else {}
    )
    plans = tuple(
        _request_plan(ctx, record, verdicts.get(record.id)) for record in records
    )
    return PullPlan(
        str(ctx.repo.name), pull.number, pull.head_sha, plans, merged=pull.merged
    )


def _request_plan(
    ctx: PullContext, record: RequestRecord, verdict: ApprovalVerdict | None
) -> RequestPlan:
    revision = ctx.store.get_revision(request_id=record.id)
    kind = str(revision.data.get("kind") or "create")
    document = dict(revision.data.get("document") or {})
    diagnostics = diagnostics_of(revision.data.get("diagnostics"))
    item = ctx.item(record.item_id)
    runs = latest_runs(
        ctx.store.list_action_runs(request_id=record.id, revision=record.revision)
    )
    outputs = {
        action_id: dict(run.outputs or {})
        for action_id, run in runs.items()
        if run.status is ActionRunStatus.SUCCEEDED
    }
    actions: tuple[ActionPlan, ...] = ()
    if item is not None and not any(d.severity == "error" for d in diagnostics):
        context = ctx.context_for(record, item, document, outputs)
        planned = actions_for(item, kind)  # type: ignore[arg-type]
        actions = plan_actions(planned, context=context, runs=runs)
    approval = None
    if verdict is not None:
        approval = f"waiting: {verdict.reason}"
    return RequestPlan(
        path=record.path,
        item_id=record.item_id,
        name=record.name,
        request_id=record.id,
        kind=kind,
        phase=record.status.value,
        item=ItemSummary.of(item) if item else None,
        approval=approval,
        actions=actions,
        diagnostics=diagnostics,
        failure=record.failure,
        escalation=record.escalation,
    )


def _awaiting(ctx: PullContext) -> list[RequestRecord]:
    found: list[RequestRecord] = []
    after = None
    while True:
        page = ctx.store.list_requests(
            statuses=[S.AWAITING_APPROVAL], after=after, limit=500, with_total=False
        )
        found += page.items
        if not page.has_more:
            return found
        after = page.next_key
