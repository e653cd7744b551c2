"""A small GitHub REST server for the client tests.

It keeps just enough state (pull requests, reviews, comments, check runs,
refs, commits, teams) to answer pao's calls, and checks every request body
it receives and every response body it sends against GitHub's OpenAPI
description; ``problems`` lists whatever did not fit. Like GitHub it sends
ETags and answers ``If-None-Match`` with 304, reports rate-limit headers,
pages lists with ``Link`` headers, and accepts tokens and app JWTs.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import jwt
from jsonschema import ValidationError
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from forge.github.fake_handlers import Handlers
from forge.github.schema_objects import sha_of
from openapi_check import check_request, check_response

Handler = Callable[[Request, dict[str, str], Any], tuple[int, Any]]
PER_PAGE_DEFAULT = 30


@dataclass
class Fault:
    """A scripted answer for the next *times* calls matching *method path*."""

    method: str
    path: str
    status: int
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


@dataclass
class Call:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: Any
    status: int


class FakeGitHub(Handlers):
    """State and routes of the fake; ``app`` is the Starlette application."""

    def __init__(self, openapi: dict[str, Any], *, owner: str = "acme") -> None:
        self.doc = openapi
        self.owner = owner
        self.url = ""
        self.lock = threading.Lock()
        self.tokens = {"ghp_" + "s3cr3t" * 4}
        self.app_id = 4242
        self.app_public_key: str | None = None
        self.installation_id = 77
        self.token_lifetime = 3600.0
        self.issued_tokens: list[str] = []
        self.login = "pao-user"
        self.faults: list[Fault] = []
        self.calls: list[Call] = []
        self.problems: list[str] = []
        self.used = 0
        self.pulls: dict[int, dict[str, Any]] = {}
        self.files: dict[int, list[dict[str, Any]]] = {}
        self.reviews: dict[int, list[dict[str, Any]]] = {}
        self.comments: dict[int, dict[str, Any]] = {}
        self.check_runs: dict[int, dict[str, Any]] = {}
        self.annotations: dict[int, list[dict[str, Any]]] = {}
        self.statuses: list[tuple[str, dict[str, Any]]] = []
        self.review_requests: list[tuple[int, dict[str, Any]]] = []
        self.reactions: list[tuple[int, str]] = []
        self.teams: dict[tuple[str, str], dict[str, str]] = {}
        self.permissions: dict[str, str] = {}
        self.refs: dict[str, str] = {}
        self.commits: dict[str, dict[str, Any]] = {}
        self.trees: dict[str, dict[str, str]] = {}
        self.default_branch = "main"
        self._ids = iter(range(1000, 10**9))
        self.app = Starlette(routes=self._routes())

    # -- scripting helpers -------------------------------------------------

    def commit(self, files: dict[str, str], *, branch: str = "main") -> str:
        """Commit *files* as the whole tree of *branch*."""
        tree = sha_of("tree", files)
        self.trees[tree] = dict(files)
        parent = self.refs.get(branch)
        sha = sha_of("commit", tree, parent, len(self.commits))
        parents = [parent] if parent else []
        self.commits[sha] = {"tree": tree, "parents": parents, "message": "seed"}
        self.refs[branch] = sha
        return sha

    def add_pull(self, number: int, **values: Any) -> dict[str, Any]:
        head = values.pop("head", {})
        base = values.pop("base", {})
        pull = {
            "number": number,
            "state": "open",
            "title": f"Request {number}",
            "user": self.user("dev"),
            "draft": False,
            "merged": False,
            "merge_commit_sha": None,
            "head": {"sha": "a" * 40, "ref": f"feature-{number}"} | head,
            "base": {"sha": "b" * 40, "ref": "main"} | base,
            **values,
        }
        self.pulls[number] = pull
        return pull

    def next_id(self) -> int:
        return next(self._ids)

    def served_by(self, url: str) -> None:
        self.url = url

    # -- the generic request path -----------------------------------------

    def _routes(self) -> list[Route]:
        repo = "/repos/{owner}/{repo}"
        table: list[tuple[str, str, Handler, dict[str, Any]]] = [
            ("GET", "/user", self._get_user, {}),
            ("GET", "/app", self._get_app, {"jwt": True}),
            (
                "POST",
                "/app/installations/{installation_id}/access_tokens",
                self._create_token,
                {"jwt": True},
            ),
            ("GET", f"{repo}/installation", self._get_installation, {"jwt": True}),
            ("GET", repo, self._get_repo, {}),
            ("GET", f"{repo}/pulls", self._list_pulls, {"pages": True}),
            ("POST", f"{repo}/pulls", self._create_pull, {}),
            ("GET", f"{repo}/pulls/{{pull_number}}", self._get_pull, {}),
            (
                "GET",
                f"{repo}/pulls/{{pull_number}}/files",
                self._list_files,
                {"pages": True},
            ),
            (
                "GET",
                f"{repo}/pulls/{{pull_number}}/reviews",
                self._list_reviews,
                {"pages": True},
            ),
            (
                "POST",
                f"{repo}/pulls/{{pull_number}}/requested_reviewers",
                self._request_reviewers,
                {},
            ),
            ("POST", f"{repo}/check-runs", self._create_check_run, {}),
            (
                "PATCH",
                f"{repo}/check-runs/{{check_run_id}}",
                self._update_check_run,
                {},
            ),
            ("POST", f"{repo}/statuses/{{sha}}", self._create_status, {}),
            (
                "GET",
                f"{repo}/issues/{{issue_number}}/comments",
                self._list_comments,
                {"pages": True},
            ),
            (
                "POST",
                f"{repo}/issues/{{issue_number}}/comments",
                self._create_comment,
                {},
            ),
            (
                "PATCH",
                f"{repo}/issues/comments/{{comment_id}}",
                self._edit_comment,
                {},
            ),
            (
                "POST",
                f"{repo}/issues/comments/{{comment_id}}/reactions",
                self._react,
                {},
            ),
            (
                "GET",
                "/orgs/{org}/teams/{team_slug}/memberships/{username}",
                self._membership,
                {},
            ),
            (
                "GET",
                f"{repo}/collaborators/{{username}}/permission",
                self._permission,
                {},
            ),
            ("GET", f"{repo}/contents/{{path}}", self._contents, {}),
            ("GET", f"{repo}/git/blobs/{{file_sha}}", self._blob, {}),
            ("GET", f"{repo}/git/ref/{{ref}}", self._get_ref, {}),
            ("POST", f"{repo}/git/refs", self._create_ref, {}),
            ("PATCH", f"{repo}/git/refs/{{ref}}", self._update_ref, {}),
            ("GET", f"{repo}/git/commits/{{commit_sha}}", self._get_commit, {}),
            ("POST", f"{repo}/git/commits", self._create_commit, {}),
            ("POST", f"{repo}/git/trees", self._create_tree, {}),
        ]
        grouped: dict[str, dict[str, Any]] = {}
        for method, template, handler, options in table:
            path = template.replace("{path}", "{path:path}").replace(
                "{ref}", "{ref:path}"
            )
            grouped.setdefault(path, {})[method] = (template, handler, options)
        return [self._route(path, methods) for path, methods in grouped.items()]

    def _route(self, path: str, methods: dict[str, Any]) -> Route:
        async def endpoint(request: Request) -> Response:
            template, handler, options = methods[request.method]
            raw = await request.body()
            body = json.loads(raw) if raw else None
            with self.lock:
                return self._respond(request, template, handler, options, body)

        return Route(path, endpoint, methods=list(methods))

    def _respond(
        self,
        request: Request,
        template: str,
        handler: Handler,
        options: dict[str, Any],
        body: Any,
    ) -> Response:
        method = request.method
        headers = {k.lower(): v for k, v in request.headers.items()}
        if body is not None:
            self._check(lambda: check_request(self.doc, method, template, body))
        scripted = self._fault(method, request.url.path)
        if scripted is not None:
            status, data, extra = scripted.status, scripted.body, scripted.headers
        elif not self._authorized(headers, jwt_only=options.get("jwt", False)):
            status, data, extra = 401, {"message": "Bad credentials"}, {}
        else:
            status, data = handler(request, request.path_params, body)
            extra = {}
            if options.get("pages") and status == 200:
                data, extra = self._page(request, data)
        self.calls.append(
            Call(method, request.url.path, request.url.query, headers, body, status)
        )
        return self._send(request, template, status, data, extra)

    def _send(
        self,
        request: Request,
        template: str,
        status: int,
        data: Any,
        extra: dict[str, str],
    ) -> Response:
        text = "" if data is None else json.dumps(data)
        headers = {**self._quota(), **extra}
        if request.method == "GET" and status == 200:
            etag = f'W/"{sha_of(text, extra.get("link"))}"'
            headers["etag"] = etag
            if request.headers.get("if-none-match") == etag:
                return Response(status_code=304, headers=self._quota())
        if status < 300 and data is not None:
            self._check(
                lambda: check_response(self.doc, request.method, template, status, data)
            )
        self.used += 1
        if data is None:
            return Response(status_code=status, headers=headers)
        return JSONResponse(data, status_code=status, headers=headers)

    def _check(self, check: Callable[[], None]) -> None:
        try:
            check()
        except ValidationError as exc:
            self.problems.append(f"{exc.json_path}: {exc.message}")
        except AssertionError as exc:
            self.problems.append(str(exc))

    def _quota(self) -> dict[str, str]:
        return {
            "x-ratelimit-limit": "5000",
            "x-ratelimit-remaining": str(max(5000 - self.used, 0)),
            "x-ratelimit-reset": str(int(time.time()) + 3600),
            "x-ratelimit-resource": "core",
            "x-github-request-id": f"REQ-{len(self.calls)}",
        }

    def _fault(self, method: str, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.method == method and re.fullmatch(fault.path, path):
                fault.times -= 1
                if fault.times <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def _authorized(self, headers: dict[str, str], *, jwt_only: bool) -> bool:
        scheme, _, credential = headers.get("authorization", "").partition(" ")
        if jwt_only:
            return scheme.lower() == "bearer" and self._valid_jwt(credential)
        return scheme.lower() in {"token", "bearer"} and credential in (
            self.tokens | set(self.issued_tokens)
        )

    def _valid_jwt(self, token: str) -> bool:
        if self.app_public_key is None:
            return False
        try:
            claims = jwt.decode(token, self.app_public_key, algorithms=["RS256"])
        except jwt.PyJWTError:
            return False
        return str(claims.get("iss")) == str(self.app_id)

    def _page(
        self, request: Request, items: list[Any]
    ) -> tuple[list[Any], dict[str, str]]:
        per_page = int(request.query_params.get("per_page", PER_PAGE_DEFAULT))
        page = int(request.query_params.get("page", 1))
        chunk = items[(page - 1) * per_page : page * per_page]
        if page * per_page >= len(items):
            return chunk, {}
        query = dict(request.query_params) | {"page": str(page + 1)}
        link = f"{self.url}{request.url.path}?" + "&".join(
            f"{k}={v}" for k, v in sorted(query.items())
        )
        return chunk, {"link": f'<{link}>; rel="next"'}
