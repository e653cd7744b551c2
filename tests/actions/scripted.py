"""A scripted HTTP target for the action tests.

Each path answers from a queue of scripted replies, then with a default;
every request is recorded as it arrived.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send


@dataclass(frozen=True)
class Reply:
    status: int = 200
    json: Any = None
    text: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    content_type: str | None = None

    def render(self) -> Response:
        if self.json is not None:
            body = json.dumps(self.json).encode()
            media = self.content_type or "application/json"
        else:
            body = (self.text or "").encode()
            media = self.content_type or "text/plain"
        return Response(body, self.status, self.headers, media_type=media)


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    query: str
    headers: dict[str, str]
    raw_headers: list[tuple[str, str]]
    body: bytes
    at: float

    def json(self) -> Any:
        return json.loads(self.body)


class ScriptedTarget:
    """An ASGI app answering each path from its script."""

    def __init__(self) -> None:
        self.seen: list[Seen] = []
        self._script: dict[str, deque[Reply]] = {}
        self._lock = threading.Lock()
        self.url = ""

    def script(self, path: str, *replies: Reply) -> None:
        with self._lock:
            self._script.setdefault(path, deque()).extend(replies)

    def reset(self) -> None:
        with self._lock:
            self.seen.clear()
            self._script.clear()

    def requests_to(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        body = await request.body()
        seen = Seen(
            method=request.method,
            path=request.url.path,
            query=request.url.query,
            headers={k.lower(): v for k, v in request.headers.items()},
            raw_headers=[(k.lower(), v) for k, v in request.headers.items()],
            body=body,
            at=time.monotonic(),
        )
        with self._lock:
            self.seen.append(seen)
            queue = self._script.get(seen.path)
            reply = queue.popleft() if queue else Reply(json={"ok": True})
        if reply.delay:
            await asyncio.sleep(reply.delay)
        await reply.render()(scope, receive, send)
