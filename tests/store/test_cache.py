"""The cache: the same behaviour in process and in Redis, plus fan-out."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from pao.store import (
    Cache,
    CacheKeys,
    MemoryCache,
    cached,
    invalidate_catalog,
    open_cache,
)
from pao.store.cache_redis import RedisCache

CacheFactory = Callable[..., Cache]


@pytest.fixture(params=["memory", "redis"])
def make_cache(request: pytest.FixtureRequest) -> Iterator[CacheFactory]:
    """Opens caches of one kind; Redis ones share a prefix of the test's own."""
    opened: list[Cache] = []

    def open_one(**options: float) -> Cache:
        cache: Cache
        if request.param == "memory":
            cache = MemoryCache()
        else:
            url = request.getfixturevalue("redis_url")
            prefix = request.getfixturevalue("redis_prefix")
            cache = RedisCache(url, prefix=prefix, **options)
        opened.append(cache)
        return cache

    yield open_one
    for cache in opened:
        cache.close()


@pytest.fixture
def cache(make_cache: CacheFactory) -> Cache:
    return make_cache()


def _wait_until(condition: Callable[[], bool], timeout: float = 3.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return condition()


def test_values_round_trip_as_fresh_json_copies(cache: Cache) -> None:
    value = {"items": [{"id": "pg", "tags": ["db"]}], "total": 1}
    cache.set("catalog:list:x", value, ttl=60)

    first = cache.get("catalog:list:x")
    first["items"].clear()

    assert cache.get("catalog:list:x") == value
    assert cache.get("catalog:list:missing") is None


def test_a_value_expires_after_its_ttl(cache: Cache) -> None:
    cache.set("request:status:r1", {"status": "queued"}, ttl=0.2)

    assert cache.get("request:status:r1") == {"status": "queued"}
    assert _wait_until(lambda: cache.get("request:status:r1") is None)


def test_none_and_nonpositive_ttls_store_nothing(cache: Cache) -> None:
    cache.set("catalog:item:a", {"v": 1}, ttl=60)
    cache.set("catalog:item:a", None, ttl=60)
    cache.set("catalog:item:b", {"v": 1}, ttl=0)

    assert cache.get("catalog:item:a") is None
    assert cache.get("catalog:item:b") is None


def test_delete_and_prefix_delete(cache: Cache) -> None:
    for key in (
        "catalog:item:a",
        "catalog:item:b",
        "catalog:list:1",
        "request:status:r",
    ):
        cache.set(key, {"key": key}, ttl=60)
    cache.set("catalog:it*m:c", {"glob": True}, ttl=60)

    cache.delete("catalog:item:a")
    cache.delete_pattern("catalog:it*")

    assert cache.get("catalog:item:a") is None
    assert cache.get("catalog:it*m:c") is None
    assert cache.get("catalog:item:b") == {"key": "catalog:item:b"}

    invalidate_catalog(cache)

    assert cache.get("catalog:item:b") is None
    assert cache.get("catalog:list:1") is None
    assert cache.get("request:status:r") == {"key": "request:status:r"}


def test_hits_and_misses_are_counted_per_namespace(cache: Cache) -> None:
    cache.set("catalog:item:a", {"v": 1}, ttl=60)

    cache.get("catalog:item:a")
    cache.get("catalog:item:a")
    cache.get("catalog:item:b")
    cache.get("request:status:r")

    catalog = cache.stats.get("catalog")
    assert (catalog.hits, catalog.misses) == (2, 1)
    assert catalog.hit_ratio == pytest.approx(2 / 3)
    assert cache.stats.get("request").hit_ratio == 0.0
    assert cache.stats.get("unused").hit_ratio == 0.0
    assert set(cache.stats.snapshot()) == {"catalog", "request"}


def test_cached_loads_once_until_invalidated(cache: Cache) -> None:
    loads: list[int] = []

    def load() -> dict[str, int]:
        loads.append(1)
        return {"n": len(loads)}

    first = cached(cache, CacheKeys.catalog_item("pg"), ttl=60, load=load)
    second = cached(cache, CacheKeys.catalog_item("pg"), ttl=60, load=load)
    invalidate_catalog(cache)
    third = cached(cache, CacheKeys.catalog_item("pg"), ttl=60, load=load)

    assert (first, second, third) == ({"n": 1}, {"n": 1}, {"n": 2})


def test_keys_follow_the_documented_layout() -> None:
    filters = {"category": "databases", "tag": "sql"}

    assert CacheKeys.catalog_list(filters) == CacheKeys.catalog_list(
        dict(reversed(filters.items()))
    )
    assert CacheKeys.catalog_list(filters) != CacheKeys.catalog_list({"tag": "sql"})
    assert CacheKeys.catalog_list(filters).startswith("catalog:list:")
    assert CacheKeys.catalog_item("pg") == "catalog:item:pg"
    assert CacheKeys.catalog_schema("pg") == "catalog:schema:pg"
    assert CacheKeys.request_status("r1") == "request:status:r1"
    assert (
        CacheKeys.CATALOG_LIST_TTL,
        CacheKeys.CATALOG_ITEM_TTL,
        CacheKeys.CATALOG_SCHEMA_TTL,
        CacheKeys.REQUEST_STATUS_TTL,
    ) == (300, 300, 3600, 30)


def test_the_memory_cache_evicts_the_least_recently_used() -> None:
    cache = MemoryCache(max_entries=2)
    cache.set("catalog:item:a", 1, ttl=60)
    cache.set("catalog:item:b", 2, ttl=60)
    cache.get("catalog:item:a")

    cache.set("catalog:item:c", 3, ttl=60)

    assert len(cache) == 2
    assert cache.get("catalog:item:b") is None
    assert (cache.get("catalog:item:a"), cache.get("catalog:item:c")) == (1, 3)


def test_replicas_share_values_through_redis(redis_url: str, redis_prefix: str) -> None:
    with _redis_pair(redis_url, redis_prefix) as (one, other):
        one.set("catalog:item:pg", {"v": 1}, ttl=60)

        assert other.get("catalog:item:pg") == {"v": 1}


def test_a_delete_reaches_every_replicas_local_layer(
    redis_url: str, redis_prefix: str
) -> None:
    with _redis_pair(redis_url, redis_prefix) as (one, other):
        one.set("catalog:item:pg", {"v": 1}, ttl=60)
        one.set("request:status:r1", {"status": "queued"}, ttl=60)
        # Both values now sit in the other replica's local layer, which
        # would keep serving them for a minute without the fan-out.
        assert other.get("catalog:item:pg") == {"v": 1}
        assert other.get("request:status:r1") == {"status": "queued"}
        _drop_shared(one, ["catalog:item:pg", "request:status:r1"])
        assert other.get("catalog:item:pg") == {"v": 1}

        invalidate_catalog(one)
        one.delete("request:status:r1")

        assert _wait_until(lambda: other.get("catalog:item:pg") is None)
        assert _wait_until(lambda: other.get("request:status:r1") is None)


def test_redis_being_down_degrades_to_misses() -> None:
    cache = RedisCache("redis://127.0.0.1:1/0", socket_timeout=0.2)
    try:
        cache.set("catalog:item:pg", {"v": 1}, ttl=60)
        cache.delete_pattern("catalog:")

        assert cache.get("catalog:item:pg") is None
        assert cache.stats.get("catalog").misses == 1
    finally:
        cache.close()


def test_open_cache_picks_the_kind_from_the_url(
    redis_url: str, redis_prefix: str
) -> None:
    memory = open_cache(None)
    shared = open_cache(redis_url, prefix=redis_prefix)
    try:
        assert isinstance(memory, MemoryCache)
        assert isinstance(shared, RedisCache)
        assert shared.channel == f"{redis_prefix}invalidate"
        assert open_cache("  ").__class__ is MemoryCache
    finally:
        memory.close()
        shared.close()


@contextmanager
def _redis_pair(url: str, prefix: str) -> Iterator[tuple[RedisCache, RedisCache]]:
    """Two replicas' caches on one Redis, with long-lived local layers."""
    one = RedisCache(url, prefix=prefix, local_ttl=60)
    other = RedisCache(url, prefix=prefix, local_ttl=60)
    try:
        yield one, other
    finally:
        one.close()
        other.close()


def _drop_shared(cache: RedisCache, keys: list[str]) -> None:
    """Remove *keys* from Redis only, behind the local layers' backs."""
    cache._redis.delete(*(cache.prefix + key for key in keys))
