"""The Terraform Cloud stand-in's state, run lifecycle and JSON:API shapes.

A run walks the states HCP Terraform / Terraform Enterprise document:
``pending → plan_queued → planning → planned`` and then, when applied
(automatically with auto-apply, otherwise after ``actions/apply``),
``apply_queued → applying → applied``. A workspace's ``outcome`` scripts
other endings: ``planned_and_finished`` (no changes), ``errored`` (in the
plan or the apply), ``discarded``, ``canceled``, ``policy_soft_failed``,
or ``pending`` (a run that never starts).
"""

from __future__ import annotations

import secrets
import string
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

__all__ = [
    "Outcome",
    "StateOutput",
    "TerraformState",
    "TfOutput",
    "TfRun",
    "TfVariable",
    "TfWorkspace",
    "iso_time",
    "new_id",
]

Outcome = Literal[
    "applied",
    "planned_and_finished",
    "errored",
    "discarded",
    "canceled",
    "policy_soft_failed",
    "pending",
]
_ALPHABET = string.ascii_letters + string.digits
_PLAN = ["pending", "plan_queued", "planning", "planned"]
_APPLY = ["apply_queued", "applying", "applied"]
FINAL = frozenset(
    {"applied", "planned_and_finished", "errored", "discarded", "canceled"}
    | {"policy_soft_failed", "force_canceled"}
)


def new_id(prefix: str) -> str:
    """An id shaped like HCP Terraform's: a prefix and 16 letters or digits."""
    return prefix + "-" + "".join(secrets.choice(_ALPHABET) for _ in range(16))


def iso_time(moment: datetime | None = None) -> str:
    moment = moment or datetime.now(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass(frozen=True)
class TfOutput:
    """A scripted output; string values may name variables as ``{key}``."""

    value: Any
    sensitive: bool = False


@dataclass
class StateOutput:
    id: str
    name: str
    value: Any
    sensitive: bool

    @property
    def type(self) -> str:
        kinds = {bool: "boolean", int: "number", float: "number", list: "array"}
        return kinds.get(
            type(self.value), "object" if isinstance(self.value, dict) else "string"
        )


@dataclass
class TfVariable:
    id: str
    key: str
    value: str
    category: str = "terraform"
    hcl: bool = False
    sensitive: bool = False
    description: str = ""
    created_at: str = field(default_factory=iso_time)
    version_id: str = field(default_factory=lambda: secrets.token_hex(20))


@dataclass
class TfWorkspace:
    """A workspace, its variables, its current state and its script."""

    id: str
    name: str
    organization: str
    vcs_repo: str | None = None
    auto_apply: bool = False
    outcome: Outcome = "applied"
    errored_at: Literal["plan", "apply"] = "plan"
    outputs: dict[str, TfOutput] = field(default_factory=dict)
    vars: dict[str, TfVariable] = field(default_factory=dict)
    state_version_id: str | None = None
    state: list[StateOutput] = field(default_factory=list)
    created_at: str = field(default_factory=iso_time)

    def variable_values(self) -> dict[str, str]:
        return {v.key: v.value for v in self.vars.values() if v.category == "terraform"}


@dataclass
class TfRun:
    """A run and the states it has yet to go through."""

    id: str
    workspace: TfWorkspace
    message: str
    auto_apply: bool
    is_destroy: bool
    status: str = "pending"
    ahead: list[str] = field(default_factory=list)
    after_confirm: list[str] = field(default_factory=list)
    due: float | None = None
    created_at: str = field(default_factory=iso_time)
    timestamps: dict[str, str] = field(default_factory=dict)

    @property
    def confirmable(self) -> bool:
        return self.status == "planned" and not self.ahead and bool(self.after_confirm)

    @property
    def final(self) -> bool:
        return self.status in FINAL and not self.ahead


def plan_path(workspace: TfWorkspace, auto_apply: bool) -> tuple[list[str], list[str]]:
    """The states a new run will pass, and those that wait for an apply."""
    outcome = workspace.outcome
    if outcome == "pending":
        return [], []
    if outcome == "planned_and_finished":
        return ["plan_queued", "planning", "planned_and_finished"], []
    if outcome == "canceled":
        return ["plan_queued", "planning", "canceled"], []
    if outcome == "discarded":
        return [*_PLAN[1:], "discarded"], []
    if outcome == "policy_soft_failed":
        return [*_PLAN[1:], "policy_checking", "policy_soft_failed"], []
    if outcome == "errored" and workspace.errored_at == "plan":
        return ["plan_queued", "planning", "errored"], []
    apply = ["apply_queued", "applying", "errored"] if outcome == "errored" else _APPLY
    if auto_apply:
        return [*_PLAN[1:], *apply], []
    return _PLAN[1:], list(apply)


@dataclass
class TerraformState:
    """Organizations' workspaces and runs; guarded by ``lock``."""

    workspaces: dict[str, TfWorkspace] = field(default_factory=dict)
    runs: dict[str, TfRun] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def workspace_named(self, organization: str, name: str) -> TfWorkspace | None:
        return next(
            (
                ws
                for ws in self.workspaces.values()
                if ws.organization == organization and ws.name == name
            ),
            None,
        )

    def runs_of(self, workspace: TfWorkspace) -> list[TfRun]:
        """The workspace's runs, newest first."""
        runs = [run for run in self.runs.values() if run.workspace is workspace]
        return list(reversed(runs))


def record_outputs(workspace: TfWorkspace, *, destroyed: bool) -> None:
    """Write a new state version holding the scripted outputs."""
    values = workspace.variable_values()
    workspace.state_version_id = new_id("sv")
    workspace.state = (
        []
        if destroyed
        else [
            StateOutput(
                new_id("wsout"), name, _fill(output.value, values), output.sensitive
            )
            for name, output in workspace.outputs.items()
        ]
    )


def _fill(value: Any, variables: dict[str, str]) -> Any:
    if not isinstance(value, str):
        return value

    class _Keep(dict[str, str]):
        def __missing__(self, key: str) -> str:
            return "{" + key + "}"

    return value.format_map(_Keep(variables))
