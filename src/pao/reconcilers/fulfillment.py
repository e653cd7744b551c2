"""The fulfillment engine: drives one claimed request through its actions.

The controller's workers claim a request (a lease in the store) and call
:meth:`Fulfiller.advance`. The engine reads what already happened from the
store — it keeps nothing in memory between calls — and takes the next
steps:

1. A run left ``started`` by another worker is interrupted: its outcome is
   unknown, so it is never re-sent blindly. Unless the target can be asked
   (``find_existing``), the run fails as "interrupted, outcome unknown".
2. A run that waits on its target (a Jira ticket, a Terraform run, a
   workflow run) is polled when due.
3. Otherwise the next action runs: ``when`` is evaluated, the config is
   rendered with secrets resolved, the intent is committed with its
   idempotency key, and only then does the executor call out.
4. A failure stops the request as ``failed`` with its context; the last
   action's success completes it.

Retries after a failure are a human decision: they arrive as ``pending``
runs planned by :mod:`pao.reconcilers.commands`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import structlog

from pao.actions import (
    ActionContext,
    ActionError,
    ActionExecutor,
    ActionResult,
    RetryPolicy,
    SecretMasker,
    UnknownActionType,
    Waiting,
    executor_for,
    mask_data,
)
from pao.catalog import Action, CatalogItem
from pao.core.metrics import METRICS, PaoMetrics
from pao.core.secrets import is_secret_reference
from pao.reconcilers.context import build_request_context
from pao.reconcilers.failure import failure_context
from pao.reconcilers.plan import RevisionData, actions_for
from pao.store import (
    ActionRun,
    ActionRunStatus,
    RequestRecord,
    RequestStatus,
    Store,
)
from pao.templates import (
    SecretResolutionError,
    TemplateError,
    evaluate_when,
    find_secrets,
    render_config,
    render_value,
)

__all__ = ["Advance", "EngineSettings", "Fulfiller"]

logger = structlog.get_logger(__name__)

R = ActionRunStatus
INTERRUPTED = "interrupted, outcome unknown"


@dataclass(frozen=True, kw_only=True)
class EngineSettings:
    """What the engine needs from configuration."""

    worker: str
    environment_allow: tuple[str, ...] = ()
    correlation_header: str = "X-Correlation-ID"
    default_timeout: float = 300.0


@dataclass(frozen=True, slots=True)
class Advance:
    """Where one call to :meth:`Fulfiller.advance` left the request.

    ``poll_after`` is set while an action waits on its target: the seconds
    until it should be asked again.
    """

    status: RequestStatus
    poll_after: float | None = None


@dataclass(slots=True)
class _Job:
    """One call to advance: the request, its item and what is known so far."""

    request: RequestRecord
    item: CatalogItem
    data: RevisionData
    log: Any
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(slots=True)
class _Step:
    """One action's position in the request, as read from its runs."""

    action: Action
    latest: ActionRun | None
    outputs: dict[str, Any] = field(default_factory=dict)


