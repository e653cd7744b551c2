"""Reading only what this process holds: ``Cache.get_local``."""

from __future__ import annotations

import time
from collections.abc import Callable

from pao.store import CacheCounts, MemoryCache
from pao.store.cache_redis import RedisCache


def _wait_until(condition: Callable[[], bool], timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_memory_cache_reads_locally_and_counts_only_hits() -> None:
    cache = MemoryCache()
    cache.set("catalog:item:a", {"n": 1}, ttl=60)

    hit = cache.get_local("catalog:item:a")
    miss = cache.get_local("catalog:item:b")

    assert hit == {"n": 1}
    assert miss is None
    assert cache.stats.get("catalog") == CacheCounts(hits=1, misses=0)


def test_redis_cache_reads_only_its_local_layer(
    redis_url: str, redis_prefix: str
) -> None:
    """A value another replica wrote is local only once fetched from Redis,
    and stops being local when that replica deletes it."""
    writer = RedisCache(redis_url, prefix=redis_prefix)
    reader = RedisCache(redis_url, prefix=redis_prefix)
    try:
        writer.set("catalog:item:a", "body", ttl=60)

        before = reader.get_local("catalog:item:a")
        fetched = reader.get("catalog:item:a")
        after = reader.get_local("catalog:item:a")
        counts = reader.stats.get("catalog")
        writer.delete("catalog:item:a")
        dropped = _wait_until(lambda: reader.get_local("catalog:item:a") is None)

        assert (before, fetched, after) == (None, "body", "body")
        assert dropped
        assert counts == CacheCounts(hits=2, misses=0)
    finally:
        writer.close()
        reader.close()
