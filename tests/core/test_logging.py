"""configure_logging: one format for structlog and stdlib, bound context."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
import structlog

from pao.core.logging import (
    bind_context,
    bound_context,
    configure_logging,
    correlation_id,
)


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    access = logging.getLogger("uvicorn.access").disabled
    yield
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()
    root.handlers[:] = handlers
    root.setLevel(level)
    logging.getLogger("uvicorn.access").disabled = access


def json_lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def test_json_lines_carry_level_time_logger_and_context(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(json=True, level="info")

    with bound_context(correlation_id="c-42"):
        structlog.get_logger("pao.example").info("thing_happened", count=3)

    [line] = json_lines(capsys.readouterr().err)
    assert line["event"] == "thing_happened"
    assert line["count"] == 3
    assert line["level"] == "info"
    assert line["logger"] == "pao.example"
    assert line["correlation_id"] == "c-42"
    assert line["timestamp"].endswith("Z")


def test_stdlib_loggers_are_rendered_the_same_way(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(json=True, level="info")

    with bound_context(correlation_id="c-7"):
        logging.getLogger("uvicorn.error").warning("server %s", "started")

    [line] = json_lines(capsys.readouterr().err)
    assert line["event"] == "server started"
    assert line["level"] == "warning"
    assert line["correlation_id"] == "c-7"


def test_level_filters_lines(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(json=True, level="WARNING")
    log = structlog.get_logger("pao.example")

    log.info("chatter")
    log.warning("degraded")
    logging.getLogger("other").info("chatter too")

    assert [line["event"] for line in json_lines(capsys.readouterr().err)] == [
        "degraded"
    ]


def test_exceptions_are_rendered_into_the_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging(json=True, level="info")

    try:
        raise ValueError("bad value")
    except ValueError:
        structlog.get_logger("pao.example").exception("failed")

    [line] = json_lines(capsys.readouterr().err)
    assert "ValueError: bad value" in line["exception"]


def test_console_format_is_not_json(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging(json=False, level="debug")

    structlog.get_logger("pao.example").debug("hello", who="you")

    text = capsys.readouterr().err
    assert "hello" in text
    assert "who=you" in text
    with pytest.raises(json.JSONDecodeError):
        json.loads(text)


def test_unknown_level_is_refused() -> None:
    with pytest.raises(ValueError, match="'loud'"):
        configure_logging(json=True, level="loud")


def test_bound_context_is_restored_after_the_block() -> None:
    bind_context(correlation_id="outer")

    with bound_context(correlation_id="inner"):
        assert correlation_id() == "inner"

    assert correlation_id() == "outer"


def test_no_correlation_id_outside_a_context() -> None:
    assert correlation_id() is None


def test_uvicorn_access_log_is_silenced() -> None:
    configure_logging(json=True, level="info")

    assert logging.getLogger("uvicorn.access").disabled