class Fulfiller:
    """Runs the actions of claimed requests; safe to share between threads."""

    def __init__(
        self,
        *,
        store: Store,
        settings: EngineSettings,
        resolver: Any = None,
        field_resolver: Any = None,
        executors: Callable[[str], ActionExecutor] = executor_for,
        on_change: Callable[[str], None] = lambda _request_id: None,
        metrics: PaoMetrics = METRICS,
    ) -> None:
        self.metrics = metrics
        self.store = store
        self.settings = settings
        self.resolver = resolver
        self.field_resolver = field_resolver
        self.executors = executors
        self.on_change = on_change

    def advance(self, request: RequestRecord, item: CatalogItem) -> Advance:
        """Take every step that can be taken now for *request*."""
        log = logger.bind(request_id=request.id, item_id=item.id)
        if request.status is RequestStatus.QUEUED:
            request = self._move(request, RequestStatus.IN_PROGRESS, "fulfilment")
        if request.status is not RequestStatus.IN_PROGRESS:
            return Advance(request.status)
        revision = self.store.get_revision(request_id=request.id)
        job = _Job(request, item, revision.data, log)  # type: ignore[arg-type]
        for step in self._steps(job):
            outcome = self._advance_step(job, step)
            if outcome is not None:
                return outcome
            job.outputs[step.action.id] = step.outputs
        self._move(request, RequestStatus.COMPLETED, "fulfilment", failure=None)
        self._observe_end(request, item, RequestStatus.COMPLETED)
        log.info("request_completed")
        return Advance(RequestStatus.COMPLETED)

    def _steps(self, job: _Job) -> list[_Step]:
        request = job.request
        runs = self.store.list_action_runs(
            request_id=request.id, revision=request.revision
        )
        latest: dict[str, ActionRun] = {}
        for run in runs:
            previous = latest.get(run.action_id)
            if previous is None or run.run_number >= previous.run_number:
                latest[run.action_id] = run
        kind = job.data.get("kind", "create")
        actions = actions_for(job.item, kind)
        return [_Step(action, latest.get(action.id)) for action in actions]

    def _advance_step(self, job: _Job, step: _Step) -> Advance | None:
        """None when the step is done and the next may start."""
        run = step.latest
        if run is not None and run.status in (R.SUCCEEDED, R.SKIPPED):
            step.outputs = dict(run.outputs or {})
            return None
        if run is not None and run.status in (R.FAILED, R.INTERRUPTED):
            # A failure whose request move was lost (a crash in between):
            # finish the move, never re-run without a human.
            return self._fail(job, run, run.error or "failed")
        context = self._context(job)
        if run is not None and run.status is R.STARTED:
            return self._interrupted(job, step, run, context)
        if run is not None and run.status is R.WAITING:
            return self._poll(job, step, run, context)
        return self._run(job, step, run, context)

    def _context(self, job: _Job) -> dict[str, Any]:
        return build_request_context(
            request=job.request,
            item=job.item,
            document=job.data.get("document", {}),
            outputs=job.outputs,
            environment_allow=self.settings.environment_allow,
            resolver=self.resolver,
            field_resolver=self.field_resolver,
        )

    def _run(
        self,
        job: _Job,
        step: _Step,
        planned: ActionRun | None,
        context: dict[str, Any],
    ) -> Advance | None:
        request, action = job.request, step.action
        run_number = planned.run_number if planned else 1
        key = _idempotency_key(request, action, run_number)
        try:
            if action.when is not None and not evaluate_when(action.when, context):
                self._skip(request, action, run_number, key)
                return None
            executor = self._executor(action)
            preview = render_config(action.config, context, location="config")
            config = render_config(action.config, context, live=True)
            config = self._with_signing_secret(action, config)
        except (TemplateError, UnknownActionType) as exc:
            # Nothing went out: the run fails without an intent.
            run = self.store.plan_action_run(
                request_id=request.id,
                revision=request.revision,
                action_id=action.id,
                run_number=run_number,
                idempotency_key=key,
            )
            error = f"cannot run action {action.id}: {exc}"
            self._finish(run, R.FAILED, error=error)
            return self._fail(job, run, error)

        # The intent is committed before the call goes out: after a crash
        # the run is found "started" and never sent again blindly.
        run = self.store.record_intent(
            request_id=request.id,
            revision=request.revision,
            action_id=action.id,
            run_number=run_number,
            idempotency_key=key,
            worker=self.settings.worker,
            context={"config": mask_data(preview, _masker(context))},
        )
        job.log.info("action_started", action_id=action.id, run=run_number)
        ctx = self._action_context(request, action, run, context)
        try:
            result = executor.execute(config, ctx)
        except ActionError as exc:
            error = ctx.masker(str(exc))
            self._finish(run, R.FAILED, error=error)
            job.log.warning("action_failed", action_id=action.id, error=error)
            return self._fail(job, run, error)
        return self._record_result(job, step, run, result, context)

    def _with_signing_secret(self, action: Action, config: Any) -> Any:
        # A webhook's ``secret`` is a secret reference (docs/formats.md),
        # not a template: the executor signs with the value behind it.
        secret = config.get("secret") if isinstance(config, dict) else None
        if action.type != "webhook" or not is_secret_reference(secret):
            return config
        if self.resolver is None:
            raise SecretResolutionError(f"{secret}: no secret resolver is configured")
        return config | {"secret": self.resolver.resolve(secret)}

    def _poll(
        self, job: _Job, step: _Step, run: ActionRun, context: dict[str, Any]
    ) -> Advance | None:
        ref = dict(run.external_ref or {})
        waiting = Waiting.from_dict(ref["waiting"])
        ctx = self._action_context(job.request, step.action, run, context)
        try:
            answer = self._executor(step.action).poll(waiting, ctx)
        except (ActionError, UnknownActionType) as exc:
            error = ctx.masker(str(exc))
            self._finish(run, R.FAILED, error=error)
            return self._fail(job, run, error)
        if isinstance(answer, Waiting):
            self._wait(run, answer, ref)
            return Advance(RequestStatus.IN_PROGRESS, answer.poll_after_seconds)
        return self._record_result(job, step, run, answer, context)

    def _record_result(
        self,
        job: _Job,
        step: _Step,
        run: ActionRun,
        result: ActionResult,
        context: dict[str, Any],
    ) -> Advance | None:
        request, log = job.request, job.log
        masker = _masker(context)
        if result.waiting is not None:
            ref = dict(result.external_ref) | {"waiting": result.waiting.to_dict()}
            self._wait(
                run,
                result.waiting,
                mask_data(ref, masker),
                outputs=mask_data(dict(result.outputs), masker),
            )
            log.info("action_waiting", action_id=step.action.id)
            self.on_change(request.id)
            return Advance(RequestStatus.IN_PROGRESS, result.waiting.poll_after_seconds)
        try:
            outputs = dict(result.outputs) | _render_outputs(
                step.action, result, context
            )
        except TemplateError as exc:
            error = f"cannot read outputs of action {step.action.id}: {exc}"
            self._finish(run, R.FAILED, error=masker(error))
            return self._fail(job, run, masker(error))
        step.outputs = mask_data(outputs, masker)
        self._finish(
            run,
            R.SUCCEEDED,
            outputs=step.outputs,
            external_ref=mask_data(dict(result.external_ref), masker) or None,
        )
        self.metrics.record_action(step.action.type, failed=False)
        log.info("action_succeeded", action_id=step.action.id)
        return None

    def _interrupted(
        self, job: _Job, step: _Step, run: ActionRun, context: dict[str, Any]
    ) -> Advance | None:
        job.log.warning("action_interrupted", action_id=run.action_id, run_id=run.id)
        ctx = self._action_context(job.request, step.action, run, context)
        try:
            config = render_config(step.action.config, context, live=True)
            found = self._executor(step.action).find_existing(config, ctx)
        except (ActionError, TemplateError, UnknownActionType):
            found = None
        if found is not None:
            return self._record_result(job, step, run, found, context)
        self._finish(run, R.INTERRUPTED, error=INTERRUPTED)
        return self._fail(job, run, INTERRUPTED)

    def _skip(
        self, request: RequestRecord, action: Action, run_number: int, key: str
    ) -> None:
        run = self.store.plan_action_run(
            request_id=request.id,
            revision=request.revision,
            action_id=action.id,
            run_number=run_number,
            idempotency_key=key,
        )
        self._finish(run, R.SKIPPED)

    def _fail(self, job: _Job, run: ActionRun, error: str) -> Advance:
        failure = failure_context(
            store=self.store,
            request=job.request,
            item=job.item,
            failed=run,
            error=error,
            context=self._context(job),
        )
        self._move(job.request, RequestStatus.FAILED, "fulfilment", failure=failure)
        action_type = next(
            (a.type for a in _item_actions(job.item) if a.id == run.action_id), None
        )
        if action_type is not None:
            self.metrics.record_action(action_type, failed=True)
        self._observe_end(job.request, job.item, RequestStatus.FAILED)
        return Advance(RequestStatus.FAILED)

    def _observe_end(
        self, request: RequestRecord, item: CatalogItem, status: RequestStatus
    ) -> None:
        elapsed = (datetime.now(UTC) - request.created_at).total_seconds()
        self.metrics.request_duration.labels(
            catalog_item=item.id, status=status.value
        ).observe(max(elapsed, 0.0))

    def _wait(
        self,
        run: ActionRun,
        waiting: Waiting,
        ref: Mapping[str, Any],
        outputs: Mapping[str, Any] | None = None,
    ) -> None:
        ref = dict(ref) | {"waiting": waiting.to_dict()}
        self.store.mark_action_waiting(
            run_id=run.id, external_ref=ref, outputs=outputs or run.outputs
        )

    def _finish(
        self,
        run: ActionRun,
        status: ActionRunStatus,
        *,
        error: str | None = None,
        outputs: Mapping[str, Any] | None = None,
        external_ref: Mapping[str, Any] | None = None,
    ) -> None:
        kwargs: dict[str, Any] = {}
        if external_ref is not None:
            kwargs["external_ref"] = external_ref
        self.store.finish_action_run(
            run_id=run.id, status=status, outputs=outputs, error=error, **kwargs
        )

    def _move(
        self,
        request: RequestRecord,
        to_status: RequestStatus,
        actor: str,
        **changes: Any,
    ) -> RequestRecord:
        moved = self.store.transition_request(
            request_id=request.id,
            to_status=to_status,
            actor=actor,
            expected_from=[request.status],
            **changes,
        )
        self.on_change(request.id)
        return moved

    def _executor(self, action: Action) -> ActionExecutor:
        return self.executors(action.type)

    def _action_context(
        self,
        request: RequestRecord,
        action: Action,
        run: ActionRun,
        context: Mapping[str, Any],
    ) -> ActionContext:
        retry = action.retry
        policy = (
            RetryPolicy(
                max_attempts=retry.max_attempts,
                initial_backoff=retry.backoff,
                max_backoff=max(retry.backoff, 30.0),
            )
            if retry
            else RetryPolicy()
        )
        return ActionContext(
            request_id=request.id,
            action_id=action.id,
            run_id=str(run.id),
            idempotency_key=run.idempotency_key,
            correlation_id=str(context["request"].get("correlation_id") or request.id),
            masker=_masker(context),
            timeout=action.timeout or self.settings.default_timeout,
            retry=policy,
            correlation_header=self.settings.correlation_header,
        )


def _idempotency_key(request: RequestRecord, action: Action, run_number: int) -> str:
    return f"pao-{request.id}-r{request.revision}-{action.id}-{run_number}"


def _masker(context: Mapping[str, Any]) -> SecretMasker:
    # Secrets live only in these two scopes (password fields are secrets
    # too); walking the whole context would cost more than the call.
    scopes = (context.get("secrets"), context.get("fields"))
    values = [
        value
        for scope in scopes
        for secret in find_secrets(scope)
        for value in secret.values()
    ]
    return SecretMasker(values)


def _render_outputs(
    action: Action, result: ActionResult, context: Mapping[str, Any]
) -> dict[str, Any]:
    if not action.outputs:
        return {}
    scope = dict(context) | {"response": dict(result.response or {})}
    return {
        name: render_value(template, scope) for name, template in action.outputs.items()
    }


def _item_actions(item: CatalogItem) -> list[Action]:
    fulfillment = item.fulfillment
    actions = [*fulfillment.actions, *fulfillment.update, *fulfillment.decommission]
    return actions or actions_for(item, "create")
