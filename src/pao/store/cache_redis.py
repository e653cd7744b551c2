"""The Redis cache, shared by replicas, with a local layer in each.

Reads look in the process's own :class:`MemoryCache` first, then in Redis,
so a hot key costs no round trip. A delete removes the key from Redis and
from the local layer, then publishes it on the ``<prefix>invalidate``
channel; every replica's subscriber thread drops it from its own local
layer. Pub/sub is fire-and-forget, so the local layer also keeps entries
for a short time only (``local_ttl``) and is emptied whenever the
subscription has to reconnect: a lost message costs seconds of staleness,
never more.

Redis being down degrades the cache to misses (with a warning) instead of
failing the callers: the store behind it still answers.
"""

from __future__ import annotations

import contextlib
import json
import threading
import uuid
from collections.abc import Callable
from typing import Any

import redis
import structlog

from .cache import CacheStats
from .cache_memory import MemoryCache

__all__ = ["RedisCache"]

log = structlog.get_logger(__name__)

#: How long the subscriber waits between reconnection attempts (seconds).
RECONNECT_DELAY = 1.0
#: How many keys one SCAN step returns during a pattern delete.
SCAN_BATCH = 500


class RedisCache:
    """A JSON cache in Redis with an invalidated in-process layer."""

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "pao:",
        local_ttl: float = 5.0,
        local_max_entries: int = 10_000,
        socket_timeout: float = 2.0,
    ) -> None:
        self.prefix = prefix
        self.channel = f"{prefix}invalidate"
        self.local_ttl = local_ttl
        self.stats = CacheStats()
        self._local = MemoryCache(max_entries=local_max_entries)
        self._origin = uuid.uuid4().hex
        self._redis = redis.Redis.from_url(
            url,
            socket_timeout=socket_timeout,
            socket_connect_timeout=socket_timeout,
            health_check_interval=30,
        )
        self._stopping = threading.Event()
        self._subscribed = threading.Event()
        self._subscriber = threading.Thread(
            target=self._listen, name="pao-cache-invalidation", daemon=True
        )
        self._subscriber.start()
        # Deletes published before the subscription is in place would be
        # missed; wait for it briefly (Redis down: carry on degraded).
        self._subscribed.wait(timeout=socket_timeout)

    # -- the Cache protocol -------------------------------------------------

    def get(self, key: str) -> Any:
        value = self._local.peek(key)
        if value is None:
            value = self._get_shared(key)
        self.stats.record(key, hit=value is not None)
        return value

    def get_local(self, key: str) -> Any:
        value = self._local.peek(key)
        if value is not None:
            self.stats.record(key, hit=True)
        return value

    def set(self, key: str, value: Any, *, ttl: float) -> None:
        if value is None or ttl <= 0:
            self.delete(key)
            return
        text = json.dumps(value)
        self._local.set(key, value, ttl=min(ttl, self.local_ttl))
        try:
            self._redis.set(self.prefix + key, text, px=max(1, int(ttl * 1000)))
        except redis.RedisError as exc:
            log.warning("cache_write_failed", key=key, error=str(exc))

    def delete(self, key: str) -> None:
        self._local.delete(key)
        self._invalidate({"key": key}, lambda: self._redis.delete(self.prefix + key))

    def delete_pattern(self, prefix: str) -> None:
        self._local.delete_pattern(prefix)
        self._invalidate({"prefix": prefix}, lambda: self._unlink_matching(prefix))

    def close(self) -> None:
        self._stopping.set()
        # Wake the subscriber out of its wait; it ignores its own messages.
        with contextlib.suppress(redis.RedisError):
            self._redis.publish(self.channel, json.dumps({"origin": self._origin}))
        self._subscriber.join(timeout=5)
        self._redis.close()
        self._local.clear()

    # -- steps ------------------------------------------------------------

    def _get_shared(self, key: str) -> Any:
        try:
            pipeline = self._redis.pipeline(transaction=False)
            text, ttl_ms = (
                pipeline.get(self.prefix + key).pttl(self.prefix + key).execute()
            )
        except redis.RedisError as exc:
            log.warning("cache_read_failed", key=key, error=str(exc))
            return None
        if text is None:
            return None
        value = json.loads(text)
        # The local copy must not outlive the shared one.
        if ttl_ms > 0:
            self._local.set(key, value, ttl=min(self.local_ttl, ttl_ms / 1000))
        return value

    def _unlink_matching(self, prefix: str) -> None:
        pattern = _escape_glob(self.prefix + prefix) + "*"
        batch: list[bytes] = []
        for name in self._redis.scan_iter(match=pattern, count=SCAN_BATCH):
            batch.append(name)
            if len(batch) >= SCAN_BATCH:
                self._redis.unlink(*batch)
                batch.clear()
        if batch:
            self._redis.unlink(*batch)

    def _invalidate(self, message: dict[str, str], drop: Callable[[], object]) -> None:
        try:
            drop()
            self._redis.publish(
                self.channel, json.dumps({**message, "origin": self._origin})
            )
        except redis.RedisError as exc:
            log.warning("cache_invalidation_failed", error=str(exc), **message)

    def _listen(self) -> None:
        while not self._stopping.is_set():
            try:
                self._follow_channel()
            except redis.RedisError as exc:
                log.warning("cache_subscription_lost", error=str(exc))
            # Whatever was published while we were away is lost: start the
            # local layer over.
            self._local.clear()
            self._stopping.wait(RECONNECT_DELAY)

    def _follow_channel(self) -> None:
        pubsub = self._redis.pubsub()
        try:
            pubsub.subscribe(self.channel)
            while not self._stopping.is_set():
                message = pubsub.get_message(timeout=0.5)
                if message is None:
                    continue
                if message["type"] == "subscribe":
                    self._subscribed.set()
                elif message["type"] == "message":
                    self._apply(message["data"])
        finally:
            pubsub.close()

    def _apply(self, data: bytes) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            log.warning("cache_invalidation_unreadable", size=len(data))
            return
        if message.get("origin") == self._origin:
            return
        if "key" in message:
            self._local.delete(str(message["key"]))
        elif "prefix" in message:
            self._local.delete_pattern(str(message["prefix"]))


def _escape_glob(text: str) -> str:
    """Escape Redis glob metacharacters so *text* matches itself."""
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)
