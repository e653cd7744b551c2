"""JSON:API documents and notification payloads as HCP Terraform sends them."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from pao.standins.terraform_model import (
    StateOutput,
    TfRun,
    TfVariable,
    TfWorkspace,
    iso_time,
)

__all__ = [
    "TRIGGERS",
    "JsonApiResponse",
    "api_error",
    "notification_payload",
    "output_json",
    "page",
    "page_params",
    "read_document",
    "run_json",
    "trigger_for",
    "var_json",
    "workspace_json",
]

# Which notification trigger fires when a run enters a state.
TRIGGERS = {
    "pending": "run:created",
    "planning": "run:planning",
    "policy_soft_failed": "run:needs_attention",
    "applying": "run:applying",
    "applied": "run:completed",
    "planned_and_finished": "run:completed",
    "errored": "run:errored",
    "canceled": "run:errored",
    "discarded": "run:errored",
}
_MESSAGES = {
    "run:created": "Run Created",
    "run:planning": "Run Planning",
    "run:needs_attention": "Run Needs Attention",
    "run:applying": "Run Applying",
    "run:completed": "Run Completed",
    "run:errored": "Run Errored",
}


class JsonApiResponse(JSONResponse):
    media_type = "application/vnd.api+json"


def api_error(status: int, title: str, detail: str | None = None) -> JsonApiResponse:
    error: dict[str, Any] = {"status": str(status), "title": title}
    if detail is not None:
        error["detail"] = detail
    return JsonApiResponse({"errors": [error]}, status_code=status)


def trigger_for(run: TfRun) -> str | None:
    if run.status == "planned" and run.confirmable:
        return "run:needs_attention"
    return TRIGGERS.get(run.status)


def page(items: list[Any], number: int, size: int) -> dict[str, Any]:
    """One page of *items* and the pagination meta HCP Terraform returns."""
    total_pages = max(1, -(-len(items) // size))
    start = (number - 1) * size
    return {
        "data": items[start : start + size],
        "links": {},
        "meta": {
            "pagination": {
                "current-page": number,
                "page-size": size,
                "prev-page": number - 1 if number > 1 else None,
                "next-page": number + 1 if number < total_pages else None,
                "total-pages": total_pages,
                "total-count": len(items),
            }
        },
    }


def workspace_json(ws: TfWorkspace, current_run: TfRun | None) -> dict[str, Any]:
    vcs_repo = None
    if ws.vcs_repo is not None:
        vcs_repo = {
            "identifier": ws.vcs_repo,
            "branch": "",
            "ingress-submodules": False,
        }
    run_ref = {"id": current_run.id, "type": "runs"} if current_run else None
    return {
        "id": ws.id,
        "type": "workspaces",
        "attributes": {
            "name": ws.name,
            "auto-apply": ws.auto_apply,
            "created-at": ws.created_at,
            "execution-mode": "remote",
            "locked": False,
            "terraform-version": "1.9.8",
            "working-directory": None,
            "vcs-repo": vcs_repo,
            "vcs-repo-identifier": ws.vcs_repo,
            "resource-count": len(ws.state),
            "actions": {"is-destroyable": True},
        },
        "relationships": {
            "organization": {"data": {"id": ws.organization, "type": "organizations"}},
            "current-run": {"data": run_ref},
        },
        "links": {
            "self": f"/api/v2/organizations/{ws.organization}/workspaces/{ws.name}"
        },
    }


def var_json(ws: TfWorkspace, var: TfVariable) -> dict[str, Any]:
    # A sensitive variable's value is write-only: it is never read back.
    return {
        "id": var.id,
        "type": "vars",
        "attributes": {
            "key": var.key,
            "value": None if var.sensitive else var.value,
            "sensitive": var.sensitive,
            "category": var.category,
            "hcl": var.hcl,
            "created-at": var.created_at,
            "description": var.description,
            "version-id": var.version_id,
        },
        "relationships": {
            "configurable": {
                "data": {"id": ws.id, "type": "workspaces"},
                "links": {"related": f"/api/v2/workspaces/{ws.id}"},
            }
        },
        "links": {"self": f"/api/v2/workspaces/{ws.id}/vars/{var.id}"},
    }


def run_json(run: TfRun) -> dict[str, Any]:
    return {
        "id": run.id,
        "type": "runs",
        "attributes": {
            "actions": {
                "is-cancelable": run.status in {"pending", "plan_queued", "planning"},
                "is-confirmable": run.confirmable,
                "is-discardable": run.confirmable or run.status == "policy_soft_failed",
                "is-force-cancelable": False,
            },
            "auto-apply": run.auto_apply,
            "created-at": run.created_at,
            "has-changes": run.workspace.outcome != "planned_and_finished",
            "is-destroy": run.is_destroy,
            "message": run.message,
            "plan-only": False,
            "refresh": True,
            "source": "tfe-api",
            "status": run.status,
            "status-timestamps": dict(run.timestamps),
            "trigger-reason": "manual",
        },
        "relationships": {
            "workspace": {"data": {"id": run.workspace.id, "type": "workspaces"}},
        },
        "links": {"self": f"/api/v2/runs/{run.id}"},
    }


def output_json(output: StateOutput, *, reveal: bool) -> dict[str, Any]:
    hidden = output.sensitive and not reveal
    return {
        "id": output.id,
        "type": "state-version-outputs",
        "attributes": {
            "name": output.name,
            "sensitive": output.sensitive,
            "type": output.type,
            "value": None if hidden else output.value,
            "detailed-type": output.type,
        },
        "links": {"self": f"/api/v2/state-version-outputs/{output.id}"},
    }


def notification_payload(
    run: TfRun, trigger: str, *, base_url: str, configuration_id: str
) -> dict[str, Any]:
    """A generic notification, ``payload_version`` 1."""
    ws = run.workspace
    return {
        "payload_version": 1,
        "notification_configuration_id": configuration_id,
        "run_url": f"{base_url}/app/{ws.organization}/{ws.name}/runs/{run.id}",
        "run_id": run.id,
        "run_message": run.message,
        "run_created_at": run.created_at,
        "run_created_by": "pao",
        "workspace_id": ws.id,
        "workspace_name": ws.name,
        "organization_name": ws.organization,
        "notifications": [
            {
                "message": _MESSAGES[trigger],
                "trigger": trigger,
                "run_status": run.status,
                "run_updated_at": iso_time(),
                "run_updated_by": None,
            }
        ],
    }


async def read_document(request: Request) -> dict[str, Any] | JsonApiResponse:
    """The JSON:API document in a POST/PATCH body, or the error to answer."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if content_type != JsonApiResponse.media_type:
        return api_error(
            415, "unsupported media type", f"use {JsonApiResponse.media_type}"
        )
    try:
        document = json.loads(await request.body())
    except ValueError:
        return api_error(400, "bad request", "the body is not valid JSON")
    if not isinstance(document, dict) or not isinstance(document.get("data"), dict):
        return api_error(422, "invalid attribute", "a 'data' object is required")
    return document


def page_params(request: Request) -> tuple[int, int]:
    def number(name: str, default: int) -> int:
        try:
            return max(1, int(request.query_params.get(name, default)))
        except ValueError:
            return default

    return number("page[number]", 1), min(100, number("page[size]", 20))
