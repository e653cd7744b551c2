"""What an executor knows about the run it serves: ids, limits, masking."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

import structlog
from structlog.typing import FilteringBoundLogger

from pao.actions.errors import ActionCancelled, ActionTimeout
from pao.actions.masking import Masker, SecretMasker

__all__ = ["ActionContext", "RetryPolicy"]


def _module_logger() -> FilteringBoundLogger:
    logger: FilteringBoundLogger = structlog.get_logger(__name__)
    return logger


@dataclass(frozen=True, slots=True, kw_only=True)
class RetryPolicy:
    """How often and how patiently a transient failure is retried.

    ``max_attempts`` counts every call, the first included. Delays grow
    exponentially from ``initial_backoff`` with random jitter and never
    exceed ``max_backoff`` — unless the target asks for longer with
    ``Retry-After``, which always wins.
    """

    max_attempts: int = 3
    initial_backoff: float = 1.0
    max_backoff: float = 30.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            message = f"max_attempts must be at least 1, got {self.max_attempts}"
            raise ValueError(message)
        if self.initial_backoff < 0 or self.max_backoff < self.initial_backoff:
            message = (
                "backoff must satisfy 0 <= initial_backoff <= max_backoff, got"
                f" {self.initial_backoff} and {self.max_backoff}"
            )
            raise ValueError(message)


@dataclass(frozen=True, kw_only=True)
class ActionContext:
    """One run of one action, as the fulfillment engine hands it over.

    ``timeout`` bounds the whole run, retries included, counted from
    ``started_at`` (a :func:`time.monotonic` reading); each call gets an
    equal share of the time left among the attempts left. Setting ``cancel``
    stops the run at the next call or backoff; the action then raises
    :class:`ActionCancelled`.

    ``masker`` hides the run's secret values; executors apply it to every
    error message and every recorded response. ``logger`` (this module's
    by default) gets the run's ids bound.
    """

    request_id: str
    action_id: str
    run_id: str
    idempotency_key: str
    correlation_id: str
    masker: Masker
    timeout: float = 300.0
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    logger: FilteringBoundLogger = field(default_factory=_module_logger)
    cancel: threading.Event = field(default_factory=threading.Event)
    started_at: float = field(default_factory=time.monotonic)
    correlation_header: str = "X-Correlation-ID"

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ValueError(f"timeout must be positive, got {self.timeout}")
        bound = self.logger.bind(
            request_id=self.request_id,
            action_id=self.action_id,
            run_id=self.run_id,
            correlation_id=self.correlation_id,
        )
        object.__setattr__(self, "logger", bound)

    def with_secrets(self, secrets: Iterable[str]) -> ActionContext:
        """This context, its masker also hiding *secrets*.

        Executors add the credentials they handle (a config's token, an
        issued OAuth2 token) so that no echo of them leaves the package,
        whether or not the engine knew them as secrets.
        """
        extra = SecretMasker(secrets)
        base = self.masker
        return replace(self, masker=lambda text: extra(base(text)))

    @property
    def deadline(self) -> float:
        """The :func:`time.monotonic` reading at which the run times out."""
        return self.started_at + self.timeout

    def remaining(self) -> float:
        """Seconds left before the deadline; negative once it has passed."""
        return self.deadline - time.monotonic()

    def check_live(self) -> None:
        """Raise if the run was cancelled or its time is up."""
        if self.cancel.is_set():
            raise ActionCancelled(f"action {self.action_id} was cancelled")
        if self.remaining() <= 0:
            message = (
                f"action {self.action_id} ran out of time (timeout {self.timeout:g}s)"
            )
            raise ActionTimeout(message)
