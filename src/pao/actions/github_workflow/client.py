"""The GitHub Actions REST calls of the ``github-workflow`` action.

Requests follow GitHub's REST conventions: a bearer token,
``Accept: application/vnd.github+json`` and a pinned
``X-GitHub-Api-Version``. Each method sends once; the executor wraps them
in attempt loops.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from pao.actions.context import ActionContext
from pao.actions.http import HttpSender
from pao.actions.vendor_config import GitHubConfig, read_credential
from pao.actions.vendor_http import VendorApi

__all__ = ["API_VERSION", "GitHubActionsClient", "explain_github_error"]

API_VERSION = "2022-11-28"
_PAGE_SIZE = 100


def explain_github_error(body: Any) -> str | None:
    """GitHub's ``{"message", "errors": [...]}`` as one line."""
    if isinstance(body, str):
        return body.strip() or None
    if not isinstance(body, Mapping):
        return None
    parts = [" ".join(str(body.get("message") or "").split())]
    for error in body.get("errors") or []:
        if isinstance(error, Mapping):
            detail = error.get("message") or error.get("code")
            parts.append(f"{error.get('field', 'error')}: {detail}")
        elif error:
            parts.append(str(error))
    return "; ".join(part for part in parts if part) or None


class GitHubActionsClient:
    """Dispatches workflows and reads their runs."""

    def __init__(self, config: GitHubConfig, *, sender: HttpSender | None) -> None:
        self.config = config
        self._api = VendorApi(
            vendor="GitHub",
            explain=explain_github_error,
            auth_hint="check github.token in pao's configuration",
            sender=sender,
            rate_limits_with_403=True,
        )

    def dispatch(
        self,
        repository: str,
        workflow: str,
        *,
        ref: str,
        inputs: Mapping[str, str],
        ctx: ActionContext,
    ) -> None:
        """Start *workflow* on *ref*; GitHub answers 204 and no run id."""
        path = f"/repos/{repository}/actions/workflows/{quote(workflow, safe='')}"
        body = {"ref": ref, "inputs": dict(inputs)}
        what = f"dispatch workflow {workflow} of {repository}"
        self._call("POST", f"{path}/dispatches", ctx=ctx, what=what, body=body)

    def workflow_runs(
        self,
        repository: str,
        workflow: str,
        *,
        branch: str,
        since: datetime,
        ctx: ActionContext,
        max_pages: int = 3,
    ) -> Iterator[dict[str, Any]]:
        """The workflow's dispatched runs on *branch* created since *since*,
        newest first."""
        path = f"/repos/{repository}/actions/workflows/{quote(workflow, safe='')}/runs"
        params = {
            "event": "workflow_dispatch",
            "branch": branch,
            "created": ">=" + since.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "per_page": str(_PAGE_SIZE),
        }
        for page in range(1, max_pages + 1):
            body = self._call(
                "GET",
                path,
                ctx=ctx,
                what=f"list runs of {workflow} in {repository}",
                params=params | {"page": str(page)},
            )
            runs = [r for r in body.get("workflow_runs") or [] if isinstance(r, dict)]
            yield from runs
            if len(runs) < _PAGE_SIZE:
                return

    def run(
        self, repository: str, run_id: int, *, ctx: ActionContext
    ) -> dict[str, Any]:
        path = f"/repos/{repository}/actions/runs/{run_id}"
        return self._call("GET", path, ctx=ctx, what=f"read workflow run {run_id}")

    def _call(
        self,
        method: str,
        path: str,
        *,
        ctx: ActionContext,
        what: str,
        params: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> dict[str, Any]:
        return self._api.call_json(
            method,
            self.config.api_url.rstrip("/") + path,
            token=self._token(),
            headers={
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": API_VERSION,
            },
            media_type="application/json",
            ctx=ctx,
            what=what,
            params=params,
            body=body,
        )

    def _token(self) -> str:
        return read_credential(self.config.token, "github.token")
