"""The fake GitHub's endpoint handlers, one per REST operation it serves.

Each returns ``(status, body)``; bodies are GitHub-shaped through
``answer``, so the server can check them against the OpenAPI description.
"""

from __future__ import annotations

import base64
import time
from typing import Any

from starlette.requests import Request

from forge.github.schema_objects import answer, sha_of


class Handlers:
    """Mixed into ``FakeGitHub``, whose state the handlers read and change."""

    doc: dict[str, Any]
    owner: str
    login: str
    app_id: int
    installation_id: int
    token_lifetime: float
    issued_tokens: list[str]
    default_branch: str
    pulls: dict[int, dict[str, Any]]
    files: dict[int, list[dict[str, Any]]]
    reviews: dict[int, list[dict[str, Any]]]
    comments: dict[int, dict[str, Any]]
    check_runs: dict[int, dict[str, Any]]
    annotations: dict[int, list[dict[str, Any]]]
    statuses: list[tuple[str, dict[str, Any]]]
    review_requests: list[tuple[int, dict[str, Any]]]
    reactions: list[tuple[int, str]]
    teams: dict[tuple[str, str], dict[str, str]]
    permissions: dict[str, str]
    refs: dict[str, str]
    commits: dict[str, dict[str, Any]]
    trees: dict[str, dict[str, str]]

    def user(self, login: str, kind: str = "User") -> dict[str, Any]:
        return {"login": login, "id": abs(hash(login)) % 10**6, "type": kind}

    def next_id(self) -> int:
        raise NotImplementedError

    def add_pull(self, number: int, **values: Any) -> dict[str, Any]:
        raise NotImplementedError

    def _answer(self, method: str, template: str, values: Any, **kw: Any) -> Any:
        return answer(self.doc, method, template, kw.pop("status", 200), values, **kw)

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
        run_id = self.next_id()
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
        comment_id = self.next_id()
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
        sha = sha_of("blob", files[path])
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
                if sha_of("blob", text) == params["file_sha"]:
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
        tree = sha_of("tree", files)
        self.trees[tree] = files
        return 201, self._answer(
            "POST", "/repos/{owner}/{repo}/git/trees", {"sha": tree}, status=201
        )

    def _create_commit(
        self, request: Request, params: dict[str, str], body: Any
    ) -> Any:
        sha = sha_of("commit", body["tree"], body["parents"], body["message"])
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
