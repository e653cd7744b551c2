"""A bounded cache of GET responses, replayed when GitHub answers 304.

GitHub does not count a conditional request answered ``304 Not Modified``
against the primary rate limit, so the hot reads of a pull-request
reconcile (its files, its reviews, its comments, team memberships) cost
nothing while nothing changed. Entries are keyed by the request's path and
query; least recently used ones go first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

__all__ = ["CachedResponse", "ETagCache"]

DEFAULT_ENTRIES = 2048
# A larger body is served fresh every time rather than held in memory.
DEFAULT_MAX_BODY = 1024 * 1024


@dataclass(frozen=True, slots=True)
class CachedResponse:
    """What is needed to replay one 200 response."""

    etag: str
    body: str
    link: str | None = None


class ETagCache:
    """Thread-safe LRU of :class:`CachedResponse` by request key."""

    def __init__(
        self,
        *,
        max_entries: int = DEFAULT_ENTRIES,
        max_body: int = DEFAULT_MAX_BODY,
    ) -> None:
        if max_entries < 1:
            message = f"ETagCache: max_entries must be at least 1, got {max_entries}"
            raise ValueError(message)
        self.max_entries = max_entries
        self.max_body = max_body
        self._entries: OrderedDict[str, CachedResponse] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> CachedResponse | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: CachedResponse) -> None:
        if len(entry.body) > self.max_body:
            self.discard(key)
            return
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def discard(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def record(self, *, hit: bool) -> None:
        """Count one conditional request's outcome."""
        with self._lock:
            if hit:
                self.hits += 1
            else:
                self.misses += 1

    def __len__(self) -> int:
        return len(self._entries)
