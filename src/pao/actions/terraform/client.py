"""The Terraform Cloud / Enterprise API v2 calls pao makes (JSON:API).

Each method sends once; the executor wraps them in attempt loops. Error
documents (``{"errors": [{"title", "detail", "source": {"pointer"}}]}``)
become messages naming the attribute at fault.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from pao.actions.context import ActionContext
from pao.actions.errors import PermanentActionError, TransientActionError
from pao.actions.http import HttpSender
from pao.actions.vendor_config import TerraformConfig, read_credential
from pao.actions.vendor_http import VendorApi

__all__ = ["TerraformClient", "Workspace", "explain_tfc_error"]

MEDIA_TYPE = "application/vnd.api+json"
# How many workspaces to page through when looking one up by repository.
_MAX_WORKSPACE_PAGES = 20
_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class Workspace:
    id: str
    name: str
    organization: str
    vcs_repo: str | None = None

    @classmethod
    def from_resource(cls, data: Mapping[str, Any], organization: str) -> Workspace:
        attributes = data.get("attributes") or {}
        vcs = attributes.get("vcs-repo") or {}
        identifier = attributes.get("vcs-repo-identifier") or vcs.get("identifier")
        return cls(
            id=str(data["id"]),
            name=str(attributes.get("name", "")),
            organization=organization,
            vcs_repo=str(identifier) if identifier else None,
        )


def explain_tfc_error(body: Any) -> str | None:
    """A JSON:API error document as ``attribute: detail; title``."""
    if isinstance(body, str):
        return body.strip() or None
    errors = body.get("errors") if isinstance(body, Mapping) else None
    if not isinstance(errors, list):
        return None
    return "; ".join(_one_error(e) for e in errors if isinstance(e, Mapping)) or None


def _one_error(error: Mapping[str, Any]) -> str:
    text = str(error.get("detail") or error.get("title") or "error")
    pointer = (error.get("source") or {}).get("pointer")
    if isinstance(pointer, str) and pointer.strip("/"):
        return f"{pointer.rstrip('/').rsplit('/', 1)[-1]}: {text}"
    return text


class TerraformClient:
    """Calls one Terraform Cloud / Enterprise organization's API."""

    def __init__(self, config: TerraformConfig, *, sender: HttpSender | None) -> None:
        self.config = config
        self._api = VendorApi(
            vendor="Terraform Cloud",
            explain=explain_tfc_error,
            auth_hint="check terraform.token in pao's configuration",
            sender=sender,
        )

    def run_url(self, workspace: Workspace, run_id: str) -> str:
        base = self.config.url.rstrip("/")
        org, name = workspace.organization, workspace.name
        return f"{base}/app/{org}/workspaces/{name}/runs/{run_id}"

    def workspace_named(
        self, organization: str, name: str, *, ctx: ActionContext
    ) -> Workspace:
        path = f"/organizations/{_q(organization)}/workspaces/{_q(name)}"
        body = self._call("GET", path, ctx=ctx, what=f"find workspace {name!r}")
        return Workspace.from_resource(_resource(body, path), organization)

    def workspaces(
        self, organization: str, *, ctx: ActionContext
    ) -> Iterator[Workspace]:
        """The organization's workspaces, page by page."""
        path = f"/organizations/{_q(organization)}/workspaces"
        for number in range(1, _MAX_WORKSPACE_PAGES + 1):
            params = {"page[number]": str(number), "page[size]": str(_PAGE_SIZE)}
            body = self._call(
                "GET", path, ctx=ctx, what="list workspaces", params=params
            )
            for data in body.get("data") or []:
                yield Workspace.from_resource(data, organization)
            pagination = (body.get("meta") or {}).get("pagination") or {}
            if not pagination.get("next-page"):
                return

    def variables(
        self, workspace: Workspace, *, ctx: ActionContext
    ) -> list[dict[str, Any]]:
        path = f"/workspaces/{_q(workspace.id)}/vars"
        body = self._call("GET", path, ctx=ctx, what="list workspace variables")
        return [v for v in body.get("data") or [] if isinstance(v, dict)]

    def create_variable(
        self, workspace: Workspace, attributes: Mapping[str, Any], *, ctx: ActionContext
    ) -> None:
        path = f"/workspaces/{_q(workspace.id)}/vars"
        document = {"data": {"type": "vars", "attributes": dict(attributes)}}
        what = f"create variable {attributes.get('key')!r}"
        self._call("POST", path, ctx=ctx, what=what, document=document)

    def update_variable(
        self,
        workspace: Workspace,
        variable_id: str,
        attributes: Mapping[str, Any],
        *,
        ctx: ActionContext,
    ) -> None:
        path = f"/workspaces/{_q(workspace.id)}/vars/{_q(variable_id)}"
        data = {"id": variable_id, "type": "vars", "attributes": dict(attributes)}
        what = f"update variable {attributes.get('key')!r}"
        self._call("PATCH", path, ctx=ctx, what=what, document={"data": data})

    def recent_runs(
        self, workspace: Workspace, search: str, *, ctx: ActionContext
    ) -> list[dict[str, Any]]:
        """The workspace's latest runs matching *search* (id, message, …)."""
        path = f"/workspaces/{_q(workspace.id)}/runs"
        params = {"search[basic]": search, "page[size]": str(_PAGE_SIZE)}
        body = self._call("GET", path, ctx=ctx, what="list runs", params=params)
        return [r for r in body.get("data") or [] if isinstance(r, dict)]

    def create_run(
        self, workspace: Workspace, attributes: Mapping[str, Any], *, ctx: ActionContext
    ) -> dict[str, Any]:
        relationship = {"data": {"type": "workspaces", "id": workspace.id}}
        data = {
            "type": "runs",
            "attributes": dict(attributes),
            "relationships": {"workspace": relationship},
        }
        what = f"start a run in workspace {workspace.name!r}"
        body = self._call("POST", "/runs", ctx=ctx, what=what, document={"data": data})
        return _resource(body, "/runs")

    def run(self, run_id: str, *, ctx: ActionContext) -> dict[str, Any]:
        path = f"/runs/{_q(run_id)}"
        body = self._call("GET", path, ctx=ctx, what=f"read run {run_id}")
        return _resource(body, path)

    def state_outputs(
        self, workspace_id: str, *, ctx: ActionContext
    ) -> list[dict[str, Any]]:
        """The current state version's outputs; none before the first
        apply (the API answers 404 then)."""
        path = f"/workspaces/{_q(workspace_id)}/current-state-version-outputs"
        try:
            body = self._call("GET", path, ctx=ctx, what="read the state's outputs")
        except PermanentActionError as exc:
            if exc.status == 404:
                return []
            raise
        return [o for o in body.get("data") or [] if isinstance(o, dict)]

    def _call(
        self,
        method: str,
        path: str,
        *,
        ctx: ActionContext,
        what: str,
        params: Mapping[str, str] | None = None,
        document: Any = None,
    ) -> dict[str, Any]:
        token = self._token()
        return self._api.call_json(
            method,
            self.config.api_root + path,
            token=token,
            headers={"Accept": MEDIA_TYPE},
            media_type=MEDIA_TYPE,
            ctx=ctx,
            what=what,
            params=params,
            body=document,
        )

    def _token(self) -> str:
        return read_credential(self.config.token, "terraform.token")


def _resource(body: Mapping[str, Any], path: str) -> dict[str, Any]:
    data = body.get("data")
    if not isinstance(data, dict) or "id" not in data:
        message = f"Terraform Cloud answered {path} without a resource"
        raise TransientActionError(message)
    return data


def _q(segment: str) -> str:
    return quote(segment, safe="")
