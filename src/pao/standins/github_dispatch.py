"""GitHub's checks on a workflow dispatch, answered in GitHub's words."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import JSONResponse

from pao.standins.github_actions_model import GhRepo, GhWorkflow
from pao.standins.github_objects import github_error

__all__ = ["validate_dispatch"]

_DOCS = (
    "https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event"
)


def _reject(message: str, status: int = 422) -> JSONResponse:
    return JSONResponse(github_error(message, status, _DOCS), status_code=status)


def _not_a(name: str, value: Any, kind: str) -> str:
    shown = json.dumps(value)
    return f"Invalid request.\n\nFor 'properties/{name}', {shown} is not {kind}."


def _shape_problem(body: Any, max_inputs: int) -> str | None:
    # GitHub checks the body against the operation's schema first.
    if not isinstance(body, dict):
        return "Invalid request.\n\nThe body must be a JSON object."
    if "ref" not in body:
        return 'Invalid request.\n\n"ref" wasn\'t supplied.'
    if not isinstance(body["ref"], str):
        return _not_a("ref", body["ref"], "a string")
    inputs = body.get("inputs", {})
    if not isinstance(inputs, dict):
        return _not_a("inputs", inputs, "an object")
    if len(inputs) > max_inputs:
        return (
            f"Invalid request.\n\nNo more than {max_inputs} properties are allowed; "
            f"{len(inputs)} were supplied."
        )
    for name, value in inputs.items():
        if not isinstance(value, str):
            return _not_a(name, value, "a string")
    return None


def _input_problem(workflow: GhWorkflow, inputs: dict[str, str]) -> str | None:
    unexpected = sorted(set(inputs) - set(workflow.inputs))
    if unexpected:
        return f"Unexpected inputs provided: {json.dumps(unexpected)}"
    for name, spec in workflow.inputs.items():
        if spec.required and name not in inputs and spec.default is None:
            return f"Required input '{name}' not provided"
        value = inputs.get(name)
        if value is not None and spec.options is not None and value not in spec.options:
            return (
                f"Provided value '{value}' for input '{name}' not in the list of "
                "allowed values"
            )
    return None


def validate_dispatch(
    repo: GhRepo, workflow: GhWorkflow, raw: bytes, *, max_inputs: int
) -> tuple[str, dict[str, str]] | JSONResponse:
    """The ref and inputs (defaults filled in) to run with, or GitHub's error."""
    try:
        body = json.loads(raw)
    except ValueError:
        return _reject("Problems parsing JSON", 400)
    if not workflow.dispatchable:
        return _reject("Workflow does not have 'workflow_dispatch' trigger")
    if (problem := _shape_problem(body, max_inputs)) is not None:
        return _reject(problem)
    ref = body["ref"].removeprefix("refs/heads/").removeprefix("refs/tags/")
    if ref not in repo.refs:
        return _reject(f"No ref found for: {body['ref']}")
    inputs: dict[str, str] = dict(body.get("inputs", {}))
    if (problem := _input_problem(workflow, inputs)) is not None:
        return _reject(problem)
    for name, spec in workflow.inputs.items():
        if name not in inputs and spec.default is not None:
            inputs[name] = spec.default
    return ref, inputs
