"""Index the catalog repo: re-check only the files that changed.

Called by the controller's poll loop (and on a catalog push webhook) after
a fetch. Each catalog file's check outcome is kept in memory, keyed by
path, so a push re-reads only the files git says changed; the catalog is
then re-assembled from the outcomes, which settles ids across files (the
same id in two files is an error in both).

An invalid file never breaks what serves: the item's last valid version
keeps serving, marked stale, and the errors are listed in the index.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

from pao.catalog import (
    CatalogItem,
    CatalogLoad,
    CheckedFile,
    LoadedItem,
    assemble_catalog,
    check_item_content,
)
from pao.core.diagnostics import Diagnostic
from pao.forge.git import ChangeKind, GitRepo
from pao.store import NewCatalogVersion, Store

__all__ = ["CatalogSync", "CatalogSyncReport"]

logger = structlog.get_logger(__name__)

REPO = "catalog"


@dataclass(slots=True)
class CatalogSyncReport:
    head: str
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)


class CatalogSync:
    """Keeps the loaded catalog and the catalog index at the repo's head."""

    def __init__(
        self,
        *,
        store: Store,
        repo: GitRepo,
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self.store = store
        self.repo = repo
        self.on_change = on_change
        self.stale: set[str] = set()
        self._checked: dict[str, CheckedFile] = {}
        self._catalog = CatalogLoad()
        self._head: str | None = None
        self._lock = threading.Lock()

    def current(self) -> CatalogLoad:
        """The catalog as of the last pass (valid and stale items)."""
        return self._catalog

    @property
    def head(self) -> str | None:
        return self._head

    def sync(self, head: str) -> CatalogSyncReport:
        with self._lock:
            return self._sync(head)

    def _sync(self, head: str) -> CatalogSyncReport:
        report = CatalogSyncReport(head=head)
        if head == self._head:
            return report
        # A fresh process knows no outcomes yet: list everything once.
        base = self._head if self._checked or self._head else None
        changes = self.repo.changes(base, head, prefix="catalog/")
        touched = [c.path for c in changes if c.kind is not ChangeKind.DELETED]
        gone = {c.path for c in changes if c.kind is ChangeKind.DELETED}
        if changes.full:
            gone |= set(self._checked) - set(touched)
        contents = self.repo.read_many(touched, head) if touched else {}
        for path in touched:
            content = contents.get(path)
            if content is not None:
                self._checked[path] = check_item_content(content, file=path)
        for path in gone:
            self._checked.pop(path, None)
        catalog = assemble_catalog(self._checked.values())
        self._keep_last_valid(catalog)
        self._index(catalog, head, touched, report)
        self._catalog = catalog
        self._head = head
        self.store.set_repo_state(repo=REPO, indexed_sha=head)
        report.errors = [d for d in catalog.diagnostics if d.severity == "error"]
        logger.info(
            "catalog_indexed",
            head=head,
            items=len(catalog.items),
            changed=len(report.changed),
            errors=len(report.errors),
        )
        if report.changed or report.removed:
            self.on_change()
        return report

    def _keep_last_valid(self, catalog: CatalogLoad) -> None:
        """Broken items keep serving their last valid version, marked stale."""
        self.stale = set()
        for item_id, path in catalog.broken.items():
            previous = self._catalog.get(item_id) or self._from_index(item_id)
            if previous is not None:
                catalog.items[item_id] = previous
                self.stale.add(item_id)
                logger.warning("catalog_item_stale", item_id=item_id, path=path)

    def _from_index(self, item_id: str) -> LoadedItem | None:
        stored = self.store.get_catalog_item(item_id)
        if stored is None or stored.current.data is None:
            return None
        item = CatalogItem.model_validate(stored.current.data)
        return CatalogLoad.from_items([item]).items[item_id]

    def _index(
        self,
        catalog: CatalogLoad,
        head: str,
        touched: list[str],
        report: CatalogSyncReport,
    ) -> None:
        for path in touched:
            outcome = self._checked.get(path)
            if outcome is None:
                continue
            _, changed = self.store.upsert_catalog_version(
                _version(outcome, catalog, head)
            )
            if changed:
                report.changed.append(path)
        present = {o.item_id for o in self._checked.values() if o.item_id}
        for item_id in self.store.list_catalog_item_ids():
            if item_id not in present and self.store.remove_catalog_item(item_id):
                report.removed.append(item_id)


def _version(
    outcome: CheckedFile, catalog: CatalogLoad, head: str
) -> NewCatalogVersion:
    item_id = outcome.item_id or outcome.file.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    loaded = outcome.loaded
    # A valid file whose id is also used elsewhere is not servable either.
    valid = loaded is not None and catalog.broken.get(item_id) != outcome.file
    diagnostics = [d.as_dict() for d in catalog.diagnostics if d.file == outcome.file]
    if loaded is None or not valid:
        return NewCatalogVersion(
            item_id=item_id,
            path=outcome.file,
            commit_sha=head,
            content_sha256=outcome.sha256,
            valid=False,
            diagnostics=diagnostics,
        )
    item = loaded.item
    return NewCatalogVersion(
        item_id=item_id,
        path=outcome.file,
        commit_sha=head,
        content_sha256=loaded.sha256,
        valid=True,
        version=item.metadata.version,
        data=item.model_dump(by_alias=True, mode="json", exclude_none=True),
        diagnostics=diagnostics,
        name=item.metadata.name,
        description=item.metadata.description,
        category=item.metadata.category,
        tags=list(item.metadata.tags),
        lifecycle_status=item.lifecycle.status,
        owner_team=item.metadata.owner.team,
    )
