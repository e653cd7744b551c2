"""The executors known to this process, by action type name."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

from pao.actions.executor import ActionExecutor, ConfigProblem

__all__ = [
    "UnknownActionType",
    "executor_for",
    "register",
    "registered_types",
    "unregister",
    "validate_config",
]

_executors: dict[str, ActionExecutor] = {}
_lock = threading.Lock()


class UnknownActionType(LookupError):
    """No executor is registered for an action type."""

    def __init__(self, type_name: str) -> None:
        known = ", ".join(registered_types()) or "none"
        super().__init__(f"unknown action type {type_name!r} (known: {known})")
        self.type_name = type_name


def register(executor: ActionExecutor, *, replace: bool = False) -> None:
    """Make *executor* serve actions of its ``type_name``."""
    with _lock:
        existing = _executors.get(executor.type_name)
        if existing is not None and not replace:
            message = (
                f"an executor for {executor.type_name!r} is already registered"
                f" ({existing!r}); pass replace=True to swap it"
            )
            raise ValueError(message)
        _executors[executor.type_name] = executor


def unregister(type_name: str) -> None:
    """Forget the executor of *type_name*, if there is one."""
    with _lock:
        _executors.pop(type_name, None)


def executor_for(type_name: str) -> ActionExecutor:
    """The executor serving *type_name*; raises :class:`UnknownActionType`."""
    try:
        return _executors[type_name]
    except KeyError:
        raise UnknownActionType(type_name) from None


def registered_types() -> list[str]:
    return sorted(_executors)


def validate_config(type_name: str, config: Mapping[str, Any]) -> list[ConfigProblem]:
    """Problems with the static shape of an action *config* of *type_name*.

    Strings may still be templates: a template where another type is
    expected is accepted, since only rendering can tell. Each problem is
    ``(path within config, message)``; an unknown type is reported at the
    empty path.
    """
    try:
        executor = executor_for(type_name)
    except UnknownActionType as exc:
        return [((), str(exc))]
    return executor.validate_config(config)
