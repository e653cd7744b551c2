"""Background loops: run a step now, every *interval*, or when woken.

The controller is level-triggered: every loop re-reads what it needs from
git and the store on each pass, so a missed wake-up only costs latency,
never correctness.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import structlog

__all__ = ["PeriodicLoop"]

logger = structlog.get_logger(__name__)


class PeriodicLoop:
    """Calls *step* in a thread every *interval* seconds or on :meth:`wake`.

    A step that raises is logged and retried on the next pass: one bad
    cycle (an unreachable repo, a database outage) must not stop the loop.
    """

    def __init__(
        self,
        name: str,
        step: Callable[[], object],
        *,
        interval: float,
        min_gap: float = 0.0,
    ) -> None:
        self.name = name
        self.step = step
        self.interval = interval
        self.min_gap = min_gap
        self.passes = 0
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._idle = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self, *, timeout: float | None = None) -> None:
        """Let the current pass finish, then end the thread."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def run_once(self) -> None:
        """One pass in the caller's thread (tests, ``pao reindex``)."""
        self._pass()

    def wait_idle(self, timeout: float) -> bool:
        """Block until a pass completes after this call; False on timeout."""
        self._idle.clear()
        self.wake()
        return self._idle.wait(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            started = time.monotonic()
            self._wake.clear()
            self._pass()
            self._idle.set()
            if self._stop.is_set():
                break
            self._wake.wait(self.interval)
            # Bursts of wake-ups (a webhook storm) collapse into one pass.
            gap = self.min_gap - (time.monotonic() - started)
            if gap > 0 and not self._stop.is_set():
                self._stop.wait(gap)

    def _pass(self) -> None:
        try:
            self.step()
        except Exception:
            logger.exception("loop_step_failed", loop=self.name)
        self.passes += 1
