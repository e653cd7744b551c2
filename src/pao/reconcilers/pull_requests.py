"""Pull requests on the requests repo: validate, plan, ask the owners.

:meth:`PullRequestReconciler.sync` is the one entry point, called for
``pull_request`` deliveries, check re-runs, ``/plan`` and the periodic
resync of open pull requests. It reads the pull request's current state
from GitHub (never from the delivery, which may be stale or out of order)
and then:

* open: fetches the head, validates every changed request file, records
  new requests as planned-but-not-run (:mod:`pao.reconcilers.pull_records`),
  posts the ``pao/validate`` check run on the head, edits the sticky plan
  comment in place and asks the owner teams for a review (not on drafts);
* merged: indexes the default branch, ties the merged requests to the pull
  request and lets :class:`~pao.reconcilers.merged_requests.MergedRequests`
  queue those a code owner approved;
* closed unmerged: cancels what the pull request planned.

A pull request touching nothing under ``requests/`` is left alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import structlog

from pao.catalog import CatalogItem
from pao.core import Diagnostic
from pao.core.diagnostics import Severity, has_errors
from pao.forge.git import GitRepo
from pao.forge.github import FileStatus, GitHubValidation, PullFile, PullRequest
from pao.reconcilers.approval import code_owners_of
from pao.reconcilers.check_runs import VALIDATE_CHECK, validate_verdict
from pao.reconcilers.merged_requests import MergedRequests, plan_from_index
from pao.reconcilers.plan import RevisionKind, actions_for, request_id_for
from pao.reconcilers.plan_comment import PLAN_MARKER, render_plan_comment
from pao.reconcilers.pull_context import PullContext, preview_record
from pao.reconcilers.pull_plan import (
    ActionPlan,
    ItemSummary,
    PullPlan,
    RequestPlan,
    plan_actions,
)
from pao.reconcilers.pull_records import (
    PR_STAGE,
    cancel_pull_records,
    record_pull_request,
    records_of_pull,
    revision_kind,
)
from pao.reconcilers.request_sync import parse_request_path
from pao.requests import validate_request_text
from pao.store import TERMINAL_STATUSES, RequestRecord

__all__ = ["ChangedFile", "PullRequestReconciler", "changed_request_files"]

logger = structlog.get_logger(__name__)


@dataclass(frozen=True, slots=True)
class ChangedFile:
    """A request file a pull request adds, changes or removes."""

    path: str
    removed: bool


def changed_request_files(files: list[PullFile]) -> list[ChangedFile]:
    """The request files among a pull request's files; a rename removes
    the old path and adds the new one."""
    changed: dict[str, ChangedFile] = {}
    for file in files:
        if file.previous_path and parse_request_path(file.previous_path):
            changed[file.previous_path] = ChangedFile(file.previous_path, True)
        if parse_request_path(file.path):
            removed = file.status is FileStatus.REMOVED
            changed[file.path] = ChangedFile(file.path, removed)
    return sorted(changed.values(), key=lambda c: c.path)


class PullRequestReconciler:
    """Brings pao's view of one pull request up to GitHub's."""

    def __init__(self, ctx: PullContext) -> None:
        self.ctx = ctx
        self.merged = MergedRequests(ctx)

    def sync(self, number: int) -> PullPlan | None:
        """Handle pull request *number* as it is now; ``None`` if pao has
        nothing to say about it."""
        pull = self.ctx.repo.get_pull(number)
        log = logger.bind(pull=number, head=pull.head_sha)
        if pull.merged:
            log.info("pull_request_merged")
            return self._merged(pull)
        if pull.state != "open":
            log.info("pull_request_closed")
            return self._closed(pull)
        return self._validate(pull)

    def publish(self, number: int) -> PullPlan | None:
        """Refresh the plan comment from the index (after a state change)."""
        pull = self.ctx.repo.get_pull(number)
        plan = plan_from_index(self.ctx, pull)
        if plan is not None:
            self._comment(plan)
        return plan

    # -- open --------------------------------------------------------------

    def _validate(self, pull: PullRequest) -> PullPlan | None:
        changed = changed_request_files(self.ctx.repo.list_pull_files(pull.number))
        self._drop_left_files(pull, {c.path for c in changed})
        if not changed:
            return None
        git = self.ctx.git()
        head = git.fetch_ref(pull.head_sha)
        codeowners = self.ctx.codeowners(head)
        plans = tuple(
            self._plan_file(pull, git, change, head=head, codeowners=codeowners)
            for change in changed
        )
        plan = PullPlan(str(self.ctx.repo.name), pull.number, head, plans)
        check = validate_verdict(plan)
        run = self.ctx.repo.create_check_run(
            head_sha=head,
            name=VALIDATE_CHECK,
            status="completed",
            conclusion=check.conclusion,
            output=check.output,
        )
        self._comment(plan, pointer=run.html_url or None)
        if not pull.draft:
            self._ask_owners(pull, plans)
        logger.info("pull_request_planned", pull=pull.number, errors=plan.error_count)
        return plan

    def _plan_file(
        self,
        pull: PullRequest,
        git: GitRepo,
        change: ChangedFile,
        *,
        head: str,
        codeowners: str | None,
    ) -> RequestPlan:
        parsed = parse_request_path(change.path)
        assert parsed is not None
        item_id, name = parsed
        request_id = request_id_for(item_id, name)
        existing = self.ctx.store.find_request(request_id)
        item = self.ctx.item(item_id)
        if change.removed:
            return self._plan_removal(change.path, existing, item)
        content = git.read(change.path, head) or b""
        catalog = self.ctx.catalog()
        request, found = validate_request_text(
            content, catalog, filename=change.path, expected_item=item_id
        )
        diagnostics = list(found)
        document = request.model_dump(by_alias=True, mode="json") if request else {}
        team = str(document.get("team") or _raw_team(content) or "")
        on_branch = git.read(change.path, git.head_sha()) is not None
        record = existing
        if not on_branch and _belongs_to(existing, pull.number):
            author = git.last_change(change.path, head)
            record = record_pull_request(
                self.ctx.store,
                number=pull.number,
                path=change.path,
                ids=(request_id, item_id, name),
                content=content,
                head=head,
                document=document,
                item=item,
                diagnostics=diagnostics,
                requester=author.author_email if author else None,
                team=team,
            )
            kind: RevisionKind = "create"
            phase = record.status.value
        else:
            kind = revision_kind(existing)
            diagnostics += _conflicts(change.path, existing, pull.number, on_branch)
            diagnostics += _unsupported_update(change.path, item, kind)
            phase = "planned"
        valid = item is not None and not has_errors(diagnostics)
        preview = record or preview_record(
            request_id=request_id,
            item_id=item_id,
            name=name,
            path=change.path,
            team=team,
        )
        actions = (
            plan_actions(
                actions_for(item, kind),
                context=self.ctx.context_for(preview, item, document),
            )
            if valid and item is not None
            else ()
        )
        return RequestPlan(
            path=change.path,
            item_id=item_id,
            name=name,
            request_id=request_id,
            kind=kind,
            phase="failed" if not valid and phase == "planned" else phase,
            item=ItemSummary.of(item) if item else None,
            approval=_approval_needed(change.path, codeowners, item) if valid else None,
            actions=actions,
            diagnostics=tuple(diagnostics),
        )

    def _plan_removal(
        self, path: str, existing: RequestRecord | None, item: CatalogItem | None
    ) -> RequestPlan:
        parsed = parse_request_path(path)
        assert parsed is not None
        item_id, name = parsed
        actions: tuple[ActionPlan, ...] = ()
        if existing is not None and item is not None:
            revision = self.ctx.store.get_revision(request_id=existing.id)
            document = dict(revision.data.get("document") or {})
            actions = plan_actions(
                actions_for(item, "decommission"),
                context=self.ctx.context_for(existing, item, document),
            )
        return RequestPlan(
            path=path,
            item_id=item_id,
            name=name,
            request_id=request_id_for(item_id, name),
            kind="decommission",
            phase="planned",
            item=ItemSummary.of(item) if item else None,
            actions=actions,
        )

    def _ask_owners(self, pull: PullRequest, plans: tuple[RequestPlan, ...]) -> None:
        teams = {plan.item.owner_team for plan in plans if plan.item is not None}
        if not teams:
            return
        try:
            self.ctx.repo.request_reviewers(pull.number, teams=teams)
        except GitHubValidation as exc:
            # A team without access to the repo cannot be asked; the plan
            # comment still names it.
            logger.warning("review_request_refused", pull=pull.number, error=str(exc))

    def _drop_left_files(self, pull: PullRequest, paths: set[str]) -> None:
        """Cancel what this pull request planned for files it no longer has."""
        left = [
            record
            for record in records_of_pull(self.ctx.store, pull.number)
            if record.path not in paths
            and record.status in PR_STAGE
            and not self._on_branch(record.path)
        ]
        if left:
            reason = "the request file was removed from the pull request"
            cancel_pull_records(self.ctx.store, left, reason=reason)

    def _on_branch(self, path: str) -> bool:
        git = self.ctx.git()
        return git.read(path, git.head_sha()) is not None

    # -- closed ------------------------------------------------------------

    def _merged(self, pull: PullRequest) -> PullPlan | None:
        changed = changed_request_files(self.ctx.repo.list_pull_files(pull.number))
        if not changed:
            return None
        # The merge commit has to be indexed before its requests can be
        # tied to this pull request and queued.
        self.ctx.refresh()
        for change in changed:
            parsed = parse_request_path(change.path)
            assert parsed is not None
            record = self.ctx.store.find_request(request_id_for(*parsed))
            if record is not None and record.pr_number != pull.number:
                self.ctx.store.update_request(
                    request_id=record.id, pr_number=pull.number
                )
        self.merged.review(pull)
        return self.publish(pull.number)

    def _closed(self, pull: PullRequest) -> PullPlan | None:
        records = [
            record
            for record in records_of_pull(self.ctx.store, pull.number)
            if record.status in PR_STAGE and not self._on_branch(record.path)
        ]
        if records:
            reason = "the pull request was closed without merging"
            cancel_pull_records(self.ctx.store, records, reason=reason)
        return self.publish(pull.number)

    def _comment(self, plan: PullPlan, *, pointer: str | None = None) -> None:
        self.ctx.repo.upsert_sticky_comment(
            plan.number,
            marker=PLAN_MARKER,
            body=render_plan_comment(plan),
            pointer=pointer or "the pao/validate check run and GET /api/v1/requests",
        )


def _raw_team(content: bytes) -> str | None:
    # An invalid request still names its team when it can, so the team
    # sees its own request in listings from the first revision on.
    for line in content.decode("utf-8", "replace").splitlines():
        if line.startswith("team:"):
            return line.partition(":")[2].strip().strip("'\"") or None
    return None


def _belongs_to(record: RequestRecord | None, number: int) -> bool:
    return record is None or (record.pr_number == number and record.status in PR_STAGE)


def _conflicts(
    path: str, existing: RequestRecord | None, number: int, on_branch: bool
) -> list[Diagnostic]:
    if existing is None or on_branch:
        return []
    if existing.status in TERMINAL_STATUSES:
        message = (
            f"the name of this request was used by a request that is now"
            f" {existing.status.value}; choose another file name"
        )
        return [_diagnostic(path, "request-name-used", message, Severity.ERROR)]
    message = f"pull request #{existing.pr_number} requests this too"
    return [_diagnostic(path, "request-on-other-pull", message, Severity.WARNING)]


def _unsupported_update(
    path: str, item: CatalogItem | None, kind: RevisionKind
) -> list[Diagnostic]:
    if kind != "update" or item is None or item.fulfillment.update:
        return []
    message = (
        f"catalog item {item.id} defines no fulfillment.update actions:"
        " this change cannot be applied automatically"
    )
    return [_diagnostic(path, "no-update-actions", message, Severity.ERROR)]


def _diagnostic(path: str, code: str, message: str, severity: Severity) -> Diagnostic:
    return Diagnostic(path, 1, 1, severity, code, message)


def _approval_needed(
    path: str, codeowners: str | None, item: CatalogItem | None
) -> str:
    fallback = item.metadata.owner.team if item else None
    owners = code_owners_of(path, codeowners, fallback_team=fallback)
    if not owners:
        return "no code owner is set for this path, so nobody can approve it"
    return (
        f"an approving review by a code owner ({', '.join(owners)}) of the"
        " latest commit; it runs after the merge"
    )
