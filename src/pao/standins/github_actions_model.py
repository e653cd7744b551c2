"""Repositories, workflows and workflow runs of the GitHub Actions stand-in.

A workflow's ``run_name`` mirrors the ``run-name:`` key of a workflow
file: ``${{ inputs.NAME }}`` (or ``${{ github.event.inputs.NAME }}``) is
filled from the dispatch's inputs, so ``run-name: ${{ inputs.correlation_id
}}`` gives each run a ``display_title`` equal to the correlation id it was
dispatched with. Without ``run_name`` the display title is the workflow's
name, as GitHub does for ``workflow_dispatch`` runs.
"""

from __future__ import annotations

import operator
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pao.standins.github_objects import (
    GitHubSite,
    commit_json,
    fake_sha,
    gh_time,
    node_id,
    repository_json,
    user_json,
)

__all__ = [
    "Conclusion",
    "GhRepo",
    "GhRun",
    "GhWorkflow",
    "GithubActionsState",
    "WorkflowInput",
    "created_filter",
    "render_run_name",
    "run_json",
    "workflow_json",
]

Conclusion = Literal["success", "failure", "cancelled", "timed_out"]
_EXPRESSION = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")


@dataclass(frozen=True)
class WorkflowInput:
    """An ``on.workflow_dispatch.inputs`` entry."""

    required: bool = False
    default: str | None = None
    options: tuple[str, ...] | None = None


@dataclass
class GhWorkflow:
    id: int
    name: str
    path: str
    run_name: str | None = None
    inputs: dict[str, WorkflowInput] = field(default_factory=dict)
    conclusion: Conclusion = "success"
    dispatchable: bool = True
    created_at: str = field(default_factory=gh_time)

    @property
    def file_name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


@dataclass
class GhRepo:
    id: int
    owner: str
    name: str
    owner_type: str = "Organization"
    default_branch: str = "main"
    refs: dict[str, str] = field(default_factory=dict)
    workflows: dict[int, GhWorkflow] = field(default_factory=dict)

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    def workflow(self, ref: str) -> GhWorkflow | None:
        """The workflow named by numeric id or by file name."""
        for workflow in self.workflows.values():
            if ref in (str(workflow.id), workflow.file_name):
                return workflow
        return None


@dataclass
class GhRun:
    id: int
    repo: GhRepo
    workflow: GhWorkflow
    run_number: int
    head_branch: str
    head_sha: str
    inputs: dict[str, str]
    display_title: str
    event: str = "workflow_dispatch"
    status: str = "queued"
    conclusion: str | None = None
    created: datetime = field(
        default_factory=lambda: datetime.now(UTC).replace(microsecond=0)
    )
    updated_at: str = field(default_factory=gh_time)
    ahead: list[tuple[str, str | None]] = field(default_factory=list)
    due: float | None = None


@dataclass
class GithubActionsState:
    """Repositories and runs; guarded by ``lock``."""

    repos: dict[str, GhRepo] = field(default_factory=dict)
    runs: dict[int, GhRun] = field(default_factory=dict)
    next_id: int = 30_433_642
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def repo(self, owner: str, name: str) -> GhRepo | None:
        return self.repos.get(f"{owner}/{name}".lower())

    def allocate_id(self) -> int:
        self.next_id += 1
        return self.next_id


def render_run_name(template: str, inputs: dict[str, str], ref_name: str) -> str:
    """Fill ``${{ ... }}`` expressions of a ``run-name`` from the dispatch."""
    context = {"github.ref_name": ref_name, "github.event_name": "workflow_dispatch"}
    context["github.actor"] = "pao"

    def value(match: re.Match[str]) -> str:
        expression = match.group(1)
        for prefix in ("inputs.", "github.event.inputs."):
            if expression.startswith(prefix):
                return inputs.get(expression.removeprefix(prefix), "")
        return context.get(expression, "")

    return _EXPRESSION.sub(value, template)


