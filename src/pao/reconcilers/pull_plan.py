"""What pao shows about a pull request's requests: the plan and its progress.

:class:`PullPlan` is the one model behind the sticky comment
(:mod:`pao.reconcilers.plan_comment`) and the check runs
(:mod:`pao.reconcilers.check_runs`). The pull-request reconciler builds it
from a validation pass and, after the merge, from the index: each action
with its configuration rendered for preview (secrets masked, outputs of
earlier actions left as their templates until they exist), its state and
what it produced.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pao.catalog import Action, CatalogItem
from pao.core import Diagnostic
from pao.store import ActionRun, RequestRecord
from pao.templates import TemplateError, render_value

__all__ = [
    "ActionPlan",
    "ItemSummary",
    "PullPlan",
    "RequestPlan",
    "latest_runs",
    "plan_actions",
    "preview_config",
]


@dataclass(frozen=True, slots=True)
class ItemSummary:
    """The catalog item a request asks for, as the plan names it."""

    id: str
    name: str
    version: str
    owner_team: str
    sla_hours: float | None

    @classmethod
    def of(cls, item: CatalogItem) -> ItemSummary:
        sla = item.metadata.sla
        return cls(
            id=item.id,
            name=item.metadata.name,
            version=item.metadata.version,
            owner_team=item.metadata.owner.team,
            sla_hours=sla.fulfillment_hours if sla else None,
        )


@dataclass(frozen=True, slots=True)
class ActionPlan:
    """One action of a request: what it will send, and what it did."""

    id: str
    name: str
    type: str
    config: Any
    when: str | None = None
    state: str = "planned"
    outputs: Mapping[str, Any] = field(default_factory=dict)
    links: tuple[str, ...] = ()
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RequestPlan:
    """One request file of the pull request."""

    path: str
    item_id: str
    name: str
    request_id: str
    kind: str
    phase: str
    item: ItemSummary | None = None
    approval: str | None = None
    actions: tuple[ActionPlan, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    failure: Mapping[str, Any] | None = None
    escalation: Mapping[str, Any] | None = None

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def label(self) -> str:
        return f"{self.item_id}/{self.name}"


@dataclass(frozen=True, slots=True)
class PullPlan:
    """Every request a pull request touches, at one head commit."""

    repo: str
    number: int
    head_sha: str
    requests: tuple[RequestPlan, ...]
    merged: bool = False

    @property
    def error_count(self) -> int:
        return sum(len(plan.errors) for plan in self.requests)


def preview_config(config: Any, context: Mapping[str, Any]) -> Any:
    """*config* with every template rendered that can be rendered now.

    Secrets come out masked (the context carries no resolver); a template
    that needs what only the run will know (an earlier action's outputs)
    is shown as written.
    """
    if isinstance(config, Mapping):
        return {key: preview_config(value, context) for key, value in config.items()}
    if isinstance(config, list):
        return [preview_config(value, context) for value in config]
    if isinstance(config, str):
        try:
            return render_value(config, context)
        except TemplateError:
            return config
    return config


def latest_runs(runs: Iterable[ActionRun]) -> dict[str, ActionRun]:
    """Each action's latest run."""
    latest: dict[str, ActionRun] = {}
    for run in runs:
        known = latest.get(run.action_id)
        if known is None or run.run_number > known.run_number:
            latest[run.action_id] = run
    return latest


def plan_actions(
    actions: Sequence[Action],
    *,
    context: Mapping[str, Any] | None,
    runs: Mapping[str, ActionRun] | None = None,
) -> tuple[ActionPlan, ...]:
    """The plan of each action, with its run's state once it ran."""
    planned: list[ActionPlan] = []
    for action in actions:
        config = preview_config(action.config, context) if context else action.config
        run = (runs or {}).get(action.id)
        planned.append(
            ActionPlan(
                id=action.id,
                name=action.name,
                type=action.type,
                config=config,
                when=action.when,
                state=run.status.value if run else "planned",
                outputs=dict(run.outputs or {}) if run else {},
                links=_links(run) if run else (),
                error=run.error if run else None,
            )
        )
    return tuple(planned)


def request_phase(record: RequestRecord | None, *, fallback: str) -> str:
    return record.status.value if record is not None else fallback


def _links(run: ActionRun) -> tuple[str, ...]:
    """URLs of what the run created, from its outputs and references."""
    found: list[str] = []
    for source in (run.outputs or {}, run.external_ref or {}):
        for value in _strings(source):
            if value.startswith(("https://", "http://")) and value not in found:
                found.append(value)
    return tuple(found)


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value
