"""What the pull-request reconcilers share: the repos, the index, GitHub.

One :class:`PullContext` per process, built by the controller when GitHub
is configured. The requests repo's clone and the catalog are reached
through callables because the controller opens them lazily.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pao.catalog import CatalogItem, CatalogLoad
from pao.core import Diagnostic
from pao.core.diagnostics import Severity
from pao.forge.codeowners_sync import CODEOWNERS_PATHS
from pao.forge.git import GitRepo
from pao.forge.github import GitHub, GitHubRepo
from pao.reconcilers.context import build_request_context
from pao.store import RequestRecord, RequestStatus, Store

__all__ = ["PullContext", "RepoUnavailable", "diagnostics_of", "preview_record"]


class RepoUnavailable(Exception):
    """The requests repo's clone is not open yet (nothing fetched so far)."""


@dataclass(frozen=True, kw_only=True)
class PullContext:
    """The collaborators of the pull-request reconcilers."""

    store: Store
    github: GitHub
    repo: GitHubRepo
    clone: Callable[[], GitRepo | None]
    catalog: Callable[[], CatalogLoad]
    environment_allow: tuple[str, ...] = ()
    #: Index the default branch now (the controller's reconcile pass).
    refresh: Callable[[], None] = lambda: None
    #: Tell the dispatcher that requests were queued.
    wake: Callable[[], None] = lambda: None

    def git(self) -> GitRepo:
        clone = self.clone()
        if clone is None:
            raise RepoUnavailable("the requests repo has not been cloned yet")
        return clone

    def item(self, item_id: str) -> CatalogItem | None:
        loaded = self.catalog().get(item_id)
        return loaded.item if loaded else None

    def codeowners(self, sha: str) -> str | None:
        """The CODEOWNERS text GitHub would use at *sha*."""
        git = self.git()
        found = git.read_many(CODEOWNERS_PATHS, sha)
        for path in CODEOWNERS_PATHS:
            if path in found:
                return found[path].decode("utf-8", "replace")
        return None

    def context_for(
        self,
        record: RequestRecord,
        item: CatalogItem,
        document: Mapping[str, Any],
        outputs: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """Template scopes for previewing *record*'s actions (secrets masked)."""
        return build_request_context(
            request=record,
            item=item,
            document=document,
            outputs=outputs or {},
            environment_allow=self.environment_allow,
        )


def preview_record(
    *, request_id: str, item_id: str, name: str, path: str, team: str
) -> RequestRecord:
    """A stand-in record for planning a request the index does not hold."""
    now = datetime.now(UTC)
    return RequestRecord(
        id=request_id,
        item_id=item_id,
        name=name,
        path=path,
        team=team,
        owner_team=None,
        requester=None,
        status=RequestStatus.SUBMITTED,
        revision=0,
        revision_sha="",
        created_at=now,
        updated_at=now,
        escalation=None,
        failure=None,
        pr_number=None,
        lease_owner=None,
        lease_expires_at=None,
    )


def diagnostics_of(stored: Any) -> tuple[Diagnostic, ...]:
    """Diagnostics back from their stored dicts."""
    found: list[Diagnostic] = []
    for entry in stored or ():
        if not isinstance(entry, Mapping):
            continue
        found.append(
            Diagnostic(
                file=str(entry.get("file", "")),
                line=int(entry.get("line", 1)),
                column=int(entry.get("column", 1)),
                severity=Severity(entry.get("severity", "error")),
                code=str(entry.get("code", "")),
                message=str(entry.get("message", "")),
            )
        )
    return tuple(found)
