"""Group commit: status writes queued from many threads share one push.

A push costs far more than building a commit, so while one thread pushes,
the writes other threads queue up are gathered and go out together in the
next commit. Each caller still gets the sha of the commit that holds its
files, or ``None`` when its files were already in place.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field

from pao.forge.git.models import Identity

__all__ = ["MAX_BATCH", "CommitQueue", "Write", "batch_message"]

# Bounds one commit's size (and its message) however deep the queue gets.
MAX_BATCH = 200


@dataclass(eq=False)
class Write:
    """One caller's files, and once written, the outcome it waits for."""

    files: dict[str, bytes | None]
    message: str
    author: Identity
    done: bool = False
    sha: str | None = None
    error: BaseException | None = field(default=None, repr=False)

    def finish(self, sha: str | None) -> None:
        self.sha, self.done = sha, True

    def fail(self, error: BaseException) -> None:
        self.error, self.done = error, True

    def outcome(self) -> str | None:
        if self.error is not None:
            # Each waiting thread raises its own copy: one exception object
            # raised in several threads would mix their tracebacks.
            raise copy.copy(self.error)
        return self.sha


class CommitQueue:
    """Writes waiting to be committed to one clone, and who commits them.

    One thread at a time commits; the writes queued meanwhile wait on a
    condition, so each caller wakes as soon as its own write is done rather
    than queueing for a lock behind later commits.
    """

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._waiting: list[Write] = []
        self._busy = False

    def claim(self, write: Write) -> list[Write] | None:
        """Queue *write* and wait: ``None`` once another thread has written
        it, or the batch this thread must now commit, then :meth:`release`.
        """
        with self._changed:
            self._waiting.append(write)
            while self._busy and not write.done:
                self._changed.wait()
            if write.done:
                return None
            self._busy = True
            return self._take(write)

    def release(self) -> None:
        with self._changed:
            self._busy = False
            self._changed.notify_all()

    def _take(self, write: Write) -> list[Write]:
        # The writes by the same author, oldest first, *write* among them.
        batch = [w for w in self._waiting if w.author == write.author]
        batch = batch[:MAX_BATCH] if write in batch[:MAX_BATCH] else [write]
        self._waiting = [w for w in self._waiting if w not in batch]
        return batch


def batch_message(writes: Iterable[Write]) -> str:
    """The commit message for *writes*: theirs if alone, else a summary."""
    messages = [w.message.strip() for w in writes]
    if len(messages) == 1:
        return messages[0]
    subjects = "\n".join(f"* {m.splitlines()[0]}" for m in messages)
    return f"Write {len(messages)} status updates\n\n{subjects}"
