"""Writes request status back into the requests repo, on state changes.

The audit log is the change feed: every status change appends an entry in
the same transaction, whichever process made it (a worker, a CLI command,
a pull-request comment). Each pass reads the entries after its watermark,
renders the status file of each request they name, and commits the files
that differ — touching only ``status/`` and never force-pushing. A status
file is a pure function of the stored state, so re-reading an entry twice
writes nothing the second time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable

import structlog

from pao.forge.git import GitRepo, GitUnavailable, Identity, PushRejected
from pao.reconcilers.status_file import dump_status, status_document, status_path
from pao.store import NotFound, RequestRecord, Store

__all__ = ["StatusWriter"]

logger = structlog.get_logger(__name__)

WATERMARK = "status-writer"
# Entries can commit out of id order on PostgreSQL; re-reading a few
# already seen costs nothing (unchanged files are not committed).
OVERLAP = 200
BATCH = 2000


class StatusWriter:
    """Turns audit entries into status commits."""

    def __init__(
        self,
        *,
        store: Store,
        repo: GitRepo,
        author: Identity,
        skip: Callable[[RequestRecord], bool] = lambda _record: False,
        on_seen: Callable[[set[str]], None] = lambda _ids: None,
    ) -> None:
        #: Told which requests changed, whichever process changed them.
        self.on_seen = on_seen
        self.store = store
        self.repo = repo
        self.author = author
        #: Requests not to write (those living on a pull request only).
        self.skip = skip
        self.commits = 0
        self._dirty: set[str] = set()
        # The newest audit entry each request's file was written for.
        self._written: dict[str, int] = {}
        self._lock = threading.Lock()

    def mark(self, request_id: str) -> None:
        """Note a change made in this process (read back on the next pass)."""
        with self._lock:
            self._dirty.add(request_id)

    def write_pending(self) -> int:
        """One pass; returns how many status files were committed."""
        state = self.store.get_repo_state(WATERMARK)
        watermark = int(state.indexed_sha) if state and state.indexed_sha else 0
        entries = self.store.list_audit(after_id=watermark, limit=BATCH)
        with self._lock:
            ids = set(self._dirty)
            self._dirty.clear()
        if not entries and not ids:
            return 0
        if entries:
            entries = self.store.list_audit(
                after_id=max(0, watermark - OVERLAP), limit=BATCH + OVERLAP
            )
        # Re-read entries (the overlap) count only for requests not already
        # written at or after them by this process.
        newest: dict[str, int] = {}
        for entry in entries:
            if entry.request_id and entry.id > self._written.get(entry.request_id, 0):
                newest[entry.request_id] = entry.id
        ids |= set(newest)
        self.on_seen(ids)
        written = self._write(ids) if ids else 0
        self._written.update(newest)
        if entries and entries[-1].id > watermark:
            self.store.set_repo_state(repo=WATERMARK, indexed_sha=str(entries[-1].id))
        return written

    def _write(self, request_ids: Iterable[str]) -> int:
        files: dict[str, bytes | None] = {}
        names: list[str] = []
        for request_id in sorted(request_ids):
            try:
                request = self.store.get_request(request_id)
            except NotFound:
                continue
            if self.skip(request):
                continue
            revision = self.store.get_revision(request_id=request_id)
            runs = self.store.list_action_runs(request_id=request_id)
            document = status_document(
                request=request,
                runs=runs,
                item_version=revision.data.get("item_version") or None,
                diagnostics=revision.data.get("diagnostics") or None,
            )
            files[status_path(request.path)] = dump_status(document)
            names.append(f"{request.item_id}/{request.name}: {request.status.value}")
        if not files:
            return 0
        message = _message(names)
        try:
            commit = self.repo.commit_files(files, message=message, author=self.author)
        except (GitUnavailable, PushRejected) as exc:
            # Nothing is lost: the entries are read again on the next pass.
            with self._lock:
                self._dirty.update(request_ids)
            logger.warning("status_commit_failed", error=str(exc))
            raise
        if commit is not None:
            self.commits += 1
            logger.info("status_committed", commit=commit, files=len(files))
        return len(files) if commit else 0


def _message(names: list[str]) -> str:
    if len(names) == 1:
        return f"pao: {names[0]}"
    body = "\n".join(f"- {name}" for name in names[:50])
    more = f"\n- … and {len(names) - 50} more" if len(names) > 50 else ""
    return f"pao: status of {len(names)} requests\n\n{body}{more}"
