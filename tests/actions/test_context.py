"""The run context: retry policy, deadline, cancellation."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

from pao.actions import ActionCancelled, ActionContext, ActionTimeout, RetryPolicy


@pytest.mark.parametrize(
    "kwargs",
    [
        {"max_attempts": 0},
        {"initial_backoff": -1},
        {"initial_backoff": 5, "max_backoff": 1},
    ],
)
def test_retry_policy_rejects_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="must"):
        RetryPolicy(**kwargs)  # type: ignore[arg-type]


def test_deadline_counts_from_the_start(make_ctx: Callable[..., ActionContext]) -> None:
    ctx = make_ctx(timeout=30.0, started_at=time.monotonic() - 10)

    assert 19 < ctx.remaining() <= 20
    assert ctx.deadline == pytest.approx(ctx.started_at + 30)


def test_check_live_raises_after_the_deadline(
    make_ctx: Callable[..., ActionContext],
) -> None:
    ctx = make_ctx(timeout=1.0, started_at=time.monotonic() - 2)

    with pytest.raises(ActionTimeout, match="ran out of time"):
        ctx.check_live()


def test_check_live_raises_when_cancelled(ctx: ActionContext) -> None:
    ctx.check_live()
    ctx.cancel.set()

    with pytest.raises(ActionCancelled):
        ctx.check_live()


def test_timeout_must_be_positive(make_ctx: Callable[..., ActionContext]) -> None:
    with pytest.raises(ValueError, match="timeout must be positive"):
        make_ctx(timeout=0)


def test_logger_carries_the_run_ids(ctx: ActionContext) -> None:
    bound = ctx.logger._context  # type: ignore[attr-defined]

    assert bound["request_id"] == "payments/orders-db"
    assert bound["action_id"] == "create-db"
    assert bound["run_id"] == "run-1"
    assert bound["correlation_id"] == "corr-42"


def test_with_secrets_masks_old_and_new_secrets(ctx: ActionContext) -> None:
    derived = ctx.with_secrets(["issued-token"])

    assert derived.masker("s3cr3t-token-value issued-token") == "*** ***"
    assert ctx.masker("issued-token") == "issued-token"
    assert derived.cancel is ctx.cancel
    assert derived.started_at == ctx.started_at
