"""A Terraform Cloud / Enterprise stand-in speaking the v2 JSON:API.

Under ``/api/v2``, with ``Authorization: Bearer <token>``:
``GET /organizations/{org}/workspaces/{name}`` and ``GET
/organizations/{org}/workspaces?search[name]=...``; ``GET
/workspaces/{id}``; ``GET|POST /workspaces/{id}/vars`` and ``PATCH|DELETE
/workspaces/{id}/vars/{var_id}`` (a sensitive variable never returns its
value); ``POST /runs``; ``GET /runs/{id}``; ``GET /workspaces/{id}/runs``;
``POST /runs/{id}/actions/apply|discard|cancel``; ``GET
/workspaces/{id}/current-state-version-outputs`` (sensitive values are
null there, as HCP Terraform documents) and ``GET
/state-version-outputs/{id}`` (which reveals them).

Runs advance one state every ``step_seconds`` (or only through
``advance()`` when it is None). On each state change that has a trigger,
a notification is POSTed to ``notification_url`` as HCP Terraform sends
it, signed with ``X-TFE-Notification-Signature``: the hex HMAC-SHA512 of
the body keyed with the notification token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from pao.standins.base import Delivery, Standin
from pao.standins.terraform_model import (
    Outcome,
    TerraformState,
    TfOutput,
    TfRun,
    TfWorkspace,
    iso_time,
    new_id,
    plan_path,
    record_outputs,
)
from pao.standins.terraform_render import (
    JsonApiResponse,
    api_error,
    notification_payload,
    output_json,
    page,
    page_params,
    read_document,
    run_json,
    trigger_for,
    var_json,
    workspace_json,
)
from pao.standins.terraform_vars import create_var, update_var

__all__ = ["TerraformStandin"]


def _not_found() -> JsonApiResponse:
    return api_error(404, "not found")


class TerraformStandin(Standin):
    """Workspaces, variables, runs that progress, outputs, notifications."""

    name = "terraform"

    def __init__(
        self,
        *,
        token: str,
        organization: str = "acme",
        step_seconds: float | None = 0.05,
        notification_url: str | None = None,
        notification_token: str | None = None,
    ) -> None:
        super().__init__()
        self.token = token
        self.organization = organization
        self.step_seconds = step_seconds
        self.notification_url = notification_url
        self.notification_token = notification_token
        self.notification_configuration_id = new_id("nc")
        self.state = TerraformState()

    def routes(self) -> list[BaseRoute]:
        api = "/api/v2"
        org = f"{api}/organizations/{{org}}/workspaces"
        ws = f"{api}/workspaces/{{ws}}"
        return [
            Route(org, self._list_workspaces, methods=["GET"]),
            Route(f"{org}/{{name}}", self._show_workspace_by_name, methods=["GET"]),
            Route(ws, self._show_workspace, methods=["GET"]),
            Route(f"{ws}/vars", self._vars, methods=["GET", "POST"]),
            Route(f"{ws}/vars/{{var}}", self._var, methods=["PATCH", "DELETE"]),
            Route(f"{ws}/runs", self._list_runs, methods=["GET"]),
            Route(
                f"{ws}/current-state-version-outputs", self._outputs, methods=["GET"]
            ),
            Route(f"{api}/state-version-outputs/{{id}}", self._output, methods=["GET"]),
            Route(f"{api}/runs", self._create_run, methods=["POST"]),
            Route(f"{api}/runs/{{run}}", self._show_run, methods=["GET"]),
            Route(
                f"{api}/runs/{{run}}/actions/{{action}}", self._act, methods=["POST"]
            ),
        ]

    def error_body(self, status: int) -> tuple[bytes, str]:
        titles = {429: "Too Many Requests", 401: "unauthorized", 404: "not found"}
        error = {"status": str(status), "title": titles.get(status, "internal error")}
        return json.dumps({"errors": [error]}).encode(), JsonApiResponse.media_type

    # -- test controls ---------------------------------------------------------

    def add_workspace(
        self,
        name: str,
        *,
        outcome: Outcome = "applied",
        outputs: dict[str, TfOutput] | None = None,
        vcs_repo: str | None = None,
        auto_apply: bool = False,
        errored_at: str = "plan",
    ) -> TfWorkspace:
        """Create a workspace whose runs end as *outcome*."""
        workspace = TfWorkspace(
            id=new_id("ws"),
            name=name,
            organization=self.organization,
            vcs_repo=vcs_repo,
            auto_apply=auto_apply,
            outcome=outcome,
            errored_at="apply" if errored_at == "apply" else "plan",
            outputs=dict(outputs or {}),
        )
        with self.state.lock:
            self.state.workspaces[workspace.id] = workspace
        return workspace

    def workspace(self, name: str) -> TfWorkspace:
        with self.state.lock:
            workspace = self.state.workspace_named(self.organization, name)
        if workspace is None:
            raise KeyError(name)
        return workspace

    def advance(self, run_id: str, steps: int = 1) -> TfRun:
        """Move a run on by *steps* states (notifications follow)."""
        for _ in range(steps):
            with self.state.lock:
                run = self.state.runs[run_id]
                if not run.ahead:
                    break
                self._step(run)
        return self.state.runs[run_id]

    def tick(self, now: float) -> None:
        if self.step_seconds is None:
            return
        with self.state.lock:
            for run in list(self.state.runs.values()):
                if run.ahead and run.due is not None and run.due <= now:
                    self._step(run)
                    run.due = now + self.step_seconds if run.ahead else None

    # -- lifecycle -------------------------------------------------------------------

    def _enter(self, run: TfRun, status: str) -> None:
        run.status = status
        run.timestamps[f"{status.replace('_', '-')}-at"] = iso_time()
        if status == "applied":
            record_outputs(run.workspace, destroyed=run.is_destroy)
        trigger = trigger_for(run)
        if trigger is not None:
            self._notify(run, trigger)

    def _step(self, run: TfRun) -> None:
        self._enter(run, run.ahead.pop(0))

    def _schedule(self, run: TfRun) -> None:
        if self.step_seconds is not None and run.ahead:
            run.due = time.monotonic() + self.step_seconds

    def _notify(self, run: TfRun, trigger: str) -> Delivery | None:
        if self.notification_url is None or self._server is None:
            return None
        payload = notification_payload(
            run,
            trigger,
            base_url=self.url,
            configuration_id=self.notification_configuration_id,
        )
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json", "User-Agent": "TFE Notifier"}
        if self.notification_token is not None:
            key = self.notification_token.encode()
            signature = hmac.new(key, body, hashlib.sha512).hexdigest()
            headers["X-TFE-Notification-Signature"] = signature
        return self.deliver(self.notification_url, body, headers)

    # -- auth and documents ------------------------------------------------------------

    def _denied(self, request: Request) -> JsonApiResponse | None:
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(token, self.token):
            return None
        return api_error(401, "unauthorized")

    def _find_workspace(self, request: Request) -> TfWorkspace | None:
        return self.state.workspaces.get(request.path_params["ws"])

    # -- workspaces --------------------------------------------------------------------

    async def _list_workspaces(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        if request.path_params["org"] != self.organization:
            return _not_found()
        needle = request.query_params.get("search[name]", "")
        with self.state.lock:
            found = [
                workspace_json(ws, self._current_run(ws))
                for ws in self.state.workspaces.values()
                if needle.lower() in ws.name.lower()
            ]
        return JsonApiResponse(page(found, *page_params(request)))

    async def _show_workspace_by_name(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        org, name = request.path_params["org"], request.path_params["name"]
        with self.state.lock:
            ws = self.state.workspace_named(org, name)
            if ws is None:
                return _not_found()
            return JsonApiResponse({"data": workspace_json(ws, self._current_run(ws))})

    async def _show_workspace(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        with self.state.lock:
            ws = self._find_workspace(request)
            if ws is None:
                return _not_found()
            return JsonApiResponse({"data": workspace_json(ws, self._current_run(ws))})

    def _current_run(self, ws: TfWorkspace) -> TfRun | None:
        runs = self.state.runs_of(ws)
        return runs[0] if runs else None

    # -- variables ---------------------------------------------------------------------

    async def _vars(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        ws = self._find_workspace(request)
        if ws is None:
            return _not_found()
        if request.method == "GET":
            with self.state.lock:
                data = [var_json(ws, var) for var in ws.vars.values()]
            return JsonApiResponse({"data": data})
        document = await read_document(request)
        if isinstance(document, JsonApiResponse):
            return document
        with self.state.lock:
            outcome = create_var(ws, document["data"])
            if isinstance(outcome, JsonApiResponse):
                return outcome
            return JsonApiResponse({"data": var_json(ws, outcome)}, status_code=201)

    async def _var(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        ws = self._find_workspace(request)
        var = ws.vars.get(request.path_params["var"]) if ws else None
        if ws is None or var is None:
            return _not_found()
        if request.method == "DELETE":
            with self.state.lock:
                del ws.vars[var.id]
            return Response(status_code=204)
        document = await read_document(request)
        if isinstance(document, JsonApiResponse):
            return document
        with self.state.lock:
            outcome = update_var(ws, var, document["data"])
            if isinstance(outcome, JsonApiResponse):
                return outcome
            return JsonApiResponse({"data": var_json(ws, var)})

    # -- runs --------------------------------------------------------------------------

    async def _create_run(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        document = await read_document(request)
        if isinstance(document, JsonApiResponse):
            return document
        data = document["data"]
        relationship = (data.get("relationships") or {}).get("workspace") or {}
        ws_id = (relationship.get("data") or {}).get("id")
        attributes = data.get("attributes") or {}
        with self.state.lock:
            ws = self.state.workspaces.get(str(ws_id))
            if ws is None:
                return _not_found()
            run = self._start_run(ws, attributes)
            return JsonApiResponse({"data": run_json(run)}, status_code=201)

    def _start_run(self, ws: TfWorkspace, attributes: dict[str, Any]) -> TfRun:
        auto_apply = bool(attributes.get("auto-apply", ws.auto_apply))
        ahead, after_confirm = plan_path(ws, auto_apply)
        run = TfRun(
            id=new_id("run"),
            workspace=ws,
            message=str(attributes.get("message") or "Queued manually via the API"),
            auto_apply=auto_apply,
            is_destroy=bool(attributes.get("is-destroy", False)),
            ahead=ahead,
            after_confirm=after_confirm,
        )
        self.state.runs[run.id] = run
        self._enter(run, "pending")
        self._schedule(run)
        return run

    async def _show_run(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        with self.state.lock:
            run = self.state.runs.get(request.path_params["run"])
            if run is None:
                return _not_found()
            return JsonApiResponse({"data": run_json(run)})

    async def _list_runs(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        wanted = request.query_params.get("filter[status]")
        statuses = set(wanted.split(",")) if wanted else None
        with self.state.lock:
            ws = self._find_workspace(request)
            if ws is None:
                return _not_found()
            runs = [
                run_json(run)
                for run in self.state.runs_of(ws)
                if statuses is None or run.status in statuses
            ]
        return JsonApiResponse(page(runs, *page_params(request)))

    async def _act(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        action = request.path_params["action"]
        with self.state.lock:
            run = self.state.runs.get(request.path_params["run"])
            if run is None or action not in {"apply", "discard", "cancel"}:
                return _not_found()
            document = run_json(run)["attributes"]["actions"]
            allowed = {
                "apply": document["is-confirmable"],
                "discard": document["is-discardable"],
                "cancel": document["is-cancelable"],
            }[action]
            if not allowed:
                detail = f"The run is {run.status}; it cannot be {action}ed now."
                return api_error(409, "transition not allowed", detail)
            run.ahead = _after_action(run, action)
            run.after_confirm = []
            self._schedule(run)
        return Response(status_code=202)

    # -- outputs -----------------------------------------------------------------------

    async def _outputs(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        with self.state.lock:
            ws = self._find_workspace(request)
            if ws is None or ws.state_version_id is None:
                return _not_found()
            data = [output_json(output, reveal=False) for output in ws.state]
        return JsonApiResponse({"data": data})

    async def _output(self, request: Request) -> Response:
        if (denied := self._denied(request)) is not None:
            return denied
        with self.state.lock:
            for ws in self.state.workspaces.values():
                for output in ws.state:
                    if output.id == request.path_params["id"]:
                        return JsonApiResponse(
                            {"data": output_json(output, reveal=True)}
                        )
        return _not_found()


def _after_action(run: TfRun, action: str) -> list[str]:
    if action == "apply":
        return list(run.after_confirm)
    return ["discarded"] if action == "discard" else ["canceled"]
