"""The lifecycle table itself."""

from __future__ import annotations

import pytest

from pao.store import (
    ALLOWED_TRANSITIONS,
    TERMINAL_STATUSES,
    RequestStatus,
    can_transition,
)

S = RequestStatus


def test_every_status_has_an_entry() -> None:
    assert set(ALLOWED_TRANSITIONS) == set(RequestStatus)


def test_only_aborted_and_cancelled_are_terminal() -> None:
    assert {S.ABORTED, S.CANCELLED} == TERMINAL_STATUSES


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (S.SUBMITTED, S.VALIDATING),
        (S.VALIDATING, S.QUEUED),
        (S.VALIDATING, S.AWAITING_APPROVAL),
        (S.AWAITING_APPROVAL, S.QUEUED),
        (S.QUEUED, S.IN_PROGRESS),
        (S.IN_PROGRESS, S.COMPLETED),
        (S.IN_PROGRESS, S.FAILED),
        (S.FAILED, S.IN_PROGRESS),
        (S.FAILED, S.ABORTED),
        (S.FAILED, S.ESCALATED),
        (S.COMPLETED, S.VALIDATING),
    ],
)
def test_the_documented_moves_are_allowed(
    source: RequestStatus, target: RequestStatus
) -> None:
    assert can_transition(source, target)


@pytest.mark.parametrize(
    ("source", "target"),
    [
        (S.IN_PROGRESS, S.CANCELLED),
        (S.IN_PROGRESS, S.VALIDATING),
        (S.QUEUED, S.COMPLETED),
        (S.SUBMITTED, S.SUBMITTED),
        (S.CANCELLED, S.VALIDATING),
    ],
)
def test_running_or_ended_work_cannot_jump(
    source: RequestStatus, target: RequestStatus
) -> None:
    assert not can_transition(source, target)
