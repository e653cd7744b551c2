"""The cache in front of the store: one protocol, its keys and counters.

Values are JSON (what an API response is made of), so an in-process cache
and Redis behave the same: a value read back is a fresh copy, never the
object that was stored. ``None`` is not a cacheable value: a ``None`` from
:meth:`Cache.get` always means a miss.

Every catalog change calls :func:`invalidate_catalog`, which drops every
``catalog:*`` key; with Redis the drop is fanned out to every replica's
local layer (see :mod:`pao.store.cache_redis`).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

__all__ = [
    "Cache",
    "CacheCounts",
    "CacheKeys",
    "CacheStats",
    "cached",
    "invalidate_catalog",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class CacheCounts:
    """Hits and misses of one key namespace."""

    hits: int
    misses: int

    @property
    def hit_ratio(self) -> float:
        """Hits over lookups; 0.0 before the first lookup."""
        lookups = self.hits + self.misses
        return self.hits / lookups if lookups else 0.0


class CacheStats:
    """Thread-safe hit and miss counters per namespace (``catalog``, …).

    The namespace is the key up to its first colon, so the catalog's hit
    ratio (``pao_catalog_cache_hit_ratio``) is ``stats.get("catalog")``.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, list[int]] = {}

    def record(self, key: str, *, hit: bool) -> None:
        namespace = key.split(":", 1)[0]
        with self._lock:
            counts = self._counts.setdefault(namespace, [0, 0])
            counts[0 if hit else 1] += 1

    def get(self, namespace: str) -> CacheCounts:
        with self._lock:
            hits, misses = self._counts.get(namespace, (0, 0))
        return CacheCounts(hits=hits, misses=misses)

    def snapshot(self) -> dict[str, CacheCounts]:
        with self._lock:
            items = list(self._counts.items())
        return {ns: CacheCounts(hits=c[0], misses=c[1]) for ns, c in items}


class Cache(Protocol):
    """A JSON cache with per-key expiry."""

    stats: CacheStats

    def get(self, key: str) -> Any:
        """The value under *key*, or ``None`` on a miss."""
        ...

    def get_local(self, key: str) -> Any:
        """The value under *key* if this process holds it, else ``None``.

        Never does I/O, so an event loop may call it: a hit counts like a
        :meth:`get` hit, and after a miss the caller goes on to
        :meth:`get` (which counts the miss) off the loop.
        """
        ...

    def set(self, key: str, value: Any, *, ttl: float) -> None:
        """Store the JSON-able *value* under *key* for *ttl* seconds."""
        ...

    def delete(self, key: str) -> None:
        """Drop *key* (everywhere it is cached)."""
        ...

    def delete_pattern(self, prefix: str) -> None:
        """Drop every key starting with *prefix* (everywhere it is cached)."""
        ...

    def close(self) -> None:
        """Release connections and threads."""
        ...


class CacheKeys:
    """The cache's keys and how long each kind lives (seconds)."""

    CATALOG_PREFIX = "catalog:"
    CATALOG_LIST_TTL = 300
    CATALOG_ITEM_TTL = 300
    CATALOG_SCHEMA_TTL = 3600
    REQUEST_STATUS_TTL = 30

    @staticmethod
    def catalog_list(filters: Mapping[str, Any]) -> str:
        """The key of one filtered catalog listing."""
        canonical = json.dumps(filters, sort_keys=True, separators=(",", ":"))
        digest = hashlib.sha256(canonical.encode()).hexdigest()[:32]
        return f"catalog:list:{digest}"

    @staticmethod
    def catalog_item(item_id: str) -> str:
        return f"catalog:item:{item_id}"

    @staticmethod
    def catalog_schema(item_id: str) -> str:
        return f"catalog:schema:{item_id}"

    @staticmethod
    def request_status(request_id: str) -> str:
        return f"request:status:{request_id}"


def invalidate_catalog(cache: Cache) -> None:
    """Drop every cached catalog listing, item and schema."""
    cache.delete_pattern(CacheKeys.CATALOG_PREFIX)


def cached(cache: Cache, key: str, *, ttl: float, load: Callable[[], T]) -> T:
    """The cached value of *key*, else *load*'s result, cached for *ttl*.

    *load* must return a JSON value; a ``None`` result is not cached.
    """
    value = cache.get(key)
    if value is not None:
        hit: T = value
        return hit
    loaded = load()
    if loaded is not None:
        cache.set(key, loaded, ttl=ttl)
    return loaded
