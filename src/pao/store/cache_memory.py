"""The in-process cache: a bounded LRU with per-key expiry."""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from .cache import CacheStats

__all__ = ["MemoryCache"]


class MemoryCache:
    """A thread-safe LRU of JSON values that expire after their TTL.

    Values are kept serialised, so a caller can never change what another
    one reads. When full, the least recently used entry goes first.
    """

    def __init__(
        self,
        *,
        max_entries: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_entries < 1:
            message = f"max_entries must be at least 1, got {max_entries}"
            raise ValueError(message)
        self.max_entries = max_entries
        self.stats = CacheStats()
        self._clock = clock
        self._entries: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def get(self, key: str) -> Any:
        value = self.peek(key)
        self.stats.record(key, hit=value is not None)
        return value

    def get_local(self, key: str) -> Any:
        value = self.peek(key)
        if value is not None:
            self.stats.record(key, hit=True)
        return value

    def peek(self, key: str) -> Any:
        """Like :meth:`get`, without counting a hit or a miss."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires_at, text = entry
            if expires_at <= self._clock():
                del self._entries[key]
                return None
            self._entries.move_to_end(key)
        return json.loads(text)

    def set(self, key: str, value: Any, *, ttl: float) -> None:
        if value is None or ttl <= 0:
            self.delete(key)
            return
        text = json.dumps(value)
        with self._lock:
            self._entries[key] = (self._clock() + ttl, text)
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def delete(self, key: str) -> None:
        with self._lock:
            self._entries.pop(key, None)

    def delete_pattern(self, prefix: str) -> None:
        with self._lock:
            for key in [k for k in self._entries if k.startswith(prefix)]:
                del self._entries[key]

    def clear(self) -> None:
        """Drop everything."""
        with self._lock:
            self._entries.clear()

    def close(self) -> None:
        self.clear()
