"""The sticky plan comment pao keeps on a pull request, as Markdown.

One comment per pull request, found again by :data:`PLAN_MARKER` and
edited in place: the plan before the merge, the progress after it. The
text is a pure function of the :class:`~pao.reconcilers.pull_plan.PullPlan`,
so rendering an unchanged plan gives the same body and no edit.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from pao.reconcilers.pull_plan import ActionPlan, PullPlan, RequestPlan

__all__ = [
    "PLAN_MARKER",
    "format_diagnostic",
    "format_outputs",
    "render_plan_comment",
    "render_request",
]

PLAN_MARKER = "<!-- pao:plan -->"

_PHASES = {
    "validating": "validating",
    "awaiting_approval": "awaiting approval",
    "queued": "queued",
    "in_progress": "in progress",
    "completed": "completed",
    "failed": "failed",
    "aborted": "aborted",
    "escalated": "escalated",
    "cancelled": "cancelled",
}


def render_plan_comment(plan: PullPlan) -> str:
    """The whole comment body, marker first."""
    count = len(plan.requests)
    noun = "request" if count == 1 else "requests"
    lines = [
        PLAN_MARKER,
        "## pao plan",
        "",
        f"{count} {noun} at `{plan.head_sha[:7]}`"
        + (" · merged" if plan.merged else ""),
    ]
    for request in plan.requests:
        lines += ["", *render_request(request)]
    lines += ["", "Comment `/help` for the commands pao understands."]
    return "\n".join(lines) + "\n"


def render_request(request: RequestPlan) -> list[str]:
    """The section of one request."""
    phase = _PHASES.get(request.phase, request.phase)
    lines = [f"### `{request.label}` — {request.kind} · {phase}", ""]
    if request.item is not None:
        item = request.item
        lines.append(f"- Catalog item: {item.name} (`{item.id}`) {item.version}")
        lines.append(f"- Owner team: @{item.owner_team.lstrip('@')}")
        if item.sla_hours is not None:
            lines.append(f"- SLA: {_hours(item.sla_hours)}")
    if request.approval:
        lines.append(f"- Approval: {request.approval}")
    if request.escalation and request.escalation.get("key"):
        escalation = request.escalation
        where = f" ({escalation['url']})" if escalation.get("url") else ""
        lines.append(f"- Escalated as {escalation['key']}{where}")
    if request.errors:
        lines += ["", "Problems:", ""]
        lines += [f"- {format_diagnostic(d)}" for d in request.errors]
    if request.failure and request.phase == "failed" and request.failure.get("error"):
        lines += ["", f"Failed: {_one_line(str(request.failure['error']))}"]
    if request.actions:
        lines += ["", "Actions:"]
        for number, action in enumerate(request.actions, start=1):
            lines += ["", *_action(number, action)]
    elif request.item is not None and not request.errors:
        lines += ["", "No actions to run."]
    return lines


def format_diagnostic(diagnostic: Any) -> str:
    where = f"{diagnostic.file}:{diagnostic.line}:{diagnostic.column}"
    return f"`{where}` {diagnostic.message} [{diagnostic.code}]"


def format_outputs(outputs: Mapping[str, Any]) -> str:
    return ", ".join(f"`{key}`: `{_scalar(value)}`" for key, value in outputs.items())


def _action(number: int, action: ActionPlan) -> list[str]:
    state = action.state.replace("_", " ")
    lines = [f"{number}. `{action.id}` {action.name} ({action.type}) — {state}"]
    if action.when:
        lines.append(f"   - only when `{action.when}`")
    if action.outputs:
        lines.append(f"   - outputs: {format_outputs(action.outputs)}")
    lines += [f"   - {link}" for link in action.links]
    if action.error and action.state in ("failed", "interrupted"):
        lines.append(f"   - error: {_one_line(action.error)}")
    return [*lines, "", *_indented(_json_block(action.config))]


def _json_block(value: Any) -> list[str]:
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return ["```json", *text.splitlines(), "```"]


def _indented(lines: Iterable[str]) -> list[str]:
    return [f"   {line}" if line else "" for line in lines]


def _hours(hours: float) -> str:
    value = int(hours) if float(hours).is_integer() else hours
    return f"{value} hour" if value == 1 else f"{value} hours"


def _scalar(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def _one_line(text: str) -> str:
    return " ".join(text.split())
