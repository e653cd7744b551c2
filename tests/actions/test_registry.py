"""The registry of executors, and the shared executor interface."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from pao.actions import (
    ActionContext,
    ActionExecutor,
    ActionResult,
    BaseExecutor,
    PermanentActionError,
    RestApiExecutor,
    UnknownActionType,
    Waiting,
    WebhookExecutor,
    executor_for,
    register,
    registered_types,
    unregister,
)
from pao.actions.executor import ConfigProblem


class Waiter(BaseExecutor):
    type_name = "test-waiter"

    def execute(self, config: Mapping[str, Any], ctx: ActionContext) -> ActionResult:
        waiting = Waiting(kind="test-done", ref={"n": 1}, poll_after_seconds=5)
        return ActionResult(outputs={}, waiting=waiting)

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        return []


@pytest.fixture
def waiter() -> Iterator[Waiter]:
    executor = Waiter()
    register(executor)
    yield executor
    unregister(executor.type_name)


def test_builtin_executors_are_registered() -> None:
    assert {"rest-api", "webhook"} <= set(registered_types())
    assert isinstance(executor_for("rest-api"), RestApiExecutor)
    assert isinstance(executor_for("webhook"), WebhookExecutor)


def test_executors_satisfy_the_protocol() -> None:
    for executor in (RestApiExecutor(), WebhookExecutor(), Waiter()):
        assert isinstance(executor, ActionExecutor)


def test_unknown_type_names_the_known_ones() -> None:
    with pytest.raises(UnknownActionType, match=r"known: .*rest-api"):
        executor_for("ftp-upload")


def test_registering_twice_needs_replace(waiter: Waiter) -> None:
    with pytest.raises(ValueError, match="already registered"):
        register(Waiter())

    replacement = Waiter()
    register(replacement, replace=True)
    assert executor_for("test-waiter") is replacement


def test_defaults_refuse_lookup_and_poll(waiter: Waiter, ctx: ActionContext) -> None:
    result = waiter.execute({}, ctx)
    assert result.waiting is not None

    assert waiter.supports_lookup is False
    with pytest.raises(PermanentActionError, match="cannot ask"):
        waiter.find_existing({}, ctx)
    with pytest.raises(PermanentActionError, match="'test-done'"):
        waiter.poll(result.waiting, ctx)


def test_waiting_round_trips_through_dicts() -> None:
    waiting = Waiting(
        kind="jira-resolution",
        ref={"instance": "platform", "key": "DBA-7"},
        poll_after_seconds=300,
        description="waiting for DBA-7 to be resolved",
    )

    assert Waiting.from_dict(waiting.to_dict()) == waiting
    assert ActionResult(outputs={}, waiting=waiting).to_dict()["waiting"] == {
        "kind": "jira-resolution",
        "ref": {"instance": "platform", "key": "DBA-7"},
        "poll_after_seconds": 300,
        "description": "waiting for DBA-7 to be resolved",
    }
