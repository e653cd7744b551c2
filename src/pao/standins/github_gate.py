"""In front of every GitHub stand-in endpoint: credentials, rate limits, ETags.

``GateMiddleware`` identifies the caller (``github_auth``), refuses it when
its primary rate limit is spent or a secondary limit was scripted, and
adds GitHub's ``X-RateLimit-*`` headers. A GET answered 200 gets a weak
``ETag``; a request whose ``If-None-Match`` names it gets 304 with no body,
and, as GitHub documents, a 304 does not count against the limit.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pao.standins.github_auth import AuthFailure, Principal, identify
from pao.standins.github_objects import github_error
from pao.standins.github_state import App, GithubState

__all__ = ["GateMiddleware", "RateBucket", "RateLimits"]

_RATE_DOCS = (
    "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api"
)
_WINDOW_SECONDS = 3600
_UNCOUNTED = {"/rate_limit"}


@dataclass
class RateBucket:
    """One caller's primary rate limit in the current hour."""

    limit: int
    used: int
    reset: int

    @property
    def remaining(self) -> int:
        return max(0, self.limit - self.used)

    def headers(self) -> list[tuple[bytes, bytes]]:
        values = {
            "x-ratelimit-limit": self.limit,
            "x-ratelimit-remaining": self.remaining,
            "x-ratelimit-used": self.used,
            "x-ratelimit-reset": self.reset,
            "x-ratelimit-resource": "core",
        }
        return [(name.encode(), str(value).encode()) for name, value in values.items()]


@dataclass
class _Secondary:
    status: int
    retry_after: int
    count: int


class RateLimits:
    """Per-caller primary limits plus scripted secondary limits."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._lock = threading.Lock()
        self._buckets: dict[str, RateBucket] = {}
        self._secondary: list[_Secondary] = []
        self._spent_all = False

    def bucket(self, key: str) -> RateBucket:
        """*key*'s bucket for the current window (a new one once it resets)."""
        now = int(time.time())
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None or bucket.reset <= now:
                used = self.limit if self._spent_all else 0
                bucket = RateBucket(self.limit, used, now + _WINDOW_SECONDS)
                self._buckets[key] = bucket
            return bucket

    def spend(self, bucket: RateBucket) -> None:
        with self._lock:
            bucket.used += 1

    def exhaust(self, key: str | None = None) -> None:
        """Spend the primary limit of *key*'s bucket, or of every caller."""
        if key is not None:
            bucket = self.bucket(key)
            with self._lock:
                bucket.used = bucket.limit
            return
        with self._lock:
            self._spent_all = True
            for bucket in self._buckets.values():
                bucket.used = bucket.limit

    def reset(self) -> None:
        """Start a fresh window for everyone and forget scripted limits."""
        with self._lock:
            self._buckets.clear()
            self._secondary.clear()
            self._spent_all = False

    def add_secondary(self, *, status: int, retry_after: int, count: int) -> None:
        with self._lock:
            self._secondary.append(_Secondary(status, retry_after, count))

    def take_secondary(self) -> _Secondary | None:
        with self._lock:
            if not self._secondary:
                return None
            hit = self._secondary[0]
            hit.count -= 1
            if hit.count <= 0:
                self._secondary.pop(0)
            return hit


async def _send_json(
    send: Send, status: int, body: object, headers: list[tuple[bytes, bytes]]
) -> None:
    raw = json.dumps(body).encode()
    all_headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(raw)).encode()),
        *headers,
    ]
    await send(
        {"type": "http.response.start", "status": status, "headers": all_headers}
    )
    await send({"type": "http.response.body", "body": raw})


class GateMiddleware:
    """ASGI middleware: authenticate, rate-limit and answer conditional GETs."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        state: GithubState,
        github_app: App,
        limits: RateLimits,
        before: Callable[[], None],
    ) -> None:
        self.app = app
        self.state = state
        self.github_app = github_app
        self.limits = limits
        self.before = before

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await run_in_threadpool(self.before)
        headers = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in scope["headers"]
        }
        try:
            principal = identify(
                self.state,
                self.github_app,
                path=scope["path"],
                authorization=headers.get("authorization", ""),
            )
        except AuthFailure as failure:
            body = github_error(failure.message, failure.status, failure.docs)
            await _send_json(send, failure.status, body, [])
            return
        scope.setdefault("state", {})["principal"] = principal
        if scope["path"] in _UNCOUNTED:
            await self.app(scope, receive, send)
            return
        await self._limited(scope, receive, send, principal, headers)

    async def _limited(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        principal: Principal,
        headers: dict[str, str],
    ) -> None:
        bucket = self.limits.bucket(principal.bucket)
        if (secondary := self.limits.take_secondary()) is not None:
            await _refuse_secondary(
                send, secondary.status, secondary.retry_after, bucket
            )
            return
        if bucket.remaining == 0:
            who = principal.installation_id or principal.login or "this caller"
            message = f"API rate limit exceeded for {who}."
            body = github_error(message, 403, _RATE_DOCS)
            await _send_json(send, 403, body, bucket.headers())
            return
        status, out_headers, raw = await _capture(self.app, scope, receive)
        if scope["method"] == "GET" and status == 200:
            etag = 'W/"' + hashlib.sha256(raw).hexdigest()[:40] + '"'
            out_headers.append((b"etag", etag.encode()))
            if _matches(headers.get("if-none-match", ""), etag):
                not_modified = [(b"etag", etag.encode()), *bucket.headers()]
                await send(
                    {
                        "type": "http.response.start",
                        "status": 304,
                        "headers": not_modified,
                    }
                )
                await send({"type": "http.response.body", "body": b""})
                return
        self.limits.spend(bucket)
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [*out_headers, *bucket.headers()],
            }
        )
        await send({"type": "http.response.body", "body": raw})


def _matches(if_none_match: str, etag: str) -> bool:
    wanted = {tag.strip() for tag in if_none_match.split(",") if tag.strip()}
    # A weak comparison: W/"x" and "x" name the same representation.
    bare = etag.removeprefix("W/")
    return "*" in wanted or etag in wanted or bare in wanted


async def _refuse_secondary(
    send: Send, status: int, retry_after: int, bucket: RateBucket
) -> None:
    message = (
        "You have exceeded a secondary rate limit. Please wait a few minutes "
        "before you try again."
    )
    body = github_error(message, status, _RATE_DOCS + "#about-secondary-rate-limits")
    headers = [(b"retry-after", str(retry_after).encode()), *bucket.headers()]
    await _send_json(send, status, body, headers)


async def _capture(
    app: ASGIApp, scope: Scope, receive: Receive
) -> tuple[int, list[tuple[bytes, bytes]], bytes]:
    started: dict[str, object] = {}
    chunks: list[bytes] = []

    async def collect(message: Message) -> None:
        if message["type"] == "http.response.start":
            started["status"] = message["status"]
            started["headers"] = list(message.get("headers", []))
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(scope, receive, collect)
    status = started.get("status", 500)
    headers = started.get("headers", [])
    assert isinstance(status, int)
    assert isinstance(headers, list)
    return status, headers, b"".join(chunks)
