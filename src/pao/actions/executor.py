"""The interface every action type implements.

The fulfillment engine renders an action's config templates, records the
intent with its idempotency key, and then calls :meth:`ActionExecutor.execute`.
After a crash between those two steps it may call ``find_existing`` — only
where ``supports_lookup`` says the target can tell whether the call
happened; otherwise the outcome is unknown and the run fails. An action
that returns a :class:`~pao.actions.results.Waiting` is later finished by
``poll``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from pao.actions.context import ActionContext
from pao.actions.errors import PermanentActionError
from pao.actions.results import ActionResult, Waiting

__all__ = ["ActionExecutor", "BaseExecutor", "ConfigPath", "ConfigProblem"]

ConfigPath = tuple[str | int, ...]
ConfigProblem = tuple[ConfigPath, str]


@runtime_checkable
class ActionExecutor(Protocol):
    """Carries out actions of one type against their targets.

    Executors are shared by every run and thread, so they keep no per-run
    state. They raise the errors of :mod:`pao.actions.errors` only, each
    already masked with ``ctx.masker``.
    """

    type_name: str
    supports_lookup: bool

    def execute(self, config: Mapping[str, Any], ctx: ActionContext) -> ActionResult:
        """Perform the action once (retrying transient failures)."""
        ...

    def find_existing(
        self,
        config: Mapping[str, Any],
        ctx: ActionContext,
    ) -> ActionResult | None:
        """Ask the target whether this run's call happened.

        Returns its result when it did and ``None`` when the target
        confirms it did not. Only meaningful if ``supports_lookup``.
        """
        ...

    def poll(self, waiting: Waiting, ctx: ActionContext) -> ActionResult | Waiting:
        """Ask once whether a waiting action has finished."""
        ...

    def validate_config(self, config: Mapping[str, Any]) -> list[ConfigProblem]:
        """Problems with the static shape of *config*, whose strings may
        still be unrendered templates."""
        ...


class BaseExecutor:
    """Defaults for action types that neither wait nor can be asked."""

    type_name: str = ""
    supports_lookup: bool = False

    def find_existing(
        self,
        config: Mapping[str, Any],
        ctx: ActionContext,
    ) -> ActionResult | None:
        message = (
            f"{self.type_name} actions cannot ask their target whether a call happened"
        )
        raise PermanentActionError(message)

    def poll(self, waiting: Waiting, ctx: ActionContext) -> ActionResult | Waiting:
        message = (
            f"{self.type_name} actions finish in one call; there is no"
            f" {waiting.kind!r} to poll"
        )
        raise PermanentActionError(message)
