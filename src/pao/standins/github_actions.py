"""A GitHub Actions stand-in: workflow dispatch, workflow runs, webhooks.

Endpoints (the REST API root is the server root, as on api.github.com):
``POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches``
answers 204 with no body and no run id, as GitHub does; ``GET
/repos/{owner}/{repo}/actions/workflows/{workflow_id}``; ``GET
/repos/{owner}/{repo}/actions/runs`` and ``.../workflows/{id}/runs``
(filters ``event``, ``branch``, ``status``, ``created``, ``head_sha``,
``per_page``, ``page``); ``GET /repos/{owner}/{repo}/actions/runs/{id}``.

A dispatched run is ``queued``, then ``in_progress``, then ``completed``
with the workflow's scripted conclusion, one step every ``step_seconds``
(or through ``advance()``). Its ``display_title`` is the workflow's
``run_name`` filled from the inputs (see ``github_actions_model``), which
is how a caller finds the run its dispatch started. Each step is sent to
``webhook_url`` as a ``workflow_run`` event (``requested``,
``in_progress``, ``completed``) with ``X-GitHub-Event``,
``X-GitHub-Delivery`` and, given a secret, ``X-Hub-Signature-256:
sha256=<hex HMAC-SHA256 of the body>``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from pao.standins.base import Delivery, Standin
from pao.standins.github_actions_model import (
    Conclusion,
    GhRepo,
    GhRun,
    GhWorkflow,
    GithubActionsState,
    WorkflowInput,
    created_filter,
    new_sha,
    render_run_name,
    repo_json,
    run_json,
    workflow_json,
)
from pao.standins.github_dispatch import validate_dispatch
from pao.standins.github_objects import GitHubSite, gh_time, github_error, user_json

__all__ = ["GithubActionsStandin"]

_RUN_DOCS = "https://docs.github.com/rest/actions/workflow-runs"
_WEBHOOK_ACTIONS = {"queued": "requested", "in_progress": "in_progress"}


def _error(
    message: str, status: int, docs: str = "https://docs.github.com/rest"
) -> Response:
    return JSONResponse(github_error(message, status, docs), status_code=status)


class GithubActionsStandin(Standin):
    """Repositories with dispatchable workflows whose runs progress."""

    name = "github-actions"

    def __init__(
        self,
        *,
        token: str,
        step_seconds: float | None = 0.05,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        max_inputs: int = 25,
    ) -> None:
        super().__init__()
        self.token = token
        self.step_seconds = step_seconds
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.max_inputs = max_inputs
        self.state = GithubActionsState()

    @property
    def site(self) -> GitHubSite:
        base = self.url if self._server is not None else "http://github.invalid"
        return GitHubSite(api=base, web=base)

    def routes(self) -> list[BaseRoute]:
        repo = "/repos/{owner}/{repo}/actions"
        return [
            Route(f"{repo}/workflows/{{workflow}}", self._workflow, methods=["GET"]),
            Route(
                f"{repo}/workflows/{{workflow}}/dispatches",
                self._dispatch,
                methods=["POST"],
            ),
            Route(
                f"{repo}/workflows/{{workflow}}/runs", self._list_runs, methods=["GET"]
            ),
            Route(f"{repo}/runs", self._list_runs, methods=["GET"]),
            Route(f"{repo}/runs/{{run_id:int}}", self._show_run, methods=["GET"]),
        ]

    def error_body(self, status: int) -> tuple[bytes, str]:
        messages = {429: "API rate limit exceeded", 403: "API rate limit exceeded"}
        message = messages.get(status, "Server Error")
        return json.dumps(github_error(message, status)).encode(), "application/json"

    # -- test controls -----------------------------------------------------------

    def add_repo(
        self,
        full_name: str,
        *,
        branches: tuple[str, ...] = ("main",),
        tags: tuple[str, ...] = (),
    ) -> GhRepo:
        owner, name = full_name.split("/", 1)
        with self.state.lock:
            repo = GhRepo(id=self.state.allocate_id(), owner=owner, name=name)
            repo.default_branch = branches[0]
            for ref in (*branches, *tags):
                repo.refs[ref] = new_sha(repo, ref)
            self.state.repos[full_name.lower()] = repo
        return repo

    def add_workflow(
        self,
        full_name: str,
        file_name: str,
        *,
        name: str | None = None,
        run_name: str | None = None,
        inputs: Mapping[str, WorkflowInput] | None = None,
        conclusion: Conclusion = "success",
        dispatchable: bool = True,
    ) -> GhWorkflow:
        """Add ``.github/workflows/<file_name>`` to a repository."""
        with self.state.lock:
            repo = self.state.repos[full_name.lower()]
            workflow = GhWorkflow(
                id=self.state.allocate_id(),
                name=name or file_name.rsplit(".", 1)[0],
                path=f".github/workflows/{file_name}",
                run_name=run_name,
                inputs=dict(inputs or {}),
                conclusion=conclusion,
                dispatchable=dispatchable,
            )
            repo.workflows[workflow.id] = workflow
        return workflow

    def runs(self) -> list[GhRun]:
        with self.state.lock:
            return list(self.state.runs.values())

    def advance(self, run_id: int, steps: int = 1) -> GhRun:
        """Move a run on by *steps* (webhooks follow)."""
        for _ in range(steps):
            with self.state.lock:
                run = self.state.runs[run_id]
                if not run.ahead:
                    break
                self._step(run)
        return self.state.runs[run_id]

    def tick(self, now: float) -> None:
        if self.step_seconds is None:
            return
        with self.state.lock:
            for run in list(self.state.runs.values()):
                if run.ahead and run.due is not None and run.due <= now:
                    self._step(run)
                    run.due = now + self.step_seconds if run.ahead else None

    # -- lifecycle -------------------------------------------------------------------

    def _step(self, run: GhRun) -> None:
        run.status, run.conclusion = run.ahead.pop(0)
        run.updated_at = gh_time()
        self._notify(run)

    def _notify(self, run: GhRun) -> Delivery | None:
        if self.webhook_url is None or self._server is None:
            return None
        site = self.site
        payload: dict[str, Any] = {
            "action": _WEBHOOK_ACTIONS.get(run.status, run.status),
            "workflow_run": run_json(site, run),
            "workflow": workflow_json(site, run.repo, run.workflow),
            "repository": repo_json(site, run.repo),
            "sender": user_json(site, "pao-bot", 41898282, "Bot"),
        }
        if run.repo.owner_type == "Organization":
            payload["organization"] = payload["repository"]["owner"]
        body = json.dumps(payload).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "GitHub-Hookshot/standin",
            "X-GitHub-Event": "workflow_run",
            "X-GitHub-Delivery": str(uuid.uuid4()),
            "X-GitHub-Hook-ID": "1",
        }
        if self.webhook_secret is not None:
            key = self.webhook_secret.encode()
            digest = hmac.new(key, body, hashlib.sha256).hexdigest()
            headers["X-Hub-Signature-256"] = f"sha256={digest}"
        return self.deliver(self.webhook_url, body, headers)

    # -- requests ------------------------------------------------------------------

    def _denied(self, request: Request) -> Response | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if not token:
            return _error("Requires authentication", 401)
        if scheme.lower() in {"bearer", "token"} and hmac.compare_digest(
            token, self.token
        ):
            return None
        return _error("Bad credentials", 401)

    def _repo(self, request: Request) -> GhRepo | None:
        params = request.path_params
        return self.state.repo(params["owner"], params["repo"])

    async def _workflow(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        with self.state.lock:
            repo = self._repo(request)
            workflow = repo.workflow(request.path_params["workflow"]) if repo else None
            if repo is None or workflow is None:
                return _error("Not Found", 404)
            return JSONResponse(workflow_json(self.site, repo, workflow))

    async def _dispatch(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        body = await request.body()
        with self.state.lock:
            repo = self._repo(request)
            workflow = repo.workflow(request.path_params["workflow"]) if repo else None
            if repo is None or workflow is None:
                return _error(
                    "Not Found", 404, f"{_RUN_DOCS}#create-a-workflow-dispatch-event"
                )
            outcome = validate_dispatch(
                repo, workflow, body, max_inputs=self.max_inputs
            )
            if isinstance(outcome, JSONResponse):
                return outcome
            ref, inputs = outcome
            self._start_run(repo, workflow, ref, inputs)
        return Response(status_code=204)

    def _start_run(
        self, repo: GhRepo, workflow: GhWorkflow, ref: str, inputs: dict[str, str]
    ) -> GhRun:
        branch = ref.removeprefix("refs/heads/").removeprefix("refs/tags/")
        title = workflow.name
        if workflow.run_name is not None:
            title = render_run_name(workflow.run_name, inputs, branch) or workflow.name
        run_number = 1 + sum(
            1 for r in self.state.runs.values() if r.workflow is workflow
        )
        run = GhRun(
            id=self.state.allocate_id(),
            repo=repo,
            workflow=workflow,
            run_number=run_number,
            head_branch=branch,
            head_sha=repo.refs[branch],
            inputs=inputs,
            display_title=title,
            ahead=[("in_progress", None), ("completed", workflow.conclusion)],
        )
        self.state.runs[run.id] = run
        self._notify(run)
        if self.step_seconds is not None:
            run.due = time.monotonic() + self.step_seconds
        return run

    async def _show_run(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        with self.state.lock:
            repo = self._repo(request)
            run = self.state.runs.get(request.path_params["run_id"])
            if repo is None or run is None or run.repo is not repo:
                return _error("Not Found", 404, f"{_RUN_DOCS}#get-a-workflow-run")
            return JSONResponse(run_json(self.site, run))

    async def _list_runs(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        query = request.query_params
        try:
            matches = _run_filter(query)
        except ValueError:
            return _error("Validation Failed: created is not a valid date filter", 422)
        per_page = min(100, max(1, int(query.get("per_page", 30))))
        page = max(1, int(query.get("page", 1)))
        with self.state.lock:
            repo = self._repo(request)
            if repo is None:
                return _error("Not Found", 404)
            workflow = None
            if "workflow" in request.path_params:
                workflow = repo.workflow(request.path_params["workflow"])
                if workflow is None:
                    return _error("Not Found", 404)
            runs = [
                run
                for run in reversed(self.state.runs.values())
                if run.repo is repo
                and workflow in (None, run.workflow)
                and matches(run)
            ]
            shown = [
                run_json(self.site, run)
                for run in runs[(page - 1) * per_page :][:per_page]
            ]
        headers = _links(str(request.url), query, page, per_page, len(runs))
        return JSONResponse(
            {"total_count": len(runs), "workflow_runs": shown}, headers=headers
        )


def _run_filter(query: Mapping[str, str]) -> Callable[[GhRun], bool]:
    created = created_filter(query["created"]) if "created" in query else None

    def matches(run: GhRun) -> bool:
        checks = [
            query.get("event") in (None, run.event),
            query.get("branch") in (None, run.head_branch),
            query.get("head_sha") in (None, run.head_sha),
            query.get("status") in (None, run.status, run.conclusion),
            created is None or created(run.created),
        ]
        return all(checks)

    return matches


def _links(
    url: str, query: Mapping[str, str], page: int, per_page: int, total: int
) -> dict[str, str]:
    last = max(1, -(-total // per_page))
    if last == 1:
        return {}
    base = url.split("?", 1)[0]

    def link(number: int, rel: str) -> str:
        params = {**query, "per_page": str(per_page), "page": str(number)}
        return f'<{base}?{urlencode(params)}>; rel="{rel}"'

    parts = []
    if page < last:
        parts += [link(page + 1, "next"), link(last, "last")]
    if page > 1:
        parts += [link(1, "first"), link(page - 1, "prev")]
    return {"Link": ", ".join(parts)} if parts else {}
