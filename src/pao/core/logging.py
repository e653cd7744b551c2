"""Logging for every layer: structlog, JSON in production, bound context.

``configure_logging`` is called once at start-up (by the command line). It
routes both structlog loggers and the standard library's loggers (uvicorn,
alembic, …) through the same processors, so every line leaves the process
in one format. Context such as the correlation id is bound through
contextvars: the HTTP middleware binds it at the start of a request and
every log line written while serving it carries it, including lines from
lower layers that know nothing about HTTP.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import structlog
from structlog.typing import Processor

__all__ = [
    "CORRELATION_ID_KEY",
    "bind_context",
    "bound_context",
    "configure_logging",
    "correlation_id",
]

CORRELATION_ID_KEY = "correlation_id"

_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "critical": logging.CRITICAL,
}


def configure_logging(json: bool, level: str = "info") -> None:
    """Send every log line to stderr, as JSON when *json* is true.

    *level* is a standard level name (``debug`` … ``critical``, any case).
    """
    numeric = _LEVELS.get(level.lower())
    if numeric is None:
        message = f"log level must be one of {sorted(_LEVELS)}, got {level!r}"
        raise ValueError(message)

    shared = _shared_processors()
    structlog.configure(
        processors=[
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        # Not cached: tests and reconfiguration must reach every logger.
        cache_logger_on_first_use=False,
    )
    _configure_stdlib(shared, _renderer(json=json), numeric)


def _shared_processors() -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]


def _renderer(*, json: bool) -> Processor:
    if json:
        return structlog.processors.JSONRenderer()
    return structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())


def _configure_stdlib(shared: list[Processor], renderer: Processor, level: int) -> None:
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)

    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # uvicorn installs its own handlers; its lines should look like ours
    # and its access log duplicates the one line pao writes per request.
    for name in ("uvicorn", "uvicorn.error"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True


def bind_context(**values: Any) -> None:
    """Bind *values* to every log line of the current task or thread."""
    structlog.contextvars.bind_contextvars(**values)


@contextmanager
def bound_context(**values: Any) -> Iterator[None]:
    """Bind *values* for the duration of a ``with`` block, then restore."""
    with structlog.contextvars.bound_contextvars(**values):
        yield


def correlation_id() -> str | None:
    """The correlation id bound to the current context, if any."""
    value = structlog.contextvars.get_contextvars().get(CORRELATION_ID_KEY)
    return value if isinstance(value, str) else None
