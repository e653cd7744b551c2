"""Serve an ASGI app with uvicorn on 127.0.0.1 from a background thread."""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp

__all__ = ["ConnectionDropped", "RunningServer", "ServerStartError", "serve_app"]

LOOPBACK = "127.0.0.1"
_START_TIMEOUT = 10.0
# Long enough for a normal response to finish, short enough that a request
# parked in a scripted delay does not hold up the end of a test.
_GRACEFUL_SHUTDOWN_SECONDS = 1


class ServerStartError(RuntimeError):
    """The server thread ended or timed out before accepting connections."""


class ConnectionDropped(Exception):
    """Raised inside an app to make uvicorn close the connection mid-response."""


class _DropFilter(logging.Filter):
    # uvicorn logs every exception an app raises; a scripted drop is not
    # news, so keep it out of the log.
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not isinstance(exc, ConnectionDropped)


_DROP_FILTER = _DropFilter()


@dataclass(frozen=True)
class RunningServer:
    """A server accepting connections at ``url`` until its context exits."""

    url: str
    port: int
    server: uvicorn.Server
    thread: threading.Thread


def _bind_loopback() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, 0))
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _configure(app: ASGIApp) -> uvicorn.Config:
    # log_config=None and log_level=None leave the process's logging alone:
    # the stand-ins must not reconfigure the loggers of the code under test.
    return uvicorn.Config(
        app,
        log_config=None,
        log_level=None,
        access_log=False,
        proxy_headers=False,
        lifespan="off",
        http="h11",
        timeout_graceful_shutdown=_GRACEFUL_SHUTDOWN_SECONDS,
    )


def _wait_started(server: uvicorn.Server, thread: threading.Thread) -> None:
    deadline = time.monotonic() + _START_TIMEOUT
    while not server.started:
        if not thread.is_alive():
            raise ServerStartError("the server thread ended during start-up")
        if time.monotonic() > deadline:
            message = f"the server did not start within {_START_TIMEOUT} s"
            raise ServerStartError(message)
        time.sleep(0.005)


@contextmanager
def serve_app(app: ASGIApp, *, name: str = "standin") -> Iterator[RunningServer]:
    """Serve *app* on a free loopback port for the duration of the context.

    uvicorn runs in a daemon thread; it installs no signal handlers there
    (it only does so on the main thread). On exit the server is asked to
    stop and the thread is joined.
    """
    logging.getLogger("uvicorn.error").addFilter(_DROP_FILTER)
    sock = _bind_loopback()
    port = sock.getsockname()[1]
    server = uvicorn.Server(_configure(app))
    thread = threading.Thread(
        target=server.run,
        kwargs={"sockets": [sock]},
        name=f"{name}-{port}",
        daemon=True,
    )
    thread.start()
    try:
        _wait_started(server, thread)
        yield RunningServer(
            url=f"http://{LOOPBACK}:{port}", port=port, server=server, thread=thread
        )
    finally:
        server.should_exit = True
        thread.join(timeout=_GRACEFUL_SHUTDOWN_SECONDS + 5)
        sock.close()
