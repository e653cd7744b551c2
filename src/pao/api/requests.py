"""Requests: list them, follow one, read its log and its escalation.

A request is visible to its requesting team, the owner team of its
catalog item and admins. To anyone else it does not exist: every
per-request endpoint answers the same 404 as for an unknown id, and the
list leaves it out.

The API does not change requests. Submitting one is a pull request (or a
commit) to the requests repo, and retry, abort and escalate are
pull-request comments or ``pao request …``; the seed's mutating endpoints
answer 405 saying so (:mod:`pao.api.request_commands`).

``/status`` is what dashboards poll: it is cached for
:attr:`~pao.store.CacheKeys.REQUEST_STATUS_TTL` seconds with the teams
that may see it, so a hit costs no query.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pao.api.auth import Principal, principal_of, require_visible_request
from pao.api.errors import BadRequest, NotFound
from pao.api.operations import ApiModule, Operation, Parameter, Reply
from pao.api.pagination import PAGE_PARAMETERS, page_response, read_page
from pao.api.rendering import (
    ERROR_SCHEMA,
    json_text,
    json_text_response,
    read_through,
)
from pao.api.request_commands import COMMAND_OPERATIONS
from pao.api.request_views import (
    ActionRunOut,
    AuditEntryOut,
    EscalationOut,
    RequestDetail,
    RequestLogs,
    RequestStatusDocument,
    RequestSummary,
    render_detail,
    render_escalation,
    render_logs,
    render_status,
    render_summary,
)
from pao.api.services import services_of
from pao.store import (
    AuditEntry,
    CacheKeys,
    RequestRecord,
    RequestStatus,
    SortKey,
    Store,
)

__all__ = ["MODULE"]

_STATUSES = tuple(status.value for status in RequestStatus)
_ONE_STATUS = f"({'|'.join(_STATUSES)})"
_STATUS_LIST = f"^{_ONE_STATUS}(,{_ONE_STATUS})*$"


# -- listing -----------------------------------------------------------------


def _list_requests(request: Request) -> Response:
    principal = principal_of(request)
    query = request.query_params
    page = read_page(request, listing="requests")
    result = services_of(request).store.list_requests(
        statuses=_parse_statuses(query.get("status")),
        item_id=query.get("catalog_item"),
        team=query.get("team"),
        requester=query.get("requester"),
        visible_to_teams=None if principal.admin else principal.teams,
        after=_sort_key(page.after),
        limit=page.limit,
    )
    key = result.next_key
    return page_response(
        request,
        result.items,
        page=page,
        render=render_summary,
        has_more=result.has_more,
        next_keys=(key.created_at.isoformat(), key.id) if key else None,
        total_count=result.total_count,
    )


def _parse_statuses(value: str | None) -> list[RequestStatus] | None:
    if value is None:
        return None
    names = [name.strip() for name in value.split(",")]
    unknown = [name for name in names if name not in _STATUSES]
    if unknown:
        message = (
            f"unknown status {', '.join(map(repr, unknown))}; "
            f"expected one or more of {', '.join(_STATUSES)}, comma-separated"
        )
        raise BadRequest(
            message,
            code="invalid_parameter",
            details={"parameter": "status", "unknown": unknown, "allowed": _STATUSES},
        )
    return [RequestStatus(name) for name in dict.fromkeys(names)]


def _sort_key(after: tuple[Any, ...] | None) -> SortKey | None:
    # The cursor is signed, so its keys are the ones this module wrote.
    if after is None:
        return None
    return SortKey(created_at=datetime.fromisoformat(str(after[0])), id=str(after[1]))


# -- one request -------------------------------------------------------------


def _visible_request(request: Request) -> RequestRecord:
    request_id = request.path_params["request_id"]
    found = services_of(request).store.find_request(request_id)
    if found is None:
        raise _no_request(request_id)
    _require_visible(principal_of(request), found.team, found.owner_team, request_id)
    return found


def _require_visible(
    principal: Principal, team: str, owner_team: str | None, request_id: str
) -> None:
    require_visible_request(
        principal, request_team=team, owner_team=owner_team, request_id=request_id
    )


def _no_request(request_id: str) -> NotFound:
    return NotFound(f"no request {request_id!r}", code="request_not_found")


def _get_request(request: Request) -> Response:
    record = _visible_request(request)
    revision = services_of(request).store.get_revision(
        request_id=record.id, revision=record.revision
    )
    return JSONResponse(render_detail(record, revision))


async def _get_status(request: Request) -> Response:
    request_id = request.path_params["request_id"]
    entry = await read_through(
        services_of(request).cache,
        CacheKeys.request_status(request_id),
        ttl=CacheKeys.REQUEST_STATUS_TTL,
        load=lambda: _load_status(request, request_id),
    )
    _require_visible(
        principal_of(request), entry["team"], entry["owner_team"], request_id
    )
    return json_text_response(entry["body"])


def _load_status(request: Request, request_id: str) -> dict[str, Any]:
    store = services_of(request).store
    record = store.find_request(request_id)
    if record is None:
        raise _no_request(request_id)
    revision = store.get_revision(request_id=record.id, revision=record.revision)
    runs = store.list_action_runs(request_id=record.id, revision=record.revision)
    return {
        "team": record.team,
        "owner_team": record.owner_team,
        "body": json_text(render_status(record, revision, runs)),
    }


def _get_logs(request: Request) -> Response:
    record = _visible_request(request)
    store = services_of(request).store
    runs = store.list_action_runs(request_id=record.id)
    return JSONResponse(render_logs(record, _audit_trail(store, record.id), runs))


def _audit_trail(store: Store, request_id: str) -> list[AuditEntry]:
    entries: list[AuditEntry] = []
    while True:
        after = entries[-1].id if entries else None
        batch = store.list_audit(request_id=request_id, after_id=after, limit=500)
        entries += batch
        if len(batch) < 500:
            return entries


def _get_escalation(request: Request) -> Response:
    record = _visible_request(request)
    if record.escalation is None:
        message = (
            f"request {record.id!r} is not escalated (status: {record.status.value})"
        )
        raise NotFound(
            message, code="not_escalated", details={"status": record.status.value}
        )
    return JSONResponse(render_escalation(record))


# -- operations --------------------------------------------------------------

_REQUEST_ID = Parameter("request_id", "The request's id.", location="path")
_NOT_FOUND = Reply(
    "No such request, or the caller may not see it.", schema=ERROR_SCHEMA
)


def _op(**kwargs: Any) -> Operation:
    return Operation(tags=("requests",), **kwargs)


def _per_request(
    path: str, endpoint: Any, operation_id: str, summary: str, reply: Reply
) -> Operation:
    return _op(
        method="GET",
        path=f"/requests/{{request_id}}{path}",
        endpoint=endpoint,
        operation_id=operation_id,
        summary=summary,
        parameters=(_REQUEST_ID,),
        responses={200: reply, 404: _NOT_FOUND},
    )


MODULE = ApiModule(
    name="requests",
    description="Requests and their progress. Read-only: requests change "
    "through git and pull-request comments.",
    operations=(
        _op(
            method="GET",
            path="/requests",
            endpoint=_list_requests,
            operation_id="listRequests",
            summary="List requests",
            description="Oldest first. Only requests the caller may see: of "
            "their teams, of items their teams own, or all for admins.",
            parameters=(
                *PAGE_PARAMETERS,
                Parameter(
                    "status",
                    "Only requests in one of these statuses, comma-separated "
                    f"({', '.join(_STATUSES)}).",
                    schema={"type": "string", "pattern": _STATUS_LIST},
                ),
                Parameter("catalog_item", "Only requests for this item id."),
                Parameter("team", "Only requests of this team (org/team)."),
                Parameter("requester", "Only requests by this user."),
            ),
            responses={
                200: Reply("A page of requests.", model=RequestSummary, paginated=True)
            },
        ),
        _per_request(
            "",
            _get_request,
            "getRequest",
            "Get a request",
            Reply("The request and its current revision.", model=RequestDetail),
        ),
        _per_request(
            "/status",
            _get_status,
            "getRequestStatus",
            "Get a request's phase and per-action status",
            Reply(
                "The same document pao writes to the request's status file; "
                "up to 30 seconds old.",
                model=RequestStatusDocument,
            ),
        ),
        _per_request(
            "/logs",
            _get_logs,
            "getRequestLogs",
            "Get a request's audit trail and action attempts",
            Reply("Audit entries and action runs, oldest first.", model=RequestLogs),
        ),
        _per_request(
            "/escalation",
            _get_escalation,
            "getRequestEscalation",
            "Get a request's escalation",
            Reply(
                "The escalation (404 `not_escalated` when there is none).",
                model=EscalationOut,
            ),
        ),
        *COMMAND_OPERATIONS,
    ),
    models=(ActionRunOut, AuditEntryOut),
)
