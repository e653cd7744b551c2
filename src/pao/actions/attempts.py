"""Attempt loops for actions whose create call is not safe to repeat.

Jira, Terraform Cloud and GitHub take no idempotency key on create. Their
executors therefore never let a create be retried blindly: each attempt of
:func:`run_attempts` first asks the target whether an earlier attempt got
through (a labelled issue, a run carrying the key), and only then creates.
Every call inside an attempt is sent once, with its share of the time left,
so the retry policy counts attempts, not calls.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from pao.actions.context import ActionContext, RetryPolicy
from pao.actions.errors import ActionError
from pao.actions.http.retrying import retrying_for
from pao.actions.masking import SecretMasker

__all__ = [
    "attempt_context",
    "contains_token",
    "rephrase",
    "run_attempts",
    "service_context",
]

T = TypeVar("T")
E = TypeVar("E", bound=ActionError)

_ONE_SHOT = RetryPolicy(max_attempts=1, initial_backoff=0.0, max_backoff=0.0)


def run_attempts(
    ctx: ActionContext, step: Callable[[ActionContext], T]
) -> tuple[T, int]:
    """Run *step* until it succeeds or *ctx*'s retry policy gives up.

    Returns the step's result and the number of attempts made. An error
    that ends the loop carries that number and is masked.
    """
    attempts = 0
    try:
        for attempt in retrying_for(ctx):
            with attempt:
                attempts = attempt.retry_state.attempt_number
                result = step(attempt_context(ctx, attempts))
    except ActionError as exc:
        exc.attempts = max(attempts, 1)
        exc.apply_mask(ctx.masker)
        raise
    return result, attempts


def attempt_context(ctx: ActionContext, attempt: int) -> ActionContext:
    """*ctx* for attempt number *attempt*: calls sent once, time shared.

    The attempt gets an equal share of the time left among the attempts
    left, so that a target hanging on one attempt leaves time for the next.
    """
    left = max(ctx.retry.max_attempts - attempt + 1, 1)
    share = max(ctx.remaining() / left, 0.001)
    return replace(ctx, retry=_ONE_SHOT, started_at=time.monotonic(), timeout=share)


def service_context(
    purpose: str,
    *,
    key: str,
    timeout: float = 60.0,
    retry: RetryPolicy | None = None,
) -> ActionContext:
    """A context for a call pao makes on its own behalf (a comment, an
    escalation), outside any action run."""
    return ActionContext(
        request_id=key,
        action_id=purpose,
        run_id=purpose,
        idempotency_key=f"{purpose}-{key}",
        correlation_id=key,
        masker=SecretMasker(),
        timeout=timeout,
        retry=retry or RetryPolicy(),
    )


def contains_token(text: str, token: str) -> bool:
    """Whether *token* occurs in *text* as a whole word.

    Keys end in a run number, so ``...-1`` must not match ``...-10``: the
    token may not be preceded or followed by a word character or hyphen.
    """
    pattern = rf"(?<![\w-]){re.escape(token)}(?![\w-])"
    return re.search(pattern, text) is not None


def rephrase(exc: E, message: str, kind: type[ActionError] | None = None) -> E:
    """A copy of *exc* (or of class *kind*) saying *message*, same details."""
    cls = kind or type(exc)
    error = cls(
        message,
        method=exc.method,
        url=exc.url,
        status=exc.status,
        body_excerpt=exc.body_excerpt,
    )
    error.attempts = exc.attempts
    return error  # type: ignore[return-value]
