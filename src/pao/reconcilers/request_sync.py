"""Index the requests repo: one pass from the indexed commit to the new head.

Called by the controller's poll loop after each fetch. The file list comes
from git (``GitRepo.changes``), never from a webhook; a force push or an
unknown indexed commit yields a full listing, and requests whose files are
gone from it are treated as deleted. Every step is idempotent: a pass that
crashes half-way is simply done again from the same indexed commit.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

import structlog

from pao.catalog import CatalogItem, CatalogLoad
from pao.core import Diagnostic
from pao.core.diagnostics import has_errors
from pao.forge.git import ChangeKind, CommitInfo, GitRepo
from pao.reconcilers.plan import RevisionData, RevisionKind, request_id_for
from pao.reconcilers.restore import restore_from_status
from pao.reconcilers.status_file import parse_status, status_path
from pao.requests import validate_request_text
from pao.store import (
    ActionRunStatus,
    NewRevision,
    RequestRecord,
    RequestStatus,
    Store,
)

__all__ = ["RequestSync", "SyncReport", "parse_request_path"]

logger = structlog.get_logger(__name__)

S = RequestStatus
REPO = "requests"
ACTOR = "indexer"
_WAITING_TO_RUN = frozenset({S.SUBMITTED, S.VALIDATING, S.AWAITING_APPROVAL, S.QUEUED})


@dataclass(slots=True)
class SyncReport:
    """What one pass did, for logs and tests."""

    head: str
    created: list[str] = field(default_factory=list)
    revised: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)


def parse_request_path(path: str) -> tuple[str, str] | None:
    """``requests/<item-id>/<name>.yaml`` → (item id, name); None otherwise."""
    parts = PurePosixPath(path).parts
    if len(parts) != 3 or parts[0] != "requests" or parts[2].startswith("."):
        return None
    stem, suffix = parts[2].rsplit(".", 1) if "." in parts[2] else (parts[2], "")
    if suffix not in ("yaml", "yml") or not stem:
        return None
    return parts[1], stem


class RequestSync:
    """Brings the index's requests up to a commit of the requests repo."""

    def __init__(
        self,
        *,
        store: Store,
        repo: GitRepo,
        catalog: Callable[[], CatalogLoad],
        on_change: Callable[[str], None] = lambda _request_id: None,
        needs_approval: bool = False,
        off_branch: Callable[[RequestRecord], bool] = lambda _record: False,
    ) -> None:
        self.store = store
        self.repo = repo
        self.catalog = catalog
        self.on_change = on_change
        self.needs_approval = needs_approval
        #: Requests known from an open pull request only: a full listing
        #: of the branch does not take them for deleted.
        self.off_branch = off_branch
        #: Requests whose file changed while they ran; see :meth:`recheck`.
        self.deferred: set[str] = set()

    def sync(self, head: str) -> SyncReport:
        """Index every request change between the indexed commit and *head*."""
        state = self.store.get_repo_state(REPO)
        indexed = state.indexed_sha if state else None
        report = SyncReport(head=head)
        if indexed == head:
            return report
        changes = self.repo.changes(indexed, head, prefix="requests/")
        present = [c.path for c in changes if c.kind is not ChangeKind.DELETED]
        gone = [c.path for c in changes if c.kind is ChangeKind.DELETED]
        if changes.full:
            gone += self._paths_missing_from(present)
        self._index_files(present, head, report)
        for path in gone:
            self._delete(path, report)
        # Advance only after every file was handled: a crash before this
        # line repeats the pass, which is harmless.
        self.store.set_repo_state(repo=REPO, indexed_sha=head)
        logger.info(
            "requests_indexed",
            head=head,
            created=len(report.created),
            revised=len(report.revised),
            deleted=len(report.deleted),
        )
        return report

    def defer_running(self) -> None:
        """Recheck every running request when it ends.

        Deferrals live in memory; a new process cannot know which running
        requests had changes waiting, so it checks them all once.
        """
        after = None
        while True:
            page = self.store.list_requests(
                statuses=[S.IN_PROGRESS], after=after, limit=500, with_total=False
            )
            self.deferred.update(record.id for record in page.items)
            if not page.has_more:
                return
            after = page.next_key

    def recheck(self, request: RequestRecord) -> None:
        """Apply a change that arrived while *request* was running."""
        if request.id not in self.deferred:
            return
        self.deferred.discard(request.id)
        head = self.repo.head_sha()
        content = self.repo.read(request.path, head)
        report = SyncReport(head=head)
        if content is None:
            self._delete(request.path, report)
        elif _sha256(content) != self._current_sha(request):
            author = self.repo.last_change(request.path, head)
            self._upsert(request.path, content, head, author, report=report)

    def _index_files(self, paths: list[str], head: str, report: SyncReport) -> None:
        wanted = [p for p in paths if parse_request_path(p) is not None]
        if not wanted:
            return
        statuses = [status_path(path) for path in wanted]
        # One batch for the files and their status files: a lost index is
        # rebuilt from the latter (see _restored).
        contents = self.repo.read_many([*wanted, *statuses], head)
        authors = self.repo.last_changes(wanted, head)
        for path, status in zip(wanted, statuses, strict=True):
            content = contents.get(path)
            if content is not None:
                self._upsert(
                    path,
                    content,
                    head,
                    authors.get(path),
                    report=report,
                    status=contents.get(status),
                )

    def _paths_missing_from(self, present: list[str]) -> list[str]:
        keep = set(present)
        known: list[str] = []
        after = None
        while True:
            page = self.store.list_requests(after=after, limit=500, with_total=False)
            known += [
                r.path
                for r in page.items
                if r.path not in keep and not self.off_branch(r)
            ]
            if not page.has_more:
                return known
            after = page.next_key

    # -- one file ----------------------------------------------------------

    def _upsert(
        self,
        path: str,
        content: bytes,
        head: str,
        author: CommitInfo | None,
        *,
        report: SyncReport,
        status: bytes | None = None,
    ) -> None:
        parsed = parse_request_path(path)
        assert parsed is not None
        item_id, name = parsed
        request_id = request_id_for(item_id, name)
        existing = self.store.find_request(request_id)
        catalog = self.catalog()
        request, diagnostics = validate_request_text(
            content, catalog, filename=path, expected_item=item_id
        )
        loaded = catalog.get(item_id)
        item = loaded.item if loaded else None
        document = request.model_dump(by_alias=True, mode="json") if request else {}
        if existing is None:
            kind: RevisionKind = "create"
        elif existing.status in (S.ABORTED, S.CANCELLED, S.ESCALATED):
            logger.info(
                "revision_ignored", request_id=request_id, status=existing.status
            )
            return
        elif existing.status is S.IN_PROGRESS:
            # Running work is never re-validated mid-flight; the change is
            # applied when the run ends (see recheck).
            report.deferred.append(request_id)
            self.deferred.add(request_id)
            return
        else:
            kind = self._kind_for(existing)
        data: RevisionData = {
            "kind": kind,
            "item_version": item.metadata.version if item else "",
            "document": document,
            "diagnostics": [d.as_dict() for d in diagnostics],
        }
        revision = NewRevision(
            commit_sha=head,
            content_sha256=_sha256(content),
            data=dict(data),
            author=author.author_email if author else None,
        )
        team = str(document.get("team") or _raw_team(content) or "")
        if existing is None:
            record = self.store.create_request(
                request_id=request_id,
                item_id=item_id,
                name=name,
                path=path,
                team=team,
                owner_team=item.metadata.owner.team if item else None,
                requester=author.author_email if author else None,
                revision=revision,
                actor=ACTOR,
            )
            report.created.append(request_id)
            if status is not None and self._restored(record, status):
                return
            record = self._move(record, S.VALIDATING)
        else:
            if existing.revision_sha == head:
                self._resume(existing, item, kind, diagnostics)
                return
            stored = self.store.add_revision(
                request_id=request_id,
                revision=revision,
                actor=ACTOR,
                to_status=S.VALIDATING,
            )
            if stored.commit_sha != head:
                return  # same content as before: nothing changed
            report.revised.append(request_id)
            record = self.store.get_request(request_id)
        self._settle(record, item, kind, diagnostics)

    def _resume(
        self,
        record: RequestRecord,
        item: CatalogItem | None,
        kind: RevisionKind,
        diagnostics: list[Diagnostic],
    ) -> None:
        """Finish indexing a revision a crash interrupted half-way."""
        if record.status is S.SUBMITTED:
            record = self._move(record, S.VALIDATING)
        if record.status is S.VALIDATING:
            self._settle(record, item, kind, diagnostics)

    def _restored(self, record: RequestRecord, content: bytes) -> bool:
        """Take the phase from the status file of a request the index lost."""
        status = parse_status(content)
        if status is None or status.get("id") != record.id:
            return False
        restored = restore_from_status(self.store, record, status)
        if restored is None:
            return False
        logger.info("request_restored", request_id=record.id, phase=restored.status)
        self.on_change(record.id)
        return True

    def _settle(
        self,
        record: RequestRecord,
        item: CatalogItem | None,
        kind: RevisionKind,
        diagnostics: list[Diagnostic],
    ) -> None:
        """validating → failed (with the errors) or queued."""
        if has_errors(diagnostics) or item is None:
            errors = [d.as_dict() for d in diagnostics if d.severity == "error"]
            failure = {"error": "the request is invalid", "validation": errors}
            self._move(record, S.FAILED, failure=failure)
            return
        if kind == "update" and not item.fulfillment.update:
            failure = {
                "error": (
                    f"catalog item {item.id} defines no fulfillment.update actions:"
                    " this change cannot be applied automatically"
                ),
            }
            self._move(record, S.FAILED, failure=failure)
            return
        target = S.AWAITING_APPROVAL if self.needs_approval else S.QUEUED
        self._move(record, target, failure=None)

    def _delete(self, path: str, report: SyncReport) -> None:
        parsed = parse_request_path(path)
        if parsed is None:
            return
        request = self.store.find_request(request_id_for(*parsed))
        if request is None:
            return
        report.deleted.append(request.id)
        if request.status in _WAITING_TO_RUN:
            self._move(request, S.CANCELLED)
        elif request.status is S.FAILED:
            self._move(request, S.ABORTED, details={"reason": "request file deleted"})
        elif request.status is S.COMPLETED:
            self._decommission(request)
        elif request.status is S.IN_PROGRESS:
            report.deferred.append(request.id)
            self.deferred.add(request.id)

    def _decommission(self, request: RequestRecord) -> None:
        loaded = self.catalog().get(request.item_id)
        item = loaded.item if loaded else None
        if item is None or not item.fulfillment.decommission:
            self.store.append_audit(
                request_id=request.id,
                actor=ACTOR,
                event="request.deleted",
                details={"note": "the item defines no decommission actions"},
            )
            return
        previous = self.store.get_revision(request_id=request.id)
        data: RevisionData = {
            "kind": "decommission",
            "item_version": item.metadata.version,
            "document": dict(previous.data.get("document") or {}),
        }
        revision = NewRevision(
            commit_sha=self.repo.head_sha(),
            content_sha256=f"deleted:{previous.content_sha256}",
            data=dict(data),
        )
        self.store.add_revision(
            request_id=request.id,
            revision=revision,
            actor=ACTOR,
            to_status=S.VALIDATING,
        )
        target = S.AWAITING_APPROVAL if self.needs_approval else S.QUEUED
        self._move(self.store.get_request(request.id), target)

    def _kind_for(self, request: RequestRecord) -> RevisionKind:
        if request.status is S.COMPLETED:
            return "update"
        if request.status is S.FAILED and self._anything_succeeded(request):
            return "update"
        return "create"

    def _anything_succeeded(self, request: RequestRecord) -> bool:
        runs = self.store.list_action_runs(request_id=request.id)
        return any(run.status is ActionRunStatus.SUCCEEDED for run in runs)

    def _current_sha(self, request: RequestRecord) -> str:
        return self.store.get_revision(request_id=request.id).content_sha256

    def _move(
        self, record: RequestRecord, to_status: RequestStatus, **changes: Any
    ) -> RequestRecord:
        moved = self.store.transition_request(
            request_id=record.id,
            to_status=to_status,
            actor=ACTOR,
            expected_from=[record.status],
            **changes,
        )
        self.on_change(record.id)
        return moved


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _raw_team(content: bytes) -> str | None:
    # An invalid request still names its team when it can, so the team
    # sees its own failed request in listings.
    for line in content.decode("utf-8", "replace").splitlines():
        if line.startswith("team:"):
            return line.partition(":")[2].strip().strip("'\"") or None
    return None
