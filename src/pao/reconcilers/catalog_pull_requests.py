"""The catalog repo on GitHub: a check on pull requests, a status on pushes.

A pull request changing ``catalog/`` gets a ``pao/validate`` check run on
its head: every catalog file at the head is checked (ids are unique across
the whole catalog, so one file's change can break another), and the
problems in the files the pull request changes become annotations.

A push to the default branch is indexed by the controller's catalog pass
(incrementally, from git); :meth:`CatalogChecks.report_push` then sets the
``pao/catalog`` commit status on the pushed commit: failing with the
errors when a file is invalid (whose last valid version keeps serving).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import structlog

from pao.catalog import assemble_catalog, check_item_content
from pao.core import Diagnostic
from pao.core.diagnostics import has_errors
from pao.forge.git import GitRepo
from pao.forge.github import Annotation, CheckOutput, GitHubRepo, PullRequest
from pao.reconcilers.check_runs import VALIDATE_CHECK
from pao.reconcilers.plan_comment import format_diagnostic

__all__ = ["CATALOG_STATUS", "CatalogChecks"]

logger = structlog.get_logger(__name__)

CATALOG_STATUS = "pao/catalog"
_PREFIX = "catalog/"


class CatalogChecks:
    """Checks catalog pull requests and reports catalog pushes."""

    def __init__(
        self, *, repo: GitHubRepo, clone: Callable[[], GitRepo | None]
    ) -> None:
        self.repo = repo
        self.clone = clone

    def check_pull(self, number: int) -> list[Diagnostic] | None:
        """Post the check of pull request *number*; ``None`` when it
        changes no catalog file or is closed."""
        pull = self.repo.get_pull(number)
        git = self.clone()
        if pull.state != "open" or git is None:
            return None
        changed = {
            f.path
            for f in self.repo.list_pull_files(number)
            if f.path.startswith(_PREFIX) and f.status != "removed"
        }
        removed = [
            f.path for f in self.repo.list_pull_files(number) if f.status == "removed"
        ]
        if not changed and not any(p.startswith(_PREFIX) for p in removed):
            return None
        head = git.fetch_ref(pull.head_sha)
        found = [d for d in _check_tree(git, head) if d.file in changed]
        self._post(pull, head, found, changed)
        return found

    def report_push(self, head: str, errors: Sequence[Diagnostic]) -> None:
        """The ``pao/catalog`` status of indexed commit *head*."""
        if errors:
            first = format_diagnostic(errors[0]).replace("`", "")
            more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
            self.repo.create_status(
                head,
                state="failure",
                context=CATALOG_STATUS,
                description=f"{first}{more}",
            )
        else:
            self.repo.create_status(
                head,
                state="success",
                context=CATALOG_STATUS,
                description="catalog indexed; every item is valid",
            )
        logger.info("catalog_status_set", head=head, errors=len(errors))

    def _post(
        self,
        pull: PullRequest,
        head: str,
        found: list[Diagnostic],
        changed: set[str],
    ) -> None:
        errors = [d for d in found if d.severity == "error"]
        title = (
            f"{len(errors)} error(s) in the changed catalog items"
            if errors
            else f"{len(changed)} changed catalog file(s) valid"
        )
        lines = [
            f"- `{d.file}:{d.line}:{d.column}` {d.message} [{d.code}]" for d in found
        ]
        summary = "\n".join(lines) or "Every changed catalog item is valid."
        output = CheckOutput(
            title=title,
            summary=summary,
            annotations=tuple(Annotation.from_diagnostic(d) for d in found),
        )
        self.repo.create_check_run(
            head_sha=head,
            name=VALIDATE_CHECK,
            status="completed",
            conclusion="failure" if has_errors(found) else "success",
            output=output,
        )


def _check_tree(git: GitRepo, head: str) -> list[Diagnostic]:
    """Every diagnostic of the catalog as it is at *head*."""
    paths = git.list_files(_PREFIX, head)
    contents = git.read_many(paths, head)
    checked = [
        check_item_content(content, file=path) for path, content in contents.items()
    ]
    return list(assemble_catalog(checked).diagnostics)
