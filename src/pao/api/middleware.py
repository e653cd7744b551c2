"""The outermost layer of every HTTP request: correlation id, log, timing.

A pure ASGI middleware (no ``BaseHTTPMiddleware``, which costs a task and a
memory stream per request). For each request it

1. takes the correlation id from the configured header (or, for GitHub,
   from ``X-GitHub-Delivery``) when it looks sane, else makes a new one,
   and binds it to the logging context for everything the request does;
2. echoes the id in the response header;
3. turns any exception nothing else handled into a generic 500 JSON body,
   logging the traceback with the id, so internals never reach the caller;
4. writes one log line and one histogram observation per request.

The query string is never logged: it can carry a webhook secret.
"""

from __future__ import annotations

import json
import re
import time
import uuid

import structlog
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from pao.api.errors import error_body
from pao.core.logging import CORRELATION_ID_KEY, bound_context
from pao.core.metrics import PaoMetrics

__all__ = ["RequestContextMiddleware", "accept_correlation_id"]

log = structlog.get_logger(__name__)

# Visible ASCII only, bounded: the id lands in logs, headers and commits.
_SANE_ID = re.compile(r"^[\x21-\x7e]{1,128}$")
# Logged for requests whose client left before the answer (nginx's code).
_CLIENT_CLOSED = 499


def accept_correlation_id(value: str | None) -> str | None:
    """*value* if it can serve as a correlation id, else ``None``."""
    if value is not None and _SANE_ID.match(value):
        return value
    return None


class RequestContextMiddleware:
    """Correlation id, request log line, timing and the last-resort 500."""

    def __init__(self, app: ASGIApp, *, header: str, metrics: PaoMetrics) -> None:
        self.app = app
        self.header = header
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation_id = self._correlation_id(Headers(scope=scope))
        with bound_context(**{CORRELATION_ID_KEY: correlation_id}):
            await self._serve(scope, receive, send, correlation_id)

    def _correlation_id(self, headers: Headers) -> str:
        given = accept_correlation_id(headers.get(self.header))
        if given is None:
            given = accept_correlation_id(headers.get("x-github-delivery"))
        return given or str(uuid.uuid4())

    async def _serve(
        self, scope: Scope, receive: Receive, send: Send, correlation_id: str
    ) -> None:
        started = time.perf_counter()
        status = 500
        response_started = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, response_started
            if message["type"] == "http.response.start":
                response_started = True
                status = message["status"]
                MutableHeaders(scope=message)[self.header] = correlation_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except ClientDisconnect:
            # Nobody is left to answer; not an error of ours.
            status = _CLIENT_CLOSED
        except Exception:
            log.exception("unhandled_error", path=scope["path"])
            if response_started:
                raise
            await self._send_internal_error(send_with_id)
        finally:
            self._record(scope, status, time.perf_counter() - started)

    async def _send_internal_error(self, send: Send) -> None:
        body = error_body(
            "internal_error",
            "internal error; the server log has details under the correlation id",
        )
        payload = json.dumps(body, separators=(",", ":")).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 500,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route = scope.get("route")
        template = getattr(route, "path", None) or "unmatched"
        self.metrics.http_request_duration.labels(
            method=scope["method"], route=template, status=str(status)
        ).observe(seconds)
        log.info(
            "http_request",
            method=scope["method"],
            path=scope["path"],
            status=status,
            duration_ms=round(seconds * 1000, 2),
        )
