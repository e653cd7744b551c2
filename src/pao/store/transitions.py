"""The request lifecycle: which status may follow which.

The main line is ``submitted → validating → queued → in_progress →
completed | failed``. Around it:

* ``awaiting_approval`` sits between validation and the queue while a code
  owner's approving review is missing;
* a new revision (a pushed change, a reopened pull request) sends a request
  that has not started, or has finished, back to ``validating``;
* a human decides what follows ``failed``: retry (``in_progress``),
  ``aborted`` or ``escalated``; an escalated request ends when the incident
  is resolved (``completed``) or given up (``aborted``);
* a request that never started can be ``cancelled`` (pull request closed
  unmerged, file deleted).

Running work (``in_progress``) is never cancelled or re-validated: its side
effects have to be accounted for first, so it ends as completed or failed.
"""

from __future__ import annotations

from collections.abc import Mapping

from .records import RequestStatus

__all__ = ["ALLOWED_TRANSITIONS", "TERMINAL_STATUSES", "can_transition"]

S = RequestStatus

ALLOWED_TRANSITIONS: Mapping[RequestStatus, frozenset[RequestStatus]] = {
    S.SUBMITTED: frozenset({S.VALIDATING, S.CANCELLED}),
    S.VALIDATING: frozenset({S.AWAITING_APPROVAL, S.QUEUED, S.FAILED, S.CANCELLED}),
    S.AWAITING_APPROVAL: frozenset({S.QUEUED, S.VALIDATING, S.CANCELLED}),
    S.QUEUED: frozenset({S.IN_PROGRESS, S.VALIDATING, S.CANCELLED}),
    S.IN_PROGRESS: frozenset({S.COMPLETED, S.FAILED}),
    S.FAILED: frozenset({S.IN_PROGRESS, S.ABORTED, S.ESCALATED, S.VALIDATING}),
    S.ESCALATED: frozenset({S.COMPLETED, S.ABORTED}),
    S.COMPLETED: frozenset({S.VALIDATING}),
    S.ABORTED: frozenset(),
    S.CANCELLED: frozenset(),
}

TERMINAL_STATUSES = frozenset(s for s, nxt in ALLOWED_TRANSITIONS.items() if not nxt)


def can_transition(from_status: RequestStatus, to_status: RequestStatus) -> bool:
    """Tell whether the lifecycle allows *from_status* → *to_status*."""
    return to_status in ALLOWED_TRANSITIONS[from_status]
