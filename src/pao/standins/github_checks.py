"""Check runs of the GitHub stand-in, with GitHub's limits.

Check runs may only be written by a GitHub App (an installation token),
as on GitHub. A request carries at most 50 annotations and a summary or
text of at most 65,535 characters, otherwise 422; annotations accumulate
across updates and are all listed by the annotations endpoint.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute, Route

from pao.standins.github_http import (
    ApiError,
    Call,
    Reply,
    endpoint,
    not_found,
    paginate,
)
from pao.standins.github_hub import Hub
from pao.standins.github_objects import gh_time, node_id
from pao.standins.github_render import app_json
from pao.standins.github_state import Annotation, CheckRun, Pull, Repo

__all__ = ["CheckEndpoints", "check_run_json"]

MAX_ANNOTATIONS = 50
MAX_OUTPUT_CHARS = 65_535
_STATUSES = ("queued", "in_progress", "completed")
_CONCLUSIONS = (
    "action_required",
    "cancelled",
    "failure",
    "neutral",
    "success",
    "skipped",
    "stale",
    "timed_out",
)
_LEVELS = ("notice", "warning", "failure")


def _reject(message: str) -> ApiError:
    return ApiError(f"Invalid request.\n\n{message}", 422)


def check_run_json(hub: Hub, run: CheckRun) -> dict[str, Any]:
    """A ``check-run``."""
    site, state = hub.site, hub.state
    api = f"{site.api}/repos/{run.repo.full_name}/check-runs/{run.id}"
    pulls = [
        _minimal_pull(hub, pull)
        for pull in state.pulls(run.repo)
        if pull.state == "open" and pull.head_sha == run.head_sha
    ]
    return {
        "id": run.id,
        "node_id": node_id("CheckRun", run.id),
        "head_sha": run.head_sha,
        "external_id": run.external_id,
        "url": api,
        "html_url": f"{site.web}/{run.repo.full_name}/runs/{run.id}",
        "details_url": run.details_url,
        "status": run.status,
        "conclusion": run.conclusion,
        "started_at": run.started_at,
        "completed_at": run.completed_at,
        "output": {
            "title": run.title,
            "summary": run.summary,
            "text": run.text,
            "annotations_count": len(run.annotations),
            "annotations_url": f"{api}/annotations",
        },
        "name": run.name,
        "check_suite": {"id": run.id + 1},
        "app": app_json(site, state, hub.app),
        "pull_requests": pulls,
    }


def _minimal_side(hub: Hub, repo: Repo, ref: str, sha: str) -> dict[str, Any]:
    url = f"{hub.site.api}/repos/{repo.full_name}"
    return {
        "ref": ref,
        "sha": sha,
        "repo": {"id": repo.id, "url": url, "name": repo.name},
    }


def _minimal_pull(hub: Hub, pull: Pull) -> dict[str, Any]:
    """A ``pull-request-minimal``, as a check run lists its pull requests."""
    return {
        "id": pull.id,
        "number": pull.number,
        "url": f"{hub.site.api}/repos/{pull.repo.full_name}/pulls/{pull.number}",
        "head": _minimal_side(hub, pull.repo, pull.head_ref, pull.head_sha),
        "base": _minimal_side(hub, pull.repo, pull.base_ref, pull.base_sha),
    }


def _annotations(output: dict[str, Any]) -> list[Annotation]:
    raw = output.get("annotations", [])
    if not isinstance(raw, list):
        raise _reject("For 'properties/annotations', it is not an array.")
    if len(raw) > MAX_ANNOTATIONS:
        raise _reject(
            f"For 'properties/annotations', {len(raw)} items were supplied; "
            f"the maximum is {MAX_ANNOTATIONS}."
        )
    return [_annotation(item) for item in raw]


def _annotation(item: Any) -> Annotation:
    if not isinstance(item, dict):
        raise _reject("For 'items', it is not an object.")
    for name in ("path", "start_line", "end_line", "annotation_level", "message"):
        if name not in item:
            raise _reject(f'"{name}" wasn\'t supplied.')
    if item["annotation_level"] not in _LEVELS:
        level = item["annotation_level"]
        raise _reject(
            f"For 'properties/annotation_level', {level!r} is not a member of "
            f"{list(_LEVELS)}."
        )
    columns = "start_column" in item or "end_column" in item
    if columns and item["start_line"] != item["end_line"]:
        raise _reject("start_column and end_column may only be given on one line.")
    return Annotation(
        path=str(item["path"]),
        start_line=int(item["start_line"]),
        end_line=int(item["end_line"]),
        annotation_level=str(item["annotation_level"]),
        message=str(item["message"]),
        title=item.get("title"),
        raw_details=item.get("raw_details"),
        start_column=item.get("start_column"),
        end_column=item.get("end_column"),
    )


def _apply(run: CheckRun, body: dict[str, Any], *, creating: bool) -> None:
    """Validate *body* fully, then change *run* (all or nothing)."""
    status = body.get("status")
    conclusion = body.get("conclusion")
    if status is not None and status not in _STATUSES:
        raise _reject(
            f"For 'properties/status', {status!r} is not a member of {list(_STATUSES)}."
        )
    if conclusion is not None and conclusion not in _CONCLUSIONS:
        raise _reject(
            f"For 'properties/conclusion', {conclusion!r} is not a valid conclusion."
        )
    if status == "completed" and conclusion is None and run.conclusion is None:
        raise _reject('"conclusion" wasn\'t supplied.')
    output = body.get("output")
    annotations: list[Annotation] = []
    if output is not None:
        annotations = _check_output(output, creating=creating)
    if conclusion is not None:
        status = "completed"
    for name in ("name", "details_url", "external_id", "started_at"):
        if name in body:
            setattr(run, name, body[name])
    if status is not None:
        run.status = status
    if status == "in_progress" and run.started_at is None:
        run.started_at = gh_time()
    if conclusion is not None:
        run.conclusion = conclusion
        run.completed_at = body.get("completed_at") or gh_time()
    if output is not None:
        run.title = output.get("title", run.title)
        run.summary = output.get("summary", run.summary)
        run.text = output.get("text", run.text)
        run.annotations.extend(annotations)


def _check_output(output: Any, *, creating: bool) -> list[Annotation]:
    if not isinstance(output, dict):
        raise _reject("For 'properties/output', it is not an object.")
    for name in ("title", "summary") if creating else ("summary",):
        if not isinstance(output.get(name), str):
            raise _reject(f'"{name}" wasn\'t supplied.')
    for name in ("summary", "text"):
        value = output.get(name)
        if isinstance(value, str) and len(value) > MAX_OUTPUT_CHARS:
            raise _reject(
                f"For 'properties/{name}', only {MAX_OUTPUT_CHARS} characters are "
                f"allowed; {len(value)} were supplied."
            )
    return _annotations(output)


class CheckEndpoints:
    """Check runs and their annotations."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def routes(self) -> list[BaseRoute]:
        repo = "/repos/{owner}/{repo}"
        runs = f"{repo}/check-runs"
        return [
            Route(runs, endpoint(self.create), methods=["POST"]),
            Route(
                f"{runs}/{{check_run_id}}", endpoint(self.run), methods=["GET", "PATCH"]
            ),
            Route(f"{runs}/{{check_run_id}}/annotations", endpoint(self.annotations)),
            Route(f"{repo}/commits/{{ref:path}}/check-runs", endpoint(self.for_ref)),
        ]

    def _require_app(self, call: Call) -> None:
        if call.principal.kind != "installation":
            raise ApiError("You must authenticate via a GitHub App.", 403)

    def create(self, call: Call) -> Reply:
        self._require_app(call)
        body = call.json()
        for name in ("name", "head_sha"):
            if not isinstance(body.get(name), str):
                raise _reject(f'"{name}" wasn\'t supplied.')
        state = self.hub.state
        with state.lock:
            repo = self.hub.repo(call)
        sha = self.hub.commit_sha(repo, body["head_sha"])
        with state.lock:
            run = CheckRun(
                id=state.allocate_id(),
                repo=repo,
                head_sha=sha,
                name=body["name"],
                app_id=self.hub.app.id,
            )
            _apply(run, body, creating=True)
            state.check_runs[run.id] = run
            return Reply(check_run_json(self.hub, run), status=201)

    def _find(self, call: Call) -> CheckRun:
        repo = self.hub.repo(call)
        run = self.hub.state.check_runs.get(call.number("check_run_id"))
        if run is None or run.repo is not repo:
            raise not_found()
        return run

    def run(self, call: Call) -> Reply:
        if call.request.method == "PATCH":
            self._require_app(call)
            body = call.json()
        with self.hub.state.lock:
            run = self._find(call)
            if call.request.method == "PATCH":
                _apply(run, body, creating=False)
            return Reply(check_run_json(self.hub, run))

    def annotations(self, call: Call) -> Reply:
        with self.hub.state.lock:
            run = self._find(call)
            blob = f"{self.hub.site.web}/{run.repo.full_name}/blob/{run.head_sha}"
            items = [
                {
                    "path": a.path,
                    "start_line": a.start_line,
                    "end_line": a.end_line,
                    "start_column": a.start_column,
                    "end_column": a.end_column,
                    "annotation_level": a.annotation_level,
                    "title": a.title,
                    "message": a.message,
                    "raw_details": a.raw_details,
                    "blob_href": f"{blob}/{a.path}",
                }
                for a in run.annotations
            ]
        return paginate(call, items)

    def for_ref(self, call: Call) -> Reply:
        with self.hub.state.lock:
            repo = self.hub.repo(call)
        sha = self.hub.commit_sha(repo, call.params["ref"])
        query = call.query
        with self.hub.state.lock:
            runs = [
                run
                for run in reversed(self.hub.state.check_runs.values())
                if run.repo is repo
                and run.head_sha == sha
                and query.get("check_name") in (None, run.name)
                and query.get("status") in (None, run.status)
            ]
            if query.get("filter", "latest") == "latest":
                runs = list({run.name: run for run in reversed(runs)}.values())[::-1]
            items = [check_run_json(self.hub, run) for run in runs]
        return paginate(call, items, wrap="check_runs")
