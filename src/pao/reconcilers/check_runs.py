"""What pao's check runs say: ``pao/validate`` and ``pao/fulfil``.

``pao/validate`` is the verdict on a pull request's head: annotations at
the exact lines of each problem, a summary per request file, and the full
plan as the details text (the comment points there when it is cut).
``pao/fulfil`` follows the merged requests as they run. Both are pure
functions of a :class:`~pao.reconcilers.pull_plan.PullPlan`; the client
pages annotations and cuts texts to GitHub's limits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pao.forge.github import Annotation, CheckOutput
from pao.reconcilers.plan_comment import PLAN_MARKER, render_plan_comment
from pao.reconcilers.pull_plan import PullPlan, RequestPlan

__all__ = [
    "FULFIL_CHECK",
    "VALIDATE_CHECK",
    "CheckVerdict",
    "fulfil_verdict",
    "validate_verdict",
]

VALIDATE_CHECK = "pao/validate"
FULFIL_CHECK = "pao/fulfil"

Conclusion = Literal["success", "failure", "neutral"]
_RUNNING = frozenset({"validating", "awaiting_approval", "queued", "in_progress"})


@dataclass(frozen=True, slots=True)
class CheckVerdict:
    """A check run's state and output."""

    completed: bool
    conclusion: Conclusion | None
    output: CheckOutput


def validate_verdict(plan: PullPlan) -> CheckVerdict:
    """The ``pao/validate`` check of *plan*'s head."""
    errors = plan.error_count
    bad = sum(1 for request in plan.requests if request.errors)
    files = _count(len(plan.requests), "request file")
    if errors:
        title = f"{_count(errors, 'error')} in {_count(bad, 'request file')}"
    else:
        title = f"{files} valid"
    summary = "\n".join(_summary_line(request) for request in plan.requests)
    annotations = tuple(
        Annotation.from_diagnostic(d)
        for request in plan.requests
        for d in request.diagnostics
    )
    output = CheckOutput(
        title=title,
        summary=summary or "No request files changed.",
        text=_full_plan(plan),
        annotations=annotations,
    )
    return CheckVerdict(True, "failure" if errors else "success", output)


def fulfil_verdict(plan: PullPlan) -> CheckVerdict:
    """The ``pao/fulfil`` check of a merged pull request's requests."""
    phases = [request.phase for request in plan.requests]
    running = [phase for phase in phases if phase in _RUNNING]
    failed = [phase for phase in phases if phase == "failed"]
    done = [phase for phase in phases if phase == "completed"]
    total = len(phases)
    conclusion: Conclusion | None
    if running:
        title, conclusion = f"{len(done)} of {_count(total, 'request')} done", None
    elif failed:
        title, conclusion = (
            f"{len(failed)} of {_count(total, 'request')} failed",
            ("failure"),
        )
    elif len(done) == total:
        title, conclusion = f"{_count(total, 'request')} completed", "success"
    else:
        title, conclusion = (
            f"{len(done)} of {_count(total, 'request')} done",
            ("neutral"),
        )
    summary = "\n".join(
        f"- `{request.label}`: {request.phase.replace('_', ' ')}"
        for request in plan.requests
    )
    output = CheckOutput(title=title, summary=summary, text=_full_plan(plan))
    return CheckVerdict(conclusion is not None, conclusion, output)


def _summary_line(request: RequestPlan) -> str:
    where = f"`{request.label}` (`{request.path}`)"
    if request.errors:
        return f"- {where}: {_count(len(request.errors), 'error')}"
    actions = _count(len(request.actions), "action")
    return f"- {where}: valid, {request.kind} with {actions}"


def _full_plan(plan: PullPlan) -> str:
    return render_plan_comment(plan).removeprefix(PLAN_MARKER + "\n")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
