"""Issue and issue-comment endpoints of the GitHub stand-in.

Comments on a pull request are issue comments, as on GitHub. Creating,
editing and deleting one sends an ``issue_comment`` webhook. Bodies of
65,536 characters or more are refused with GitHub's 422.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute, Route

from pao.standins.github_events import EventBuilder
from pao.standins.github_http import (
    ApiError,
    Call,
    Reply,
    endpoint,
    not_found,
    paginate,
)
from pao.standins.github_hub import Hub
from pao.standins.github_objects import gh_time
from pao.standins.github_render_pulls import (
    REACTIONS,
    comment_json,
    issue_json,
    reaction_json,
)
from pao.standins.github_state import Comment, GithubState, Reaction, Repo

__all__ = ["IssueEndpoints", "add_comment", "check_comment_body"]

# GitHub's message says "maximum is 65536", yet a body of exactly 65,536
# characters is already refused.
MAX_COMMENT_CHARS = 65_535
_COMMENT_DOCS = "https://docs.github.com/rest/issues/comments"


def check_comment_body(body: Any) -> str:
    """The comment body, or GitHub's 422 for a missing or oversized one."""
    if not isinstance(body, str):
        raise ApiError('Invalid request.\n\n"body" wasn\'t supplied.', 422)
    if len(body) > MAX_COMMENT_CHARS:
        error = {
            "resource": "IssueComment",
            "code": "unprocessable",
            "field": "data",
            "message": "Body is too long (maximum is 65536 characters)",
        }
        raise ApiError("Validation Failed", 422, errors=[error], docs=_COMMENT_DOCS)
    return body


def add_comment(
    state: GithubState, repo: Repo, number: int, *, user: str, body: str
) -> Comment:
    """Store a new comment on issue or pull request *number*."""
    with state.lock:
        comment = Comment(
            id=state.allocate_id(), repo=repo, number=number, user=user, body=body
        )
        state.comments[comment.id] = comment
        issue = state.issues[(repo.key, number)]
        issue.updated_at = comment.created_at
    return comment


class IssueEndpoints:
    """Routes under ``/repos/{owner}/{repo}/issues``."""

    def __init__(self, hub: Hub, events: EventBuilder) -> None:
        self.hub = hub
        self.events = events

    def routes(self) -> list[BaseRoute]:
        issues = "/repos/{owner}/{repo}/issues"
        comment = f"{issues}/comments/{{comment_id}}"
        return [
            Route(
                comment,
                endpoint(self.comment),
                methods=["GET", "PATCH", "DELETE"],
            ),
            Route(
                f"{comment}/reactions",
                endpoint(self.reactions),
                methods=["GET", "POST"],
            ),
            Route(f"{issues}/{{issue_number}}", endpoint(self.issue)),
            Route(
                f"{issues}/{{issue_number}}/comments",
                endpoint(self.comments),
                methods=["GET", "POST"],
            ),
        ]

    def issue(self, call: Call) -> Reply:
        with self.hub.state.lock:
            issue = self.hub.issue(call, self.hub.repo(call))
            return Reply(issue_json(self.hub.site, self.hub.state, issue))

    def comments(self, call: Call) -> Reply:
        state = self.hub.state
        if call.request.method == "POST":
            return self._create(call)
        with state.lock:
            repo = self.hub.repo(call)
            issue = self.hub.issue(call, repo)
            found = [
                c
                for c in state.comments.values()
                if c.repo is repo and c.number == issue.number
            ]
            items = [comment_json(self.hub.site, state, c) for c in found]
        return paginate(call, items)

    def _create(self, call: Call) -> Reply:
        body = check_comment_body(call.json().get("body"))
        state = self.hub.state
        with state.lock:
            repo = self.hub.repo(call)
            issue = self.hub.issue(call, repo)
            if issue.locked:
                raise ApiError("Unable to create comment because issue is locked.", 403)
            actor = self.hub.actor(call)
            comment = add_comment(
                state, repo, issue.number, user=actor.login, body=body
            )
            self.events.issue_comment("created", comment, actor.login)
            return Reply(comment_json(self.hub.site, state, comment), status=201)

    def _find(self, call: Call) -> Comment:
        repo = self.hub.repo(call)
        comment = self.hub.state.comments.get(call.number("comment_id"))
        if comment is None or comment.repo is not repo:
            raise not_found()
        return comment

    def comment(self, call: Call) -> Reply:
        state = self.hub.state
        method = call.request.method
        body = check_comment_body(call.json().get("body")) if method == "PATCH" else ""
        with state.lock:
            comment = self._find(call)
            if method == "GET":
                return Reply(comment_json(self.hub.site, state, comment))
            actor = self.hub.actor(call)
            if method == "DELETE":
                del state.comments[comment.id]
                self.events.issue_comment("deleted", comment, actor.login)
                return Reply(status=204)
            previous, comment.body = comment.body, body
            comment.updated_at = gh_time()
            changes = {"body": {"from": previous}}
            self.events.issue_comment("edited", comment, actor.login, changes=changes)
            return Reply(comment_json(self.hub.site, state, comment))

    def reactions(self, call: Call) -> Reply:
        state = self.hub.state
        if call.request.method == "GET":
            with state.lock:
                comment = self._find(call)
                wanted = call.query.get("content")
                items = [
                    reaction_json(self.hub.site, state, r)
                    for r in comment.reactions
                    if wanted in (None, r.content)
                ]
            return paginate(call, items)
        content = call.json().get("content")
        if content not in REACTIONS:
            raise ApiError(
                "Validation Failed",
                422,
                errors=[
                    {"resource": "Reaction", "code": "invalid", "field": "content"}
                ],
            )
        with state.lock:
            comment = self._find(call)
            actor = self.hub.actor(call)
            for reaction in comment.reactions:
                if (reaction.user, reaction.content) == (actor.login, content):
                    # Reacting twice answers the existing reaction with 200.
                    return Reply(reaction_json(self.hub.site, state, reaction))
            reaction = Reaction(state.allocate_id(), actor.login, str(content))
            comment.reactions.append(reaction)
            return Reply(reaction_json(self.hub.site, state, reaction), status=201)
