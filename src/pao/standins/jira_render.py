"""Jira's JSON for issues, comments, transitions and webhook events."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from pao.standins.jira_model import (
    PRIORITIES,
    RESOLUTIONS,
    STATUSES,
    Flavor,
    JiraComment,
    JiraIssue,
    JiraStatus,
)

__all__ = [
    "JiraSite",
    "comment_json",
    "field_selector",
    "issue_json",
    "issue_webhook",
    "status_json",
    "transitions_json",
    "user_json",
]

_NAVIGABLE = frozenset(
    {
        "summary",
        "description",
        "issuetype",
        "project",
        "status",
        "resolution",
        "resolutiondate",
        "labels",
        "priority",
        "created",
        "updated",
        "reporter",
    }
)


@dataclass(frozen=True)
class JiraSite:
    """Where the stand-in is served and as whom it acts."""

    base_url: str
    flavor: Flavor
    email: str
    display_name: str

    @property
    def api(self) -> str:
        return "/rest/api/3" if self.flavor == "cloud" else "/rest/api/2"

    def link(self, path: str) -> str:
        return f"{self.base_url}{self.api}{path}"


def user_json(site: JiraSite) -> dict[str, Any]:
    user: dict[str, Any] = {
        "emailAddress": site.email,
        "displayName": site.display_name,
        "active": True,
        "timeZone": "UTC",
    }
    if site.flavor == "cloud":
        account_id = "5b10ac8d82e05b22cc7d4ef5"
        user |= {"accountId": account_id, "accountType": "atlassian"}
        user["self"] = site.link(f"/user?accountId={account_id}")
    else:
        name = site.email.split("@")[0]
        user |= {"name": name, "key": name, "self": site.link(f"/user?username={name}")}
    return user


def status_json(site: JiraSite, status: JiraStatus) -> dict[str, Any]:
    return {
        "self": site.link(f"/status/{status.id}"),
        "description": "",
        "iconUrl": f"{site.base_url}/images/icons/statuses/generic.png",
        "name": status.name,
        "id": status.id,
        "statusCategory": {
            "self": site.link(f"/statuscategory/{status.category_id}"),
            "id": status.category_id,
            "key": status.category_key,
            "colorName": status.category_color,
            "name": status.category_name,
        },
    }


def _named(site: JiraSite, kind: str, name: str, ids: dict[str, str]) -> dict[str, Any]:
    object_id = ids.get(name, "0")
    return {"self": site.link(f"/{kind}/{object_id}"), "id": object_id, "name": name}


def _all_fields(site: JiraSite, issue: JiraIssue) -> dict[str, Any]:
    project = issue.project
    type_ids = {name: str(10001 + i) for i, name in enumerate(project.issue_types)}
    fields: dict[str, Any] = {
        "summary": issue.summary,
        "description": issue.description,
        "issuetype": {
            **_named(site, "issuetype", issue.issue_type, type_ids),
            "subtask": False,
        },
        "project": {
            "self": site.link(f"/project/{project.id}"),
            "id": project.id,
            "key": project.key,
            "name": project.name,
        },
        "status": status_json(site, issue.status),
        "resolution": None,
        "resolutiondate": issue.resolution_date,
        "labels": list(issue.labels),
        "priority": None,
        "created": issue.created,
        "updated": issue.updated,
        "reporter": user_json(site),
        "comment": {
            "comments": [comment_json(site, issue, c) for c in issue.comments],
            "maxResults": len(issue.comments),
            "total": len(issue.comments),
            "startAt": 0,
        },
        **issue.custom_fields,
    }
    if issue.resolution is not None:
        fields["resolution"] = {
            **_named(site, "resolution", issue.resolution, RESOLUTIONS),
            "description": "",
        }
    if issue.priority is not None:
        fields["priority"] = _named(site, "priority", issue.priority, PRIORITIES)
    return fields


def field_selector(
    spec: str | Iterable[str] | None, default: str
) -> Callable[[str], bool]:
    """Jira's ``fields`` parameter: names, ``*all``, ``*navigable``, ``-name``."""
    if spec is None:
        spec = default
    names = [n.strip() for n in (spec.split(",") if isinstance(spec, str) else spec)]
    excluded = {n[1:] for n in names if n.startswith("-")}
    included = {n for n in names if n and not n.startswith("-")}

    def wanted(name: str) -> bool:
        if name in excluded:
            return False
        if "*all" in included or name in included:
            return True
        return "*navigable" in included and (
            name in _NAVIGABLE or name.startswith("customfield_")
        )

    return wanted


def issue_json(
    site: JiraSite, issue: JiraIssue, wanted: Callable[[str], bool]
) -> dict[str, Any]:
    fields = {k: v for k, v in _all_fields(site, issue).items() if wanted(k)}
    return {
        "expand": "renderedFields,names,schema,operations,editmeta,changelog",
        "id": issue.id,
        "self": site.link(f"/issue/{issue.id}"),
        "key": issue.key,
        "fields": fields,
    }


def comment_json(
    site: JiraSite, issue: JiraIssue, comment: JiraComment
) -> dict[str, Any]:
    author = user_json(site)
    return {
        "self": site.link(f"/issue/{issue.id}/comment/{comment.id}"),
        "id": comment.id,
        "author": author,
        "updateAuthor": author,
        "body": comment.body,
        "created": comment.created,
        "updated": comment.created,
    }


def transitions_json(site: JiraSite, issue: JiraIssue) -> dict[str, Any]:
    """The simplified workflow: every status but the current one."""
    transitions = [
        {
            "id": status.transition_id,
            "name": status.name,
            "to": status_json(site, status),
            "hasScreen": False,
            "isGlobal": True,
            "isInitial": False,
            "isAvailable": True,
            "isConditional": False,
        }
        for status in STATUSES
        if status != issue.status
    ]
    return {"expand": "transitions", "transitions": transitions}


def issue_webhook(
    site: JiraSite,
    issue: JiraIssue,
    *,
    event: str,
    type_name: str,
    changes: list[dict[str, Any]] | None = None,
    comment: JiraComment | None = None,
) -> dict[str, Any]:
    """A ``jira:issue_*`` webhook body as Jira sends it."""
    payload: dict[str, Any] = {
        "timestamp": int(time.time() * 1000),
        "webhookEvent": event,
        "issue_event_type_name": type_name,
        "user": user_json(site),
        "issue": issue_json(site, issue, field_selector("*all", "*all")),
    }
    if changes:
        payload["changelog"] = {
            "id": str(int(time.time() * 1000) % 10**8),
            "items": changes,
        }
    if comment is not None:
        payload["comment"] = comment_json(site, issue, comment)
    return payload


def change_item(
    field: str,
    before: tuple[str | None, str | None],
    after: tuple[str | None, str | None],
) -> dict[str, Any]:
    """One changelog item: ``(id, display string)`` before and after."""
    return {
        "field": field,
        "fieldtype": "jira",
        "fieldId": field,
        "from": before[0],
        "fromString": before[1],
        "to": after[0],
        "toString": after[1],
    }
