"""Jira's checks on a create-issue body, answered in Jira's words."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from starlette.responses import JSONResponse

from pao.standins.jira_model import (
    PRIORITIES,
    Flavor,
    JiraProject,
    JiraState,
    is_adf_document,
)

__all__ = ["NewIssue", "jira_error", "validate_comment", "validate_create"]

_SETTABLE = {"project", "issuetype", "summary", "description", "labels", "priority"}
_LOOSE = {"assignee", "duedate", "components"}
_CUSTOM = re.compile(r"customfield_\d+")
_MAX_SUMMARY = 255

# The wording differs between Jira Cloud and Jira Data Center.
_MESSAGES: dict[str, dict[Flavor, str]] = {
    "project": {
        "cloud": "Specify a valid project ID or key",
        "datacenter": "project is required",
    },
    "issuetype-missing": {
        "cloud": "Specify an issue type",
        "datacenter": "issue type is required",
    },
    "issuetype-invalid": {
        "cloud": "Specify a valid issue type",
        "datacenter": "valid issue type is required",
    },
    "document": {
        "cloud": "Operation value must be an Atlassian Document "
        "(see the Atlassian Document Format)",
        "datacenter": "Operation value must be a string",
    },
}


def jira_error(
    status: int, messages: Iterable[str] = (), errors: dict[str, str] | None = None
) -> JSONResponse:
    """Jira's error body: ``{"errorMessages": [...], "errors": {...}}``."""
    body = {"errorMessages": list(messages), "errors": errors or {}}
    return JSONResponse(body, status_code=status)


@dataclass(frozen=True)
class NewIssue:
    """A create request that passed: the project and the issue's fields."""

    project: JiraProject
    fields: dict[str, Any]


def _is_document(flavor: Flavor, value: Any) -> bool:
    if flavor == "cloud":
        return is_adf_document(value)
    return isinstance(value, str)


def validate_comment(flavor: Flavor, value: Any) -> JSONResponse | None:
    """Check a comment body: an ADF document on cloud, text on DC."""
    if value is None or value == "":
        return jira_error(400, errors={"comment": "Comment body can not be empty!"})
    if not _is_document(flavor, value):
        return jira_error(400, errors={"comment": _MESSAGES["document"][flavor]})
    return None


def _project(state: JiraState, flavor: Flavor, fields: dict[str, Any]) -> Any:
    ref = fields.get("project")
    project = state.project(ref) if isinstance(ref, dict) else None
    return project or _MESSAGES["project"][flavor]


def _issue_type(project: Any, flavor: Flavor, fields: dict[str, Any]) -> str | None:
    ref = fields.get("issuetype")
    if not isinstance(ref, dict) or not (ref.get("name") or ref.get("id")):
        return _MESSAGES["issuetype-missing"][flavor]
    if not isinstance(project, JiraProject):
        return None
    type_ids = {str(10001 + i): name for i, name in enumerate(project.issue_types)}
    name = ref.get("name") or type_ids.get(str(ref.get("id")))
    if name not in project.issue_types:
        return _MESSAGES["issuetype-invalid"][flavor]
    return None


def _labels(fields: dict[str, Any]) -> str | None:
    labels = fields.get("labels", [])
    if not isinstance(labels, list) or not all(isinstance(x, str) for x in labels):
        return "Labels must be a list of strings."
    spaced = next((label for label in labels if " " in label), None)
    if spaced is not None:
        return f"The label '{spaced}' contains spaces which is invalid."
    return None


def _field_errors(
    state: JiraState, flavor: Flavor, fields: dict[str, Any]
) -> tuple[dict[str, str], Any]:
    errors: dict[str, str] = {}
    project = _project(state, flavor, fields)
    if isinstance(project, str):
        errors["project"] = project
    if (problem := _issue_type(project, flavor, fields)) is not None:
        errors["issuetype"] = problem
    summary = fields.get("summary")
    if not isinstance(summary, str) or not summary.strip():
        errors["summary"] = "You must specify a summary of the issue."
    elif len(summary) > _MAX_SUMMARY:
        errors["summary"] = "Summary must be less than 255 characters."
    description = fields.get("description")
    if description is not None and not _is_document(flavor, description):
        errors["description"] = _MESSAGES["document"][flavor]
    if (problem := _labels(fields)) is not None:
        errors["labels"] = problem
    priority = fields.get("priority")
    if priority is not None and _priority(priority) is None:
        errors["priority"] = "Specify a valid priority"
    for name in fields:
        if name not in _SETTABLE | _LOOSE and not _CUSTOM.fullmatch(name):
            errors[name] = (
                f"Field '{name}' cannot be set. It is not on the appropriate "
                "screen, or unknown."
            )
    return errors, project


def _priority(ref: Any) -> str | None:
    if not isinstance(ref, dict):
        return None
    if ref.get("name") in PRIORITIES:
        return str(ref["name"])
    by_id = {v: k for k, v in PRIORITIES.items()}
    return by_id.get(str(ref.get("id")))


def validate_create(
    state: JiraState, flavor: Flavor, body: Any
) -> NewIssue | JSONResponse:
    """The issue to create, or the 400 Jira answers for this body."""
    if not isinstance(body, dict) or not isinstance(body.get("fields"), dict):
        return jira_error(400, ["The request body must hold a 'fields' object."])
    fields: dict[str, Any] = body["fields"]
    errors, project = _field_errors(state, flavor, fields)
    if errors:
        return jira_error(400, errors=errors)
    issue_type = fields["issuetype"].get("name") or _type_named(project, fields)
    extras = {k: v for k, v in fields.items() if k not in _SETTABLE}
    return NewIssue(
        project=project,
        fields={
            "issue_type": issue_type,
            "summary": fields["summary"],
            "description": fields.get("description"),
            "labels": list(fields.get("labels", [])),
            "priority": _priority(fields.get("priority")) or "Medium",
            "custom_fields": extras,
        },
    )


def _type_named(project: JiraProject, fields: dict[str, Any]) -> str:
    type_ids = {str(10001 + i): name for i, name in enumerate(project.issue_types)}
    return type_ids[str(fields["issuetype"]["id"])]
