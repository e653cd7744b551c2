"""Commit statuses of the GitHub stand-in: create, list, combined state."""

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
from pao.standins.github_objects import node_id
from pao.standins.github_render import repo_json, user_ref
from pao.standins.github_state import CommitStatus, Repo

__all__ = ["StatusEndpoints"]

_STATES = ("error", "failure", "pending", "success")


class StatusEndpoints:
    """``POST /statuses/{sha}``; ``commits/{ref}/statuses`` and ``/status``."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def routes(self) -> list[BaseRoute]:
        repo = "/repos/{owner}/{repo}"
        return [
            Route(f"{repo}/commits/{{ref:path}}/statuses", endpoint(self.statuses)),
            Route(f"{repo}/commits/{{ref:path}}/status", endpoint(self.combined)),
            Route(
                f"{repo}/statuses/{{sha}}", endpoint(self.set_status), methods=["POST"]
            ),
        ]

    def set_status(self, call: Call) -> Reply:
        body = call.json()
        if body.get("state") not in _STATES:
            raise ApiError(
                "Validation Failed",
                422,
                errors=[
                    {
                        "resource": "Status",
                        "code": "custom",
                        "field": "state",
                        "message": "state is not included in the list",
                    }
                ],
            )
        state = self.hub.state
        with state.lock:
            repo = self.hub.repo(call)
            actor = self.hub.actor(call)
        sha = repo.git.resolve(call.params["sha"])
        if sha is None:
            raise ApiError(f"No commit found for SHA: {call.params['sha']}", 422)
        with state.lock:
            status = CommitStatus(
                id=state.allocate_id(),
                repo=repo,
                sha=sha,
                state=body["state"],
                context=str(body.get("context") or "default"),
                creator=actor.login,
                description=body.get("description"),
                target_url=body.get("target_url"),
            )
            state.statuses.append(status)
            return Reply(self._status_json(status, full=True), status=201)

    def _status_json(self, status: CommitStatus, *, full: bool) -> dict[str, Any]:
        site = self.hub.site
        body: dict[str, Any] = {
            "url": f"{site.api}/repos/{status.repo.full_name}/statuses/{status.sha}",
            "avatar_url": f"{site.web}/avatars/u/{self.hub.app.id}?v=4",
            "id": status.id,
            "node_id": node_id("StatusContext", status.id),
            "state": status.state,
            "description": status.description,
            "target_url": status.target_url,
            "context": status.context,
            "created_at": status.created_at,
            "updated_at": status.updated_at,
        }
        if full:
            body["creator"] = user_ref(site, self.hub.state, status.creator)
        return body

    def _for_sha(self, call: Call) -> tuple[Repo, str, list[CommitStatus]]:
        with self.hub.state.lock:
            repo = self.hub.repo(call)
        sha = repo.git.resolve(call.params["ref"])
        if sha is None:
            raise not_found()
        with self.hub.state.lock:
            found = [
                s for s in self.hub.state.statuses if s.repo is repo and s.sha == sha
            ]
        return repo, sha, found[::-1]

    def statuses(self, call: Call) -> Reply:
        _, _, found = self._for_sha(call)
        with self.hub.state.lock:
            items = [self._status_json(s, full=True) for s in found]
        return paginate(call, items)

    def combined(self, call: Call) -> Reply:
        repo, sha, found = self._for_sha(call)
        latest = list({s.context: s for s in reversed(found)}.values())
        states = {s.state for s in latest}
        overall = "success"
        if states & {"error", "failure"}:
            overall = "failure"
        elif "pending" in states or not latest:
            overall = "pending"
        site = self.hub.site
        api = f"{site.api}/repos/{repo.full_name}"
        with self.hub.state.lock:
            return Reply(
                {
                    "state": overall,
                    "statuses": [self._status_json(s, full=False) for s in latest],
                    "sha": sha,
                    "total_count": len(latest),
                    "repository": repo_json(site, self.hub.state, repo),
                    "commit_url": f"{api}/commits/{sha}",
                    "url": f"{api}/commits/{sha}/status",
                }
            )
