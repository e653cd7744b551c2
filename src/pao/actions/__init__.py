"""Action executors: carry out one fulfillment action against its target.

The fulfillment engine (``pao.reconcilers``) renders an action's config,
records the intent, and calls the executor registered for the action's
type with an :class:`ActionContext`. The executor makes the call —
retrying transient failures within the context's policy, behind a circuit
breaker per host — and returns an :class:`ActionResult` or raises one of
the errors below, masked. ``rest-api`` and ``webhook`` are built in.
"""

from __future__ import annotations

from pao.actions.context import ActionContext, RetryPolicy
from pao.actions.errors import (
    ActionAuthError,
    ActionCancelled,
    ActionError,
    ActionTimeout,
    CircuitOpen,
    InvalidActionConfig,
    PermanentActionError,
    TransientActionError,
)
from pao.actions.executor import ActionExecutor, BaseExecutor, ConfigPath, ConfigProblem
from pao.actions.masking import (
    MASK,
    Masker,
    SecretMasker,
    mask_data,
    mask_headers,
    mask_url,
)
from pao.actions.registry import (
    UnknownActionType,
    executor_for,
    register,
    registered_types,
    unregister,
    validate_config,
)
from pao.actions.rest_api import RestApiExecutor
from pao.actions.results import ActionResult, ResponseRecord, Waiting
from pao.actions.signing import sign_webhook, verify_webhook_signature
from pao.actions.webhook import WebhookExecutor

__all__ = [
    "MASK",
    "ActionAuthError",
    "ActionCancelled",
    "ActionContext",
    "ActionError",
    "ActionExecutor",
    "ActionResult",
    "ActionTimeout",
    "BaseExecutor",
    "CircuitOpen",
    "ConfigPath",
    "ConfigProblem",
    "InvalidActionConfig",
    "Masker",
    "PermanentActionError",
    "ResponseRecord",
    "RestApiExecutor",
    "RetryPolicy",
    "SecretMasker",
    "TransientActionError",
    "UnknownActionType",
    "Waiting",
    "WebhookExecutor",
    "executor_for",
    "mask_data",
    "mask_headers",
    "mask_url",
    "register",
    "registered_types",
    "sign_webhook",
    "unregister",
    "validate_config",
    "verify_webhook_signature",
]


def _register_builtins() -> None:
    from pao.actions.vendor_config import VendorConfig
    from pao.actions.vendors import build_vendor_executors

    # The vendor executors start unconfigured; the controller registers
    # configured ones at start-up (register_vendor_executors).
    vendors = build_vendor_executors(VendorConfig()).executors()
    builtins: tuple[ActionExecutor, ...] = (RestApiExecutor(), WebhookExecutor())
    for executor in (*builtins, *vendors):
        if executor.type_name not in registered_types():
            register(executor)


_register_builtins()
