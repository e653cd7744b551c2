"""A Jira stand-in: Cloud (REST v3, ADF) or Data Center (REST v2, text).

Endpoints, under ``/rest/api/3`` (cloud) or ``/rest/api/2`` (datacenter):
``GET /myself``; ``POST /issue``; ``GET /issue/{key}``; ``GET|POST
/issue/{key}/comment``; ``GET|POST /issue/{key}/transitions``; search by
JQL at ``GET|POST /search/jql`` on cloud (the older ``/search`` answers
410 Gone there, as Atlassian removed it) and ``GET|POST /search`` on Data
Center. Credentials are HTTP basic (email and API token) or a bearer
token; anything else gets 401.

Webhooks: every change (create, transition, comment) is sent to
``webhook_url`` as Jira sends it (``jira:issue_created`` /
``jira:issue_updated``). With a ``webhook_secret`` the body is signed the
way Jira Cloud signs admin webhooks that have a secret:
``X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>``. The URL is used
verbatim, so a Data Center style shared secret in the query string
(``...?secret=...``) reaches the receiver as configured.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from collections.abc import Iterable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from pao.standins.base import Delivery, Standin
from pao.standins.jira_model import (
    RESOLUTIONS,
    Flavor,
    JiraIssue,
    JiraState,
    JiraStatus,
    status_entered_by,
    status_named,
)
from pao.standins.jira_render import (
    JiraSite,
    change_item,
    comment_json,
    field_selector,
    issue_json,
    issue_webhook,
    transitions_json,
    user_json,
)
from pao.standins.jira_search import search
from pao.standins.jira_validate import jira_error, validate_comment, validate_create

__all__ = ["JiraStandin"]

_ERROR_MESSAGES = {
    401: "You are not authenticated. "
    "Authentication required to perform this operation.",
    403: "You do not have permission to perform this operation.",
    404: "Issue does not exist or you do not have permission to see it.",
    429: "Rate limit exceeded.",
}


def _not_found() -> JSONResponse:
    return jira_error(404, [_ERROR_MESSAGES[404]])


async def _json(request: Request) -> Any:
    try:
        return json.loads(await request.body())
    except ValueError:
        return None


class JiraStandin(Standin):
    """Jira Cloud or Data Center, with projects, a workflow and webhooks."""

    name = "jira"

    def __init__(
        self,
        *,
        flavor: Flavor = "cloud",
        projects: Iterable[str] = ("DBA", "NET", "ORCHESTRATION"),
        email: str = "pao-bot@acme.example",
        api_token: str,
        bearer_token: str | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
    ) -> None:
        super().__init__()
        self.flavor: Flavor = flavor
        self.email = email
        self.api_token = api_token
        self.bearer_token = bearer_token
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.state = JiraState()
        for key in projects:
            self.state.add_project(key)

    @property
    def site(self) -> JiraSite:
        base = self.url if self._server is not None else "http://jira.invalid"
        return JiraSite(base, self.flavor, self.email, "pao bot")

    def routes(self) -> list[BaseRoute]:
        api = "/rest/api/3" if self.flavor == "cloud" else "/rest/api/2"
        routes: list[BaseRoute] = [
            Route(f"{api}/myself", self._myself, methods=["GET"]),
            Route(f"{api}/issue", self._create, methods=["POST"]),
            Route(f"{api}/issue/{{key}}", self._get, methods=["GET"]),
            Route(
                f"{api}/issue/{{key}}/comment", self._comment, methods=["GET", "POST"]
            ),
            Route(
                f"{api}/issue/{{key}}/transitions",
                self._transitions,
                methods=["GET", "POST"],
            ),
        ]
        if self.flavor == "cloud":
            routes.append(
                Route(f"{api}/search/jql", self._search, methods=["GET", "POST"])
            )
            routes.append(
                Route(f"{api}/search", self._removed, methods=["GET", "POST"])
            )
        else:
            routes.append(Route(f"{api}/search", self._search, methods=["GET", "POST"]))
        return routes

    def error_body(self, status: int) -> tuple[bytes, str]:
        message = _ERROR_MESSAGES.get(status, "Internal server error")
        body = {"errorMessages": [message], "errors": {}}
        return json.dumps(body).encode(), "application/json"

    # -- test controls -------------------------------------------------------

    def issue(self, key: str) -> JiraIssue:
        with self.state.lock:
            issue = self.state.find(key)
        if issue is None:
            raise KeyError(key)
        return issue

    def transition(
        self, key: str, status: str, *, resolution: str | None = None, wait: bool = True
    ) -> Delivery | None:
        """Move an issue as a person would; the webhook follows."""
        target = status_named(status)
        if target is None:
            message = f"status must be To Do, In Progress or Done, got {status!r}"
            raise ValueError(message)
        with self.state.lock:
            changes = self._move(self.issue(key), target, resolution)
        return self._notify(
            key, "jira:issue_updated", "issue_generic", changes, wait=wait
        )

    def resolve(
        self, key: str, resolution: str = "Done", *, wait: bool = True
    ) -> Delivery | None:
        """Close an issue as Done with *resolution* (``Done``, ``Won't Do``)."""
        return self.transition(key, "Done", resolution=resolution, wait=wait)

    def fire_issue_updated(self, key: str, *, wait: bool = True) -> Delivery | None:
        """Send ``jira:issue_updated`` for the issue as it stands, no changes."""
        return self._notify(key, "jira:issue_updated", "issue_generic", [], wait=wait)

    # -- webhooks ----------------------------------------------------------------

    def _notify(
        self,
        key: str,
        event: str,
        type_name: str,
        changes: list[dict[str, Any]],
        *,
        comment_id: str | None = None,
        wait: bool = False,
    ) -> Delivery | None:
        if self.webhook_url is None:
            return None
        with self.state.lock:
            issue = self.issue(key)
            comment = next((c for c in issue.comments if c.id == comment_id), None)
            payload = issue_webhook(
                self.site,
                issue,
                event=event,
                type_name=type_name,
                changes=changes,
                comment=comment,
            )
        body = json.dumps(payload).encode()
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Atlassian Webhook HTTP Client",
            "X-Atlassian-Webhook-Identifier": str(uuid.uuid4()),
        }
        if self.webhook_secret is not None:
            digest = hmac.new(self.webhook_secret.encode(), body, hashlib.sha256)
            headers["X-Hub-Signature"] = f"sha256={digest.hexdigest()}"
        return self.deliver(self.webhook_url, body, headers, wait=wait)

    def _move(
        self, issue: JiraIssue, target: JiraStatus, resolution: str | None
    ) -> list[dict[str, Any]]:
        before_status, before_resolution = issue.status, issue.resolution
        issue.move_to(target, resolution)
        changes = [
            change_item(
                "status",
                (before_status.id, before_status.name),
                (issue.status.id, issue.status.name),
            )
        ]
        if before_resolution != issue.resolution:
            changes.insert(
                0,
                change_item(
                    "resolution",
                    (RESOLUTIONS.get(before_resolution or ""), before_resolution),
                    (RESOLUTIONS.get(issue.resolution or ""), issue.resolution),
                ),
            )
        return changes

    # -- auth ----------------------------------------------------------------------

    def _authenticated(self, request: Request) -> bool:
        scheme, _, credentials = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and self.bearer_token is not None:
            return hmac.compare_digest(credentials, self.bearer_token)
        if scheme.lower() != "basic":
            return False
        try:
            decoded = base64.b64decode(credentials, validate=True).decode()
        except ValueError:
            return False
        return hmac.compare_digest(decoded, f"{self.email}:{self.api_token}")

    def _denied(self, request: Request) -> JSONResponse | None:
        if self._authenticated(request):
            return None
        return jira_error(401, [_ERROR_MESSAGES[401]])

    # -- handlers ------------------------------------------------------------------

    async def _myself(self, request: Request) -> Response:
        return self._denied(request) or JSONResponse(user_json(self.site))

    async def _removed(self, request: Request) -> Response:
        message = (
            "The requested API has been removed. Please migrate to the "
            "/rest/api/3/search/jql API."
        )
        return jira_error(410, [message])

    async def _create(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        body = await _json(request)
        with self.state.lock:
            outcome = validate_create(self.state, self.flavor, body)
            if isinstance(outcome, JSONResponse):
                return outcome
            issue = self.state.new_issue(outcome.project, **outcome.fields)
        self._notify(issue.key, "jira:issue_created", "issue_created", [])
        link = self.site.link(f"/issue/{issue.id}")
        return JSONResponse(
            {"id": issue.id, "key": issue.key, "self": link}, status_code=201
        )

    async def _get(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        wanted = field_selector(request.query_params.get("fields"), "*all")
        with self.state.lock:
            issue = self.state.find(request.path_params["key"])
            if issue is None:
                return _not_found()
            return JSONResponse(issue_json(self.site, issue, wanted))

    async def _comment(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        with self.state.lock:
            issue = self.state.find(request.path_params["key"])
            if issue is None:
                return _not_found()
            if request.method == "GET":
                comments = [comment_json(self.site, issue, c) for c in issue.comments]
                total = len(comments)
                page = {"startAt": 0, "maxResults": total, "total": total}
                return JSONResponse({**page, "comments": comments})
        body = await _json(request)
        text = body.get("body") if isinstance(body, dict) else None
        problem = validate_comment(self.flavor, text)
        if problem is not None:
            return problem
        with self.state.lock:
            comment = self.state.add_comment(issue, text)
            rendered = comment_json(self.site, issue, comment)
        self._notify(
            issue.key,
            "jira:issue_updated",
            "issue_commented",
            [],
            comment_id=comment.id,
        )
        return JSONResponse(rendered, status_code=201)

    async def _transitions(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        with self.state.lock:
            issue = self.state.find(request.path_params["key"])
            if issue is None:
                return _not_found()
            if request.method == "GET":
                return JSONResponse(transitions_json(self.site, issue))
        body = await _json(request)
        if not isinstance(body, dict) or not isinstance(body.get("transition"), dict):
            return jira_error(400, ["Missing 'transition' identifier"])
        transition_id = str(body["transition"].get("id", ""))
        target = status_entered_by(transition_id)
        if target is None or target == issue.status:
            return jira_error(
                400, [f"Transition id '{transition_id}' is not valid for this issue."]
            )
        resolution = _resolution(body)
        if resolution is not None and resolution not in RESOLUTIONS:
            return jira_error(400, errors={"resolution": "Specify a valid resolution"})
        with self.state.lock:
            changes = self._move(issue, target, resolution)
        self._notify(issue.key, "jira:issue_updated", "issue_generic", changes)
        return Response(status_code=204)

    async def _search(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        params = await _search_params(request)
        return search(self.state, self.site, params)


def _resolution(body: dict[str, Any]) -> str | None:
    fields = body.get("fields")
    if not isinstance(fields, dict) or not isinstance(fields.get("resolution"), dict):
        return None
    name = fields["resolution"].get("name")
    if name is None:
        ids = {v: k for k, v in RESOLUTIONS.items()}
        name = ids.get(str(fields["resolution"].get("id")), "?")
    return str(name)


async def _search_params(request: Request) -> dict[str, Any]:
    if request.method == "GET":
        return dict(request.query_params)
    body = await _json(request)
    return body if isinstance(body, dict) else {}
