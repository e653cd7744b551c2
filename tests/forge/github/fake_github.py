"""A small GitHub REST server for the client tests.

It keeps just enough state (pull requests, reviews, comments, check runs,
refs, commits, teams) to answer pao's calls, and checks every request body
it receives and every response body it sends against GitHub's OpenAPI
description; ``problems`` lists whatever did not fit. Like GitHub it sends
ETags and answers ``If-None-Match`` with 304, reports rate-limit headers,
pages lists with ``Link`` headers, and accepts tokens and app JWTs.
"""

from __future__ import annotations

import base64
import hashlib
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

from forge.github.schema_objects import answer
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


def _sha(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


class FakeGitHub:
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
        tree = _sha("tree", files)
        self.trees[tree] = dict(files)
        parent = self.refs.get(branch)
        sha = _sha("commit", tree, parent, len(self.commits))
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

    def user(self, login: str, kind: str = "User") -> dict[str, Any]:
        return {"login": login, "id": abs(hash(login)) % 10**6, "type": kind}

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
            etag = f'W/"{_sha(text, extra.get("link"))}"'
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

    def _answer(self, method: str, template: str, values: Any, **kw: Any) -> Any:
        return answer(self.doc, method, template, kw.pop("status", 200), values, **kw)

    # -- handlers ------------------------------------------------------------
    # Each returns (status, body); bodies are GitHub-shaped via ``answer``.

    def _get_user(self, request: Request, params: dict[str, str], body: Any) -> Any:
        return 200, self._answer("GET", "/user", self.user(self.login))

    def _get_app(self, request: Request, params: dict[str, str], body: Any) -> Any:
        values = {"id": self.app_id, "slug": "pao-app", "name": "pao"}
        return 200, self._answer("GET", "/app", values)

    def _create_token(self, request: Request, params: dict[str, str], body: Any) -> Any:
        if int(params["installation_id"]) != self.installation_id:
            return 404, {"message": "Not Found"}
        token = f"ghs_{len(self.issued_tokens):04d}installationtoken"
        self.issued_tokens.append(token)
        expires = time.gmtime(time.time() + self.token_lifetime)
        values = {
            "token": token,
            "expires_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", expires),
        }
        template = "/app/installations/{installation_id}/access_tokens"
        return 201, self._answer("POST", template, values, status=201)

    def _get_installation(
        self, request: Request, params: dict[str, str], body: Any
    ) -> Any:
        values = {"id": self.installation_id, "app_id": self.app_id}
        return 200, self._answer("GET", "/repos/{owner}/{repo}/installation", values)

    def _get_repo(self, request: Request, params: dict[str, str], body: Any) -> Any:
        values = {
            "name": params["repo"],
            "full_name": f"{params['owner']}/{params['repo']}",
            "default_branch": self.default_branch,
        }
        return 200, self._answer("GET", "/repos/{owner}/{repo}", values)

    def _pull_json(self, pull: dict[str, Any]) -> Any:
        return self._answer("GET", "/repos/{owner}/{repo}/pulls/{pull_number}", pull)

    def _list_pulls(self, request: Request, params: dict[str, str], body: Any) -> Any:
        state = request.query_params.get("state", "open")
        head = request.query_params.get("head")
        found = [
            self._answer("GET", "/repos/{owner}/{repo}/pulls", pull, item=True)
            for pull in self.pulls.values()
            if (state == "all" or pull["state"] == state)
            and (head is None or f"{self.owner}:{pull['head']['ref']}" == head)
        ]
        return 200, found

    def _create_pull(self, request: Request, params: dict[str, str], body: Any) -> Any:
        number = max(self.pulls, default=0) + 1
        head_sha = self.refs.get(body["head"])
        if head_sha is None:
            return 422, {
                "message": "Validation Failed",
                "errors": [{"field": "head", "code": "invalid"}],
            }
        pull = self.add_pull(
            number,
            title=body["title"],
            body=body.get("body"),
            user=self.user(self.login),
            head={"sha": head_sha, "ref": body["head"]},
            base={"sha": self.refs[body["base"]], "ref": body["base"]},
        )
        template = "/repos/{owner}/{repo}/pulls"
        return 201, self._answer("POST", template, pull, status=201)

    def _get_pull(self, request: Request, params: dict[str, str], body: Any) -> Any:
        pull = self.pulls.get(int(params["pull_number"]))
        if pull is None:
            return 404, {"message": "Not Found"}
        return 200, self._pull_json(pull)

    def _list_files(self, request: Request, params: dict[str, str], body: Any) -> Any:
        template = "/repos/{owner}/{repo}/pulls/{pull_number}/files"
        files = self.files.get(int(params["pull_number"]), [])
        return 200, [self._answer("GET", template, f, item=True) for f in files]

    def _list_reviews(self, request: Request, params: dict[str, str], body: Any) -> Any:
        template = "/repos/{owner}/{repo}/pulls/{pull_number}/reviews"
        found = self.reviews.get(int(params["pull_number"]), [])
        return 200, [self._answer("GET", template, r, item=True) for r in found]

    def _request_reviewers(
        self, request: Request, params: dict[str, str], body: Any
    ) -> Any:
        number = int(params["pull_number"])
        self.review_requests.append((number, body))
        template = "/repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers"
        return 201, self._answer("POST", template, self.pulls[number], status=201)

    def _run_json(self, run: dict[str, Any], method: str = "POST") -> Any:
        template = "/repos/{owner}/{repo}/check-runs"
        return self._answer("POST", template, run, status=201)

    def _create_check_run(
        self, request: Request, params: dict[str, str], body: Any
    ) -> Any:
        run_id = next(self._ids)
        output = dict(body.get("output") or {})
        self.annotations[run_id] = list(output.pop("annotations", []))
        run = {
            "id": run_id,
            "name": body["name"],
            "head_sha": body["head_sha"],
            "status": body.get("status", "queued"),
            "conclusion": body.get("conclusion"),
            "output": {"title": None, "summary": None, "text": None} | output,
        }
        self.check_runs[run_id] = run
        return 201, self._run_json(run)

    def _update_check_run(
        self, request: Request, params: dict[str, str], body: Any
    ) -> Any:
        run = self.check_runs[int(params["check_run_id"])]
        output = dict(body.get("output") or {})
        self.annotations[run["id"]] += output.pop("annotations", [])
        run["output"] |= output
        for key in ("status", "conclusion"):
            if key in body:
                run[key] = body[key]
        template = "/repos/{owner}/{repo}/check-runs/{check_run_id}"
        return 200, self._answer("PATCH", template, run)

    def _create_status(
        self, request: Request, params: dict[str, str], body: Any
    ) -> Any:
        self.statuses.append((params["sha"], body))
        values = {
            k: body.get(k) for k in ("state", "context", "description", "target_url")
        }
        return 201, self._answer(
            "POST", "/repos/{owner}/{repo}/statuses/{sha}", values, status=201
        )

    def _comment_json(self, comment: dict[str, Any]) -> Any:
        template = "/repos/{owner}/{repo}/issues/comments/{comment_id}"
        return self._answer("GET", template, comment)

    def _list_comments(
        self, request: Request, params: dict[str, str], body: Any
    ) -> Any:
        number = int(params["issue_number"])
        found = [c for c in self.comments.values() if c["issue"] == number]
        return 200, [self._comment_json(_public(c)) for c in found]

    def add_comment(self, number: int, body: str, *, login: str) -> dict[str, Any]:
        comment_id = next(self._ids)
        comment = {
            "id": comment_id,
            "issue": number,
            "body": body,
            "user": self.user(login),
        }
        self.comments[comment_id] = comment
        return comment

    def _create_comment(
        self, request: Request, params: dict[str, str], body: Any
    ) -> Any:
        comment = self.add_comment(
            int(params["issue_number"]), body["body"], login=self.login
        )
        return 201, self._comment_json(_public(comment))

    def _edit_comment(self, request: Request, params: dict[str, str], body: Any) -> Any:
        comment = self.comments[int(params["comment_id"])]
        comment["body"] = body["body"]
        return 200, self._comment_json(_public(comment))

    def _react(self, request: Request, params: dict[str, str], body: Any) -> Any:
        self.reactions.append((int(params["comment_id"]), body["content"]))
        values = {"content": body["content"], "user": self.user(self.login)}
        template = "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions"
        return 201, self._answer("POST", template, values, status=201)

    def _membership(self, request: Request, params: dict[str, str], body: Any) -> Any:
        members = self.teams.get((params["org"], params["team_slug"]), {})
        state = members.get(params["username"])
        if state is None:
            return 404, {"message": "Not Found"}
        template = "/orgs/{org}/teams/{team_slug}/memberships/{username}"
        return 200, self._answer("GET", template, {"state": state, "role": "member"})

    def _permission(self, request: Request, params: dict[str, str], body: Any) -> Any:
        role = self.permissions.get(params["username"])
        if role is None:
            return 404, {"message": "Not Found"}
        legacy = {"maintain": "write", "triage": "read"}.get(role, role)
        values = {
            "permission": legacy,
            "role_name": role,
            "user": self.user(params["username"]),
        }
        template = "/repos/{owner}/{repo}/collaborators/{username}/permission"
        return 200, self._answer("GET", template, values)

    def _resolve(self, ref: str) -> str | None:
        return self.refs.get(ref) or (ref if ref in self.commits else None)

    def _contents(self, request: Request, params: dict[str, str], body: Any) -> Any:
        commit = self._resolve(request.query_params.get("ref", self.default_branch))
        files = self.trees[self.commits[commit]["tree"]] if commit else {}
        path = params["path"]
        if path not in files:
            return 404, {"message": "Not Found"}
        data = files[path].encode()
        sha = _sha("blob", files[path])
        values = {
            "type": "file",
            "encoding": "base64",
            "size": len(data),
            "name": path.rpartition("/")[2],
            "path": path,
            "content": base64.encodebytes(data).decode(),
            "sha": sha,
        }
        if len(data) > 1024 * 1024:
            values |= {"encoding": "none", "content": ""}
        template = "/repos/{owner}/{repo}/contents/{path}"
        return 200, self._answer("GET", template, values, component="content-file")

    def _blob(self, request: Request, params: dict[str, str], body: Any) -> Any:
        for files in self.trees.values():
            for text in files.values():
                if _sha("blob", text) == params["file_sha"]:
                    values = {
                        "sha": params["file_sha"],
                        "content": base64.b64encode(text.encode()).decode(),
                        "encoding": "base64",
                        "size": len(text.encode()),
                    }
                    return 200, self._answer(
                        "GET", "/repos/{owner}/{repo}/git/blobs/{file_sha}", values
                    )
        return 404, {"message": "Not Found"}

    def _ref_json(self, branch: str, method: str, template: str, status: int) -> Any:
        values = {
            "ref": f"refs/heads/{branch}",
            "object": {"sha": self.refs[branch], "type": "commit"},
        }
        return self._answer(method, template, values, status=status)

    def _get_ref(self, request: Request, params: dict[str, str], body: Any) -> Any:
        branch = params["ref"].removeprefix("heads/")
        if branch not in self.refs:
            return 404, {"message": "Not Found"}
        return 200, self._ref_json(
            branch, "GET", "/repos/{owner}/{repo}/git/ref/{ref}", 200
        )

    def _create_ref(self, request: Request, params: dict[str, str], body: Any) -> Any:
        branch = body["ref"].removeprefix("refs/heads/")
        if branch in self.refs:
            return 422, {"message": "Reference already exists"}
        self.refs[branch] = body["sha"]
        return 201, self._ref_json(
            branch, "POST", "/repos/{owner}/{repo}/git/refs", 201
        )

    def _update_ref(self, request: Request, params: dict[str, str], body: Any) -> Any:
        branch = params["ref"].removeprefix("heads/")
        self.refs[branch] = body["sha"]
        return 200, self._ref_json(
            branch, "PATCH", "/repos/{owner}/{repo}/git/refs/{ref}", 200
        )

    def _get_commit(self, request: Request, params: dict[str, str], body: Any) -> Any:
        commit = self.commits[params["commit_sha"]]
        values = {
            "sha": params["commit_sha"],
            "tree": {"sha": commit["tree"]},
            "message": commit["message"],
        }
        return 200, self._answer(
            "GET", "/repos/{owner}/{repo}/git/commits/{commit_sha}", values
        )

    def _create_tree(self, request: Request, params: dict[str, str], body: Any) -> Any:
        files = dict(self.trees[body["base_tree"]])
        for entry in body["tree"]:
            files[entry["path"]] = entry["content"]
        tree = _sha("tree", files)
        self.trees[tree] = files
        return 201, self._answer(
            "POST", "/repos/{owner}/{repo}/git/trees", {"sha": tree}, status=201
        )

    def _create_commit(
        self, request: Request, params: dict[str, str], body: Any
    ) -> Any:
        sha = _sha("commit", body["tree"], body["parents"], body["message"])
        self.commits[sha] = {
            "tree": body["tree"],
            "parents": body["parents"],
            "message": body["message"],
        }
        values = {"sha": sha, "tree": {"sha": body["tree"]}, "message": body["message"]}
        return 201, self._answer(
            "POST", "/repos/{owner}/{repo}/git/commits", values, status=201
        )


def _public(comment: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in comment.items() if k != "issue"}
