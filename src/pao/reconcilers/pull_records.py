"""Index records of requests that so far live only on a pull request.

A request file added on a pull request is validated and planned there,
and recorded under its final id with the pull request's number, so the API
lists it: ``validating`` → ``awaiting_approval`` (or ``failed`` with the
validation errors). It never runs from there. When the pull request
merges, the requests-repo indexer finds the same content on the default
branch and leaves the record as it is; the approval check then queues it.
When the pull request closes unmerged, its records are cancelled.

Until its file reaches the default branch, such a record is reported on
the pull request only: no status file is written for it, and a full
re-listing of the branch does not take it for deleted
(:func:`never_on_branch`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import Any

import structlog

from pao.catalog import CatalogItem
from pao.core import Diagnostic
from pao.core.diagnostics import has_errors
from pao.forge.git import GitRepo
from pao.reconcilers.plan import RevisionData, RevisionKind
from pao.reconcilers.status_file import status_path
from pao.store import NewRevision, RequestRecord, RequestStatus, Store

__all__ = [
    "PR_STAGE",
    "cancel_pull_records",
    "content_sha256",
    "never_on_branch",
    "record_pull_request",
    "records_of_pull",
    "revision_kind",
]

logger = structlog.get_logger(__name__)

S = RequestStatus
ACTOR = "github"
#: Statuses a request can have while it lives on a pull request only.
PR_STAGE = frozenset({S.SUBMITTED, S.VALIDATING, S.AWAITING_APPROVAL, S.FAILED})
#: ... and those it ends in when its pull request closes unmerged.
_PR_ENDED = frozenset({S.CANCELLED, S.ABORTED})


def content_sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def records_of_pull(store: Store, number: int) -> Iterator[RequestRecord]:
    """The requests recorded for pull request *number*."""
    after = None
    while True:
        page = store.list_requests(
            pr_number=number, after=after, limit=500, with_total=False
        )
        yield from page.items
        if not page.has_more:
            return
        after = page.next_key


def never_on_branch(repo: GitRepo, record: RequestRecord) -> bool:
    """Whether *record* lives on a pull request only: neither its file nor
    a status file of it is on the default branch."""
    if record.pr_number is None or record.status not in PR_STAGE | _PR_ENDED:
        return False
    head = repo.head_sha()
    found = repo.read_many([record.path, status_path(record.path)], head)
    return not found


def record_pull_request(
    store: Store,
    *,
    number: int,
    path: str,
    ids: tuple[str, str, str],
    content: bytes,
    head: str,
    document: dict[str, Any],
    item: CatalogItem | None,
    diagnostics: Sequence[Diagnostic],
    requester: str | None,
    team: str,
) -> RequestRecord:
    """Create or revise the record of a request seen on pull request
    *number*, and settle it as awaiting approval or failed."""
    request_id, item_id, name = ids
    data: RevisionData = {
        "kind": "create",
        "item_version": item.metadata.version if item else "",
        "document": document,
        "diagnostics": [d.as_dict() for d in diagnostics],
    }
    revision = NewRevision(
        commit_sha=head,
        content_sha256=content_sha256(content),
        data=dict(data),
        author=requester,
    )
    existing = store.find_request(request_id)
    if existing is None:
        record = store.create_request(
            request_id=request_id,
            item_id=item_id,
            name=name,
            path=path,
            team=team,
            owner_team=item.metadata.owner.team if item else None,
            requester=requester,
            revision=revision,
            actor=ACTOR,
            pr_number=number,
        )
        record = _move(store, record, S.VALIDATING)
    else:
        # A record left in validating by a crash is settled again below.
        again = existing.status is S.VALIDATING
        store.add_revision(
            request_id=request_id,
            revision=revision,
            actor=ACTOR,
            to_status=None if again else S.VALIDATING,
        )
        record = store.get_request(request_id)
    if record.status is S.SUBMITTED:
        record = _move(store, record, S.VALIDATING)
    if record.status is S.VALIDATING:
        record = _settle(store, record, item, diagnostics)
    return record


def cancel_pull_records(
    store: Store, records: Sequence[RequestRecord], *, reason: str
) -> list[RequestRecord]:
    """End the records of a pull request that closed unmerged."""
    ended: list[RequestRecord] = []
    for record in records:
        details = {"reason": reason}
        if record.status in (S.SUBMITTED, S.VALIDATING, S.AWAITING_APPROVAL):
            ended.append(_move(store, record, S.CANCELLED, details=details))
        elif record.status is S.FAILED and not store.list_action_runs(
            request_id=record.id
        ):
            ended.append(_move(store, record, S.ABORTED, details=details))
    return ended


def revision_kind(record: RequestRecord | None) -> RevisionKind:
    """The kind of change a file edit makes to *record*."""
    if record is not None and record.status is S.COMPLETED:
        return "update"
    return "create"


def _settle(
    store: Store,
    record: RequestRecord,
    item: CatalogItem | None,
    diagnostics: Sequence[Diagnostic],
) -> RequestRecord:
    if has_errors(diagnostics) or item is None:
        errors = [d.as_dict() for d in diagnostics if d.severity == "error"]
        failure = {"error": "the request is invalid", "validation": errors}
        return _move(store, record, S.FAILED, failure=failure)
    return _move(store, record, S.AWAITING_APPROVAL, failure=None)


def _move(
    store: Store,
    record: RequestRecord,
    to_status: RequestStatus,
    **changes: Any,
) -> RequestRecord:
    moved = store.transition_request(
        request_id=record.id,
        to_status=to_status,
        actor=ACTOR,
        expected_from=[record.status],
        **changes,
    )
    logger.info("pull_request_record_moved", request_id=record.id, to=to_status)
    return moved
