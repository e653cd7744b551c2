"""JQL search: Cloud's token-paged ``/search/jql`` and DC's ``/search``."""

from __future__ import annotations

import base64
from typing import Any

from starlette.responses import JSONResponse, Response

from pao.standins.jira_jql import JqlError, JqlQuery, parse_jql
from pao.standins.jira_model import JiraIssue, JiraState
from pao.standins.jira_render import JiraSite, field_selector, issue_json
from pao.standins.jira_validate import jira_error

__all__ = ["search"]

_DEFAULT_PAGE = 50


def search(state: JiraState, site: JiraSite, params: dict[str, Any]) -> Response:
    """Answer a search with *params* (query string or JSON body)."""
    try:
        query = parse_jql(str(params.get("jql") or ""))
    except JqlError as exc:
        return jira_error(400, [str(exc)])
    with state.lock:
        known = {p.key for p in state.projects.values()}
        known |= {p.id for p in state.projects.values()}
        unknown = sorted(query.values_of("project") - known)
        if unknown:
            message = (
                f"The value '{unknown[0]}' does not exist for the field 'project'."
            )
            return jira_error(400, [message])
        issues = query.sort([i for i in state.issues.values() if query.matches(i)])
        if site.flavor == "cloud":
            return _token_page(site, query, issues, params)
        return _offset_page(site, issues, params)


def _token_page(
    site: JiraSite, query: JqlQuery, issues: list[JiraIssue], params: dict[str, Any]
) -> Response:
    # The enhanced search refuses unbounded queries and, unless asked for
    # fields, returns issue ids only.
    if not query.clauses:
        message = (
            "Unbounded JQL queries are not allowed here. "
            "Please add a search restriction to your query."
        )
        return jira_error(400, [message])
    start = _decode_token(params.get("nextPageToken"))
    size = _int(params.get("maxResults"), _DEFAULT_PAGE)
    page = issues[start : start + size]
    fields = params.get("fields")
    if fields is None or fields in ("id", ["id"]):
        rendered = [{"id": issue.id} for issue in page]
    else:
        wanted = field_selector(fields, "id")
        rendered = [issue_json(site, issue, wanted) for issue in page]
    body: dict[str, Any] = {"issues": rendered, "isLast": start + size >= len(issues)}
    if not body["isLast"]:
        body["nextPageToken"] = _encode_token(start + size)
    return JSONResponse(body)


def _offset_page(
    site: JiraSite, issues: list[JiraIssue], params: dict[str, Any]
) -> Response:
    start = _int(params.get("startAt"), 0)
    size = _int(params.get("maxResults"), _DEFAULT_PAGE)
    wanted = field_selector(params.get("fields"), "*navigable")
    rendered = [
        issue_json(site, issue, wanted) for issue in issues[start : start + size]
    ]
    return JSONResponse(
        {
            "expand": "schema,names",
            "startAt": start,
            "maxResults": size,
            "total": len(issues),
            "issues": rendered,
        }
    )


def _int(value: Any, default: int) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return default


def _encode_token(offset: int) -> str:
    return base64.urlsafe_b64encode(f"offset:{offset}".encode()).decode()


def _decode_token(token: Any) -> int:
    if not isinstance(token, str):
        return 0
    try:
        return int(base64.urlsafe_b64decode(token).decode().removeprefix("offset:"))
    except ValueError:
        return 0
