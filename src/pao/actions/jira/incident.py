"""The body of an escalation incident: ADF for Cloud, wiki markup for DC.

Both carry the same sections, under these headings, in this order:
``Summary`` (request, catalog item, requester, team, failure time,
failed action, who escalated and why), ``Error`` (the masked error),
``Actions`` (each action's status with the outputs and resources it
created), ``Cleanup guidance`` (per succeeded action) and ``Request data``
(the original request as JSON).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from typing import Any, TypedDict

from pao.actions.jira import adf

__all__ = [
    "SECTION_HEADINGS",
    "ActionSummary",
    "EscalationContext",
    "adf_incident",
    "wiki_incident",
]

SECTION_HEADINGS = (
    "Summary",
    "Error",
    "Actions",
    "Cleanup guidance",
    "Request data",
)
# Jira limits a text field to 32767 characters; code blocks are cut well
# within it so that every section fits.
_MAX_BLOCK = 8000
_NOT_RECORDED = "(not recorded)"
_WIKI_SPECIAL = re.compile(r"([\\{}\[\]|*_^~+\-?!#])")


class ActionSummary(TypedDict, total=False):
    """One action of the failed request as the incident lists it."""

    id: str
    name: str
    status: str
    outputs: Mapping[str, Any]
    resources: Mapping[str, Any]
    cleanup: str | None


class EscalationContext(TypedDict, total=False):
    """What the controller knows about a failed request (masked).

    The keys of the engine's failure context (``action``, ``error``,
    ``at``, ``catalogItem``, ``succeeded``) are read as they are; the
    controller adds the request's identity, people and data.
    """

    requestId: str
    requestPath: str
    catalogItem: Mapping[str, Any]
    requester: str
    team: str
    at: str
    action: str
    error: str
    actions: list[ActionSummary]
    succeeded: list[ActionSummary]
    request: Any
    reason: str
    escalatedBy: str


def adf_incident(context: Mapping[str, Any]) -> adf.Node:
    """The incident description as an ADF document (Jira Cloud)."""
    return adf.doc(_adf_sections(context))


def wiki_incident(context: Mapping[str, Any]) -> str:
    """The incident description in Jira wiki markup (Data Center)."""
    return "\n".join(_wiki_sections(context)) + "\n"


# -- what the sections say -----------------------------------------------------


def _summary(context: Mapping[str, Any]) -> list[tuple[str, str]]:
    item = context.get("catalogItem") or {}
    version = item.get("version")
    item_text = f"{item.get('id')} {version}" if version else item.get("id")
    rows = [
        ("Request", context.get("requestId")),
        ("Request file", context.get("requestPath")),
        ("Catalog item", item_text),
        ("Requester", context.get("requester")),
        ("Team", context.get("team")),
        ("Failed at", context.get("at")),
        ("Failed action", context.get("action")),
        ("Escalated by", context.get("escalatedBy")),
        ("Reason", context.get("reason")),
    ]
    return [(name, str(value) if value else _NOT_RECORDED) for name, value in rows]


def _actions(context: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    actions = context.get("actions")
    if actions is None:
        succeeded = context.get("succeeded") or []
        actions = [{**action, "status": "succeeded"} for action in succeeded]
    return [action for action in actions if isinstance(action, Mapping)]


def _action_line(action: Mapping[str, Any]) -> tuple[str, str]:
    name = action.get("name")
    label = (
        f"{action.get('id')} ({name})"
        if name and name != action.get("id")
        else str(action.get("id"))
    )
    return label, str(action.get("status") or "unknown")


def _created(action: Mapping[str, Any]) -> str | None:
    created = {key: action[key] for key in ("outputs", "resources") if action.get(key)}
    return _json_block(created) if created else None


def _cleanups(context: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [
        (str(action.get("id")), str(action.get("cleanup") or "no cleanup instructions"))
        for action in _actions(context)
        if action.get("status") == "succeeded"
    ]


def _json_block(value: Any) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False, default=str)
    return _bounded(text)


def _bounded(text: str) -> str:
    if len(text) <= _MAX_BLOCK:
        return text
    return f"{text[:_MAX_BLOCK]}\n… (cut; {len(text)} characters in all)"


# -- ADF -------------------------------------------------------------------------


def _adf_sections(context: Mapping[str, Any]) -> Iterator[adf.Node]:
    summary, error, actions, cleanup, data = SECTION_HEADINGS
    yield adf.heading(summary)
    yield adf.bullet_list(
        adf.paragraph(adf.text(f"{name}: ", strong=True), value)
        for name, value in _summary(context)
    )
    yield adf.heading(error)
    yield adf.code_block(_bounded(str(context.get("error") or _NOT_RECORDED)))
    yield adf.heading(actions)
    yield from _adf_actions(context)
    yield adf.heading(cleanup)
    yield from _adf_cleanup(context)
    yield adf.heading(data)
    yield adf.code_block(_json_block(context.get("request")), "json")


def _adf_actions(context: Mapping[str, Any]) -> Iterator[adf.Node]:
    actions = _actions(context)
    if not actions:
        yield adf.paragraph("No action ran.")
    for action in actions:
        label, status = _action_line(action)
        yield adf.paragraph(adf.text(label, strong=True), f": {status}")
        if (created := _created(action)) is not None:
            yield adf.code_block(created, "json")


def _adf_cleanup(context: Mapping[str, Any]) -> Iterator[adf.Node]:
    cleanups = _cleanups(context)
    if not cleanups:
        yield adf.paragraph("No action succeeded; there is nothing to clean up.")
        return
    yield adf.bullet_list(
        adf.paragraph(adf.text(f"{action_id}: ", strong=True), text)
        for action_id, text in cleanups
    )


# -- wiki markup -------------------------------------------------------------------


def _wiki_sections(context: Mapping[str, Any]) -> Iterator[str]:
    summary, error, actions, cleanup, data = SECTION_HEADINGS
    yield f"h3. {summary}"
    for name, value in _summary(context):
        yield f"* *{name}:* {_escape(value)}"
    yield f"h3. {error}"
    yield _noformat(_bounded(str(context.get("error") or _NOT_RECORDED)))
    yield f"h3. {actions}"
    yield from _wiki_actions(context)
    yield f"h3. {cleanup}"
    cleanups = _cleanups(context)
    if not cleanups:
        yield "No action succeeded; there is nothing to clean up."
    for action_id, text in cleanups:
        yield f"* *{_escape(action_id)}:* {_escape(text)}"
    yield f"h3. {data}"
    yield _code_json(_json_block(context.get("request")))


def _wiki_actions(context: Mapping[str, Any]) -> Iterator[str]:
    actions = _actions(context)
    if not actions:
        yield "No action ran."
    for action in actions:
        label, status = _action_line(action)
        yield f"*{_escape(label)}*: {_escape(status)}"
        if (created := _created(action)) is not None:
            yield _code_json(created)


def _escape(text: str) -> str:
    """*text* with wiki markup's special characters taken literally."""
    return _WIKI_SPECIAL.sub(r"\\\1", " ".join(text.splitlines()))


def _noformat(text: str) -> str:
    # The block ends at the next {noformat}; one inside the text is broken
    # up so it stays text.
    return "{noformat}\n" + text.replace("{noformat}", "{ noformat}") + "\n{noformat}"


def _code_json(text: str) -> str:
    # Inside JSON a "{code" can only sit in a string, where \u007b reads
    # the same; so the block cannot be closed early and stays valid JSON.
    return "{code:json}\n" + text.replace("{code", "\\u007bcode") + "\n{code}"
