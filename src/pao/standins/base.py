"""What every stand-in shares: serving, faults, webhook delivery, a clock.

A stand-in owns a plain state object that tests read and script, a
``FaultPlan`` and a ``RequestLog``. ``serve()`` starts its HTTP server and a
background worker thread. The worker sends outgoing webhooks (so a handler
never blocks the server's event loop waiting on the receiver, which may
call back into the stand-in) and calls ``tick()`` for stand-ins whose
objects progress over time.
"""

from __future__ import annotations

import queue
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Self

import httpx
from starlette.applications import Starlette
from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from pao.standins.faults import Fault, FaultMiddleware, FaultPlan, RequestLog
from pao.standins.runner import RunningServer, serve_app

__all__ = ["Delivery", "Standin", "StandinNotServing"]

_TICK_SECONDS = 0.02
_DELIVERY_TIMEOUT = 10.0


class StandinNotServing(RuntimeError):
    """The stand-in was asked for its URL or to deliver while not served."""


@dataclass
class Delivery:
    """One outgoing webhook and what the receiver answered."""

    url: str
    body: bytes
    headers: dict[str, str]
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    status_code: int | None = None
    error: str | None = None
    response_body: bytes = b""
    done: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


class Standin:
    """Base of the vendor stand-ins; subclasses provide routes and errors."""

    name = "standin"

    def __init__(self) -> None:
        self.faults = FaultPlan()
        self.requests = RequestLog()
        self.deliveries: list[Delivery] = []
        self._outbox: queue.Queue[Delivery] = queue.Queue()
        self._server: RunningServer | None = None
        self._app: ASGIApp | None = None
        self._stop = threading.Event()

    # -- what subclasses provide -------------------------------------------

    def routes(self) -> list[BaseRoute]:
        """The vendor API's endpoints."""
        raise NotImplementedError

    def error_body(self, status: int) -> tuple[bytes, str]:
        """The vendor-shaped body of an error response with *status*."""
        return b'{"error": "scripted fault"}', "application/json"

    def tick(self, now: float) -> None:
        """Advance whatever progresses over time (called every ~20 ms)."""

    # -- serving -------------------------------------------------------------

    @property
    def app(self) -> ASGIApp:
        if self._app is None:
            self._app = FaultMiddleware(
                Starlette(routes=self.routes()),
                plan=self.faults,
                log=self.requests,
                error_body=self.error_body,
            )
        return self._app

    @property
    def url(self) -> str:
        if self._server is None:
            message = f"the {self.name} stand-in is not being served"
            raise StandinNotServing(message)
        return self._server.url

    @contextmanager
    def serve(self) -> Iterator[Self]:
        """Serve the stand-in on a free loopback port until the context ends."""
        with serve_app(self.app, name=self.name) as server:
            self._server = server
            self._stop.clear()
            self.faults.released.clear()
            worker = threading.Thread(
                target=self._work, name=f"{self.name}-worker", daemon=True
            )
            worker.start()
            try:
                yield self
            finally:
                self.faults.released.set()
                self._stop.set()
                worker.join(timeout=_DELIVERY_TIMEOUT + 1)
                self._server = None

    # -- faults ----------------------------------------------------------------

    def fail_next(
        self,
        status: int = 500,
        *,
        count: int = 1,
        retry_after: float | None = None,
        body: bytes | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> Fault:
        """Answer the next *count* matching requests with *status*."""
        fault = Fault(
            "status",
            count=count,
            status=status,
            retry_after=retry_after,
            body=body,
            method=method,
            path=path,
        )
        return self.faults.add(fault)

    def delay_next(
        self,
        seconds: float,
        *,
        count: int = 1,
        method: str | None = None,
        path: str | None = None,
    ) -> Fault:
        """Hold the next *count* matching requests for *seconds*."""
        fault = Fault("delay", count=count, seconds=seconds, method=method, path=path)
        return self.faults.add(fault)

    def malform_next(
        self,
        *,
        count: int = 1,
        after_effect: bool = False,
        method: str | None = None,
        path: str | None = None,
    ) -> Fault:
        """Answer the next *count* matching requests with truncated JSON."""
        fault = Fault(
            "malformed",
            count=count,
            status=200,
            after_effect=after_effect,
            method=method,
            path=path,
        )
        return self.faults.add(fault)

    def drop_next(
        self,
        *,
        count: int = 1,
        after_effect: bool = False,
        method: str | None = None,
        path: str | None = None,
    ) -> Fault:
        """Close the connection of the next *count* matching requests."""
        fault = Fault(
            "drop",
            count=count,
            status=200,
            after_effect=after_effect,
            method=method,
            path=path,
        )
        return self.faults.add(fault)

    # -- webhooks ----------------------------------------------------------------

    def deliver(
        self,
        url: str,
        body: bytes,
        headers: dict[str, str],
        *,
        wait: bool = False,
    ) -> Delivery:
        """Queue a webhook POST; with *wait*, return once it was answered."""
        if self._server is None:
            message = f"the {self.name} stand-in must be served to deliver webhooks"
            raise StandinNotServing(message)
        delivery = Delivery(url=url, body=body, headers=headers)
        self.deliveries.append(delivery)
        self._outbox.put(delivery)
        if wait:
            delivery.done.wait(_DELIVERY_TIMEOUT + 1)
        return delivery

    def _work(self) -> None:
        with httpx.Client(timeout=_DELIVERY_TIMEOUT, trust_env=False) as client:
            while not self._stop.is_set():
                self.tick(time.monotonic())
                self._drain(client)
                self._stop.wait(_TICK_SECONDS)
            self._drain(client)

    def _drain(self, client: httpx.Client) -> None:
        while True:
            try:
                delivery = self._outbox.get_nowait()
            except queue.Empty:
                return
            _post(client, delivery)


def _post(client: httpx.Client, delivery: Delivery) -> None:
    try:
        response = client.post(
            delivery.url, content=delivery.body, headers=delivery.headers
        )
    except httpx.HTTPError as exc:
        delivery.error = f"{type(exc).__name__}: {exc}"
    else:
        delivery.status_code = response.status_code
        delivery.response_body = response.content
    finally:
        delivery.done.set()
