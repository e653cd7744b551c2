"""One circuit breaker per target host.

After ``fail_max`` transient failures in a row a host's circuit opens: calls
to it fail at once with :class:`CircuitOpen` until ``reset_timeout`` has
passed, then one trial call decides whether it closes again. Answers that
are permanent errors (a 404, a 401) count as the host working.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import pybreaker

from pao.actions.errors import CircuitOpen, PermanentActionError, TransientActionError

__all__ = ["Circuits"]

T = TypeVar("T")


class _OpenedAt(pybreaker.CircuitBreakerListener):
    """Notes when a breaker opened, to tell callers how long it stays so."""

    def __init__(self) -> None:
        self.opened_at = 0.0

    def state_change(self, cb: Any, old_state: Any, new_state: Any) -> None:
        if new_state is not None and new_state.name == pybreaker.STATE_OPEN:
            self.opened_at = time.monotonic()


class Circuits:
    """The circuit breakers of this process, keyed by origin."""

    def __init__(self, *, fail_max: int = 5, reset_timeout: float = 30.0) -> None:
        self.fail_max = fail_max
        self.reset_timeout = reset_timeout
        self._breakers: dict[str, tuple[pybreaker.CircuitBreaker, _OpenedAt]] = {}
        self._lock = threading.Lock()

    def call(self, origin: str, func: Callable[[], T]) -> T:
        """Run *func* against *origin* unless its circuit is open."""
        breaker, opened = self._breaker(origin)
        self._refuse_if_open(origin, breaker, opened)
        # The call runs outside the breaker, whose lock would otherwise
        # serialise every call to the host; only its outcome is fed in.
        try:
            result = func()
        except TransientActionError as exc:
            _record(breaker, exc)
            raise
        except PermanentActionError:
            _record(breaker, None)
            raise
        _record(breaker, None)
        return result

    def state(self, origin: str) -> str:
        """``closed``, ``open`` or ``half-open``."""
        breaker, _ = self._breaker(origin)
        return str(breaker.current_state)

    def reset(self) -> None:
        """Close every circuit (forget all failures)."""
        with self._lock:
            self._breakers.clear()

    def _breaker(self, origin: str) -> tuple[pybreaker.CircuitBreaker, _OpenedAt]:
        with self._lock:
            entry = self._breakers.get(origin)
            if entry is None:
                opened = _OpenedAt()
                breaker = pybreaker.CircuitBreaker(
                    fail_max=self.fail_max,
                    reset_timeout=self.reset_timeout,
                    listeners=[opened],
                    name=origin,
                    throw_new_error_on_trip=False,
                )
                entry = self._breakers[origin] = (breaker, opened)
            return entry

    def _refuse_if_open(
        self,
        origin: str,
        breaker: pybreaker.CircuitBreaker,
        opened: _OpenedAt,
    ) -> None:
        if breaker.current_state != pybreaker.STATE_OPEN:
            return
        wait = self.reset_timeout - (time.monotonic() - opened.opened_at)
        if wait <= 0:
            return  # due for a trial call; the breaker half-opens on it
        message = (
            f"{origin} failed {self.fail_max} times in a row; not calling it"
            f" for another {wait:.0f}s"
        )
        raise CircuitOpen(message, retry_after=wait)


def _record(breaker: pybreaker.CircuitBreaker, failure: Exception | None) -> None:
    try:
        breaker.call(_replay, failure)
    except pybreaker.CircuitBreakerError:
        pass  # another thread opened it meanwhile; this outcome is moot
    except Exception as exc:
        if exc is not failure:
            raise


def _replay(failure: Exception | None) -> None:
    if failure is not None:
        raise failure
