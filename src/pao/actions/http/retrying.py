"""The tenacity policy for one action's calls: what, how often, how long.

Only :class:`TransientActionError` is retried (never :class:`CircuitOpen`:
its wait is the engine's to schedule). Delays grow exponentially with
jitter within the action's :class:`RetryPolicy`, but are never shorter than
the ``Retry-After`` the target asked for. Retrying stops after
``max_attempts`` calls, when the next delay would pass the action's
deadline, or when the run is cancelled — which also cuts a running delay
short.
"""

from __future__ import annotations

from collections.abc import Callable

import tenacity
from tenacity import RetryCallState

from pao.actions.context import ActionContext, RetryPolicy
from pao.actions.errors import CircuitOpen, TransientActionError

__all__ = ["BackoffWait", "retrying_for"]


class BackoffWait:
    """Exponential backoff with jitter that honours ``Retry-After``."""

    def __init__(self, policy: RetryPolicy) -> None:
        self._backoff = tenacity.wait_exponential_jitter(
            multiplier=policy.initial_backoff,
            max=policy.max_backoff,
            jitter=policy.initial_backoff,
        )
        self._cap = policy.max_backoff

    def __call__(self, state: RetryCallState) -> float:
        delay = min(self._backoff(state), self._cap)
        outcome = state.outcome
        error = outcome.exception() if outcome is not None else None
        asked = getattr(error, "retry_after", None)
        return max(delay, asked) if asked is not None else delay


class _StopBeforeDeadline(tenacity.stop.stop_base):
    """Stop when the next delay would end past the action's deadline."""

    def __init__(self, ctx: ActionContext) -> None:
        self._ctx = ctx

    def __call__(self, state: RetryCallState) -> bool:
        return state.upcoming_sleep >= self._ctx.remaining()


def _is_retryable(error: BaseException) -> bool:
    return isinstance(error, TransientActionError) and not isinstance(
        error, CircuitOpen
    )


def _log_retry(ctx: ActionContext) -> Callable[[RetryCallState], None]:
    def log(state: RetryCallState) -> None:
        error = state.outcome.exception() if state.outcome else None
        ctx.logger.warning(
            "action call failed, retrying",
            attempt=state.attempt_number,
            delay=round(state.upcoming_sleep, 3),
            error=ctx.masker(str(error)),
        )

    return log


def retrying_for(ctx: ActionContext) -> tenacity.Retrying:
    """A fresh retry controller for one sequence of calls of *ctx*'s run."""
    stop = (
        tenacity.stop_after_attempt(ctx.retry.max_attempts)
        | _StopBeforeDeadline(ctx)
        | tenacity.stop_when_event_set(ctx.cancel)
    )
    return tenacity.Retrying(
        retry=tenacity.retry_if_exception(_is_retryable),
        wait=BackoffWait(ctx.retry),
        stop=stop,
        sleep=tenacity.nap.sleep_using_event(ctx.cancel),
        before_sleep=_log_retry(ctx),
        reraise=True,
    )
