"""The mutating request endpoints of the original design, answered with 405.

Requests live in git: a request is submitted as a pull request (or a
commit) to the requests repo, and decided on with pull-request comments
or the command line. Callers of the old endpoints are told where to go
instead of getting a bare "method not allowed".
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from pao.api.errors import error_response
from pao.api.operations import Operation, Parameter, Reply
from pao.api.rendering import ERROR_SCHEMA

__all__ = ["COMMAND_OPERATIONS"]

_SUBMIT = (
    "requests are submitted through git: open a pull request adding "
    "requests/<catalog-item>/<name>.yaml to the requests repo (or commit it "
    "to the default branch where allowed)"
)


def _decision(command: str, request_id: str = "REQUEST") -> str:
    return (
        f"decisions on requests go through git: comment '/{command} [...]' on "
        f"the request's pull request, or run 'pao request {command} {request_id}'"
    )


def _refuse(message: str, *, allow: str, command: str) -> Response:
    return error_response(
        405,
        code="method_not_allowed",
        message=message,
        details={"command": command},
        headers={"Allow": allow},
    )


async def _submit(request: Request) -> Response:
    return _refuse(_SUBMIT, allow="GET", command="submit")


def _refusal(command: str) -> Operation:
    async def refuse(request: Request) -> Response:
        message = _decision(command, request.path_params["request_id"])
        return _refuse(message, allow="", command=command)

    return Operation(
        method="POST",
        path=f"/requests/{{request_id}}/{command}",
        endpoint=refuse,
        operation_id=f"{command}Request",
        summary=f"Not supported: {command} a request through the API",
        description=f"Answers 405: {_decision(command)}.",
        tags=("requests",),
        parameters=(Parameter("request_id", "The request's id.", location="path"),),
        responses={405: _REPLY},
    )


_REPLY = Reply(
    "Requests change through git; the message says how.",
    schema=ERROR_SCHEMA,
    headers={"Allow": "The methods the path supports."},
)

#: ``POST /requests`` and ``POST /requests/{id}/retry|abort|escalate``.
COMMAND_OPERATIONS: tuple[Operation, ...] = (
    Operation(
        method="POST",
        path="/requests",
        endpoint=_submit,
        operation_id="submitRequest",
        summary="Not supported: submit a request through the API",
        description=f"Answers 405: {_SUBMIT}.",
        tags=("requests",),
        responses={405: _REPLY},
    ),
    *(_refusal(command) for command in ("retry", "abort", "escalate")),
)
