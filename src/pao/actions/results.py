"""What an executor reports: the result of a call, or what it waits for."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TypedDict

__all__ = ["ActionResult", "ResponseRecord", "Waiting"]


class ResponseRecord(TypedDict):
    """The target's answer as recorded: masked, body bounded in size.

    ``body`` is the parsed JSON when the answer was JSON, else its text;
    ``truncated`` says the body was cut at the size bound (and so left
    unparsed). The ``outputs`` templates of an action read this record as
    ``response``.
    """

    status: int
    headers: dict[str, str]
    body: Any
    truncated: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Waiting:
    """An action started but not finished: what to ask, and when.

    ``kind`` names what is awaited (``jira-resolution``, ``terraform-run``,
    ``workflow-run``); ``ref`` holds, as JSON-compatible data, everything
    the executor's ``poll`` needs to ask again after a restart. A webhook
    from the target can end the wait early; polling is the backstop.
    """

    kind: str
    ref: Mapping[str, Any]
    poll_after_seconds: float
    description: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "ref": dict(self.ref),
            "poll_after_seconds": self.poll_after_seconds,
            "description": self.description,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Waiting:
        return cls(
            kind=str(data["kind"]),
            ref=dict(data["ref"]),
            poll_after_seconds=float(data["poll_after_seconds"]),
            description=str(data.get("description", "")),
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ActionResult:
    """What one action did at its target.

    ``outputs`` are the values the action type always produces (a status
    code, a ticket key); the engine adds the catalog's ``outputs`` templates
    rendered over ``response``. ``external_ref`` finds the created thing
    again (``url``, ``id``). ``waiting`` is set while the action still waits
    for the target to finish. ``attempts`` counts the calls made.
    """

    outputs: Mapping[str, Any]
    response: ResponseRecord | None = None
    external_ref: Mapping[str, Any] = field(default_factory=dict)
    waiting: Waiting | None = None
    attempts: int = 1

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-compatible data, for the store."""
        return {
            "outputs": dict(self.outputs),
            "response": dict(self.response) if self.response is not None else None,
            "external_ref": dict(self.external_ref),
            "waiting": self.waiting.to_dict() if self.waiting else None,
            "attempts": self.attempts,
        }