def workflow_json(
    site: GitHubSite, repo: GhRepo, workflow: GhWorkflow
) -> dict[str, Any]:
    api = f"{site.api}/repos/{repo.full_name}/actions/workflows/{workflow.id}"
    html = f"{site.web}/{repo.full_name}/blob/{repo.default_branch}/{workflow.path}"
    return {
        "id": workflow.id,
        "node_id": node_id("Workflow", workflow.id),
        "name": workflow.name,
        "path": workflow.path,
        "state": "active",
        "created_at": workflow.created_at,
        "updated_at": workflow.created_at,
        "url": api,
        "html_url": html,
        "badge_url": f"{site.web}/{repo.full_name}/workflows/{workflow.name}/badge.svg",
    }


def repo_json(site: GitHubSite, repo: GhRepo) -> dict[str, Any]:
    owner = user_json(site, repo.owner, repo.id + 1, repo.owner_type)
    return repository_json(
        site,
        owner=owner,
        name=repo.name,
        number=repo.id,
        default_branch=repo.default_branch,
    )


def run_json(site: GitHubSite, run: GhRun) -> dict[str, Any]:
    """A ``workflow-run`` as the REST API and ``workflow_run`` events show it."""
    repo = repo_json(site, run.repo)
    repo_api = f"{site.api}/repos/{run.repo.full_name}"
    api = f"{repo_api}/actions/runs/{run.id}"
    actor = user_json(site, "pao-bot", 41898282, "Bot")
    created = gh_time(run.created)
    return {
        "id": run.id,
        "name": run.workflow.name,
        "node_id": node_id("WorkflowRun", run.id),
        "head_branch": run.head_branch,
        "head_sha": run.head_sha,
        "path": run.workflow.path,
        "display_title": run.display_title,
        "run_number": run.run_number,
        "run_attempt": 1,
        "event": run.event,
        "status": run.status,
        "conclusion": run.conclusion,
        "workflow_id": run.workflow.id,
        "check_suite_id": run.id + 7,
        "check_suite_node_id": node_id("CheckSuite", run.id + 7),
        "url": api,
        "html_url": f"{site.web}/{run.repo.full_name}/actions/runs/{run.id}",
        "pull_requests": [],
        "created_at": created,
        "updated_at": run.updated_at,
        "run_started_at": created,
        "actor": actor,
        "triggering_actor": actor,
        "jobs_url": f"{api}/jobs",
        "logs_url": f"{api}/logs",
        "check_suite_url": f"{repo_api}/check-suites/{run.id + 7}",
        "artifacts_url": f"{api}/artifacts",
        "cancel_url": f"{api}/cancel",
        "rerun_url": f"{api}/rerun",
        "previous_attempt_url": None,
        "workflow_url": f"{repo_api}/actions/workflows/{run.workflow.id}",
        "head_commit": commit_json(
            run.head_sha, f"Update {run.workflow.path}", created
        ),
        "repository": repo,
        "head_repository": repo,
    }


def new_sha(repo: GhRepo, ref: str) -> str:
    return fake_sha(repo.full_name, ref)


def created_filter(spec: str) -> Callable[[datetime], bool]:
    """A predicate over run creation times for GitHub's ``created`` syntax.

    Supports ``>=T``, ``>T``, ``<=T``, ``<T``, ``A..B`` (``*`` open) and a
    bare date (that whole day); T is a date or an ISO 8601 date-time.
    Raises ``ValueError`` for anything else.
    """
    comparisons = {
        ">=": operator.ge,
        "<=": operator.le,
        ">": operator.gt,
        "<": operator.lt,
    }
    for symbol, compare in comparisons.items():
        if spec.startswith(symbol):
            moment = _moment(spec[len(symbol) :])
            return lambda t: compare(t, moment)
    if ".." in spec:
        low, high = spec.split("..", 1)
        start = None if low == "*" else _moment(low)
        end = None if high == "*" else _moment(high)
        return lambda t: (start is None or t >= start) and (end is None or t <= end)
    day = _moment(spec)
    if "T" in spec:
        return lambda t: t == day
    return lambda t: day <= t < day + timedelta(days=1)


def _moment(text: str) -> datetime:
    moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
