"""Request recording and scripted faults, shared by every stand-in.

``FaultMiddleware`` wraps a stand-in's app. It records each arriving request
in a ``RequestLog`` and consults a ``FaultPlan`` for the next scripted
fault matching it:

- ``status``: answer with that status (and ``Retry-After``) without
  letting the request take effect;
- ``delay``: wait, then serve the request normally;
- ``malformed``: answer 200 with a truncated JSON body;
- ``drop``: send the status line, then close the connection, so the client
  reads no response.

``malformed`` and ``drop`` can strike before the request takes effect or
after it (``after_effect=True``): the second is the case where the target
did the work but the caller cannot know.
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pao.standins.runner import ConnectionDropped

__all__ = [
    "ErrorBody",
    "Fault",
    "FaultKind",
    "FaultMiddleware",
    "FaultPlan",
    "RecordedRequest",
    "RequestLog",
]

FaultKind = Literal["status", "delay", "malformed", "drop"]
ErrorBody = Callable[[int], tuple[bytes, str]]

_TRUNCATED_JSON = b'{"id": "'


@dataclass
class Fault:
    """One scripted misbehaviour, applied to the next ``count`` matches."""

    kind: FaultKind
    count: int = 1
    status: int = 500
    retry_after: float | None = None
    seconds: float = 0.0
    after_effect: bool = False
    body: bytes | None = None
    method: str | None = None
    path: str | None = None

    def matches(self, method: str, path: str) -> bool:
        """Whether this fault applies to a request (``path`` is a regex)."""
        if self.method is not None and self.method.upper() != method:
            return False
        return self.path is None or re.search(self.path, path) is not None


@dataclass
class RecordedRequest:
    """A request as it arrived, before any fault or handler saw it."""

    method: str
    path: str
    query: str
    headers: dict[str, str]
    body: bytes
    received_at: float = field(default_factory=time.time)
    fault: FaultKind | None = None

    @property
    def json(self) -> Any:
        """The body parsed as JSON, or None when it is not JSON."""
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    @property
    def idempotency_key(self) -> str | None:
        return self.headers.get("idempotency-key")


class FaultPlan:
    """A thread-safe queue of scripted faults."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self.released = threading.Event()

    def add(self, fault: Fault) -> Fault:
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, method: str, path: str) -> Fault | None:
        """Use up one application of the first fault matching the request."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(method, path):
                    fault.count -= 1
                    if fault.count <= 0:
                        self._faults.remove(fault)
                    return fault
        return None

    def pending(self) -> list[Fault]:
        with self._lock:
            return list(self._faults)

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()


class RequestLog:
    """Every request a stand-in received, in arrival order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []

    def append(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def all(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def matching(self, method: str, path: str) -> list[RecordedRequest]:
        """Requests with this method whose path matches the regex *path*."""
        return [
            request
            for request in self.all()
            if request.method == method.upper() and re.search(path, request.path)
        ]

    def clear(self) -> None:
        with self._lock:
            self._requests.clear()


async def _read_body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    more = True
    while more:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunks.append(message.get("body", b""))
        more = message.get("more_body", False)
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed


async def _swallow(message: Message) -> None:
    return None


def _record(scope: Scope, body: bytes) -> RecordedRequest:
    headers = {
        name.decode("latin-1").lower(): value.decode("latin-1")
        for name, value in scope["headers"]
    }
    return RecordedRequest(
        method=scope["method"],
        path=scope["path"],
        query=scope.get("query_string", b"").decode("latin-1"),
        headers=headers,
        body=body,
    )


class FaultMiddleware:
    """ASGI middleware: record each request, then apply any scripted fault."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        plan: FaultPlan,
        log: RequestLog,
        error_body: ErrorBody,
    ) -> None:
        self.app = app
        self.plan = plan
        self.log = log
        self.error_body = error_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        request = _record(scope, body)
        fault = self.plan.take(request.method, request.path)
        request.fault = fault.kind if fault else None
        self.log.append(request)

        replayed = _replay(body, receive)
        if fault is None:
            await self.app(scope, replayed, send)
        elif fault.kind == "delay":
            await self._wait(fault.seconds)
            await self.app(scope, replayed, send)
        elif fault.kind == "status":
            await self._send_status(fault, send)
        else:
            if fault.after_effect:
                await self.app(scope, replayed, _swallow)
            await self._misbehave(fault, send)

    async def _wait(self, seconds: float) -> None:
        # Poll rather than sleep in one go, so that a server shutting down
        # (which sets ``released``) is not held up by a parked request.
        deadline = time.monotonic() + seconds
        while not self.plan.released.is_set():
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            await asyncio.sleep(min(remaining, 0.05))

    async def _send_status(self, fault: Fault, send: Send) -> None:
        if fault.body is not None:
            body, content_type = fault.body, "application/json"
        else:
            body, content_type = self.error_body(fault.status)
        headers = [(b"content-type", content_type.encode())]
        if fault.retry_after is not None:
            retry_after = f"{fault.retry_after:g}".encode()
            headers.append((b"retry-after", retry_after))
        await _send_response(send, fault.status, headers, body)

    async def _misbehave(self, fault: Fault, send: Send) -> None:
        if fault.kind == "malformed":
            headers = [(b"content-type", b"application/json")]
            await _send_response(send, fault.status, headers, _TRUNCATED_JSON)
            return
        # Promise a body, then close the connection before sending it.
        await send(
            {
                "type": "http.response.start",
                "status": fault.status,
                "headers": [(b"content-length", b"64")],
            }
        )
        raise ConnectionDropped


async def _send_response(
    send: Send, status: int, headers: list[tuple[bytes, bytes]], body: bytes
) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
