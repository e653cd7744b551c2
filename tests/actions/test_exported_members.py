"""The public surface of pao.actions is deliberate."""

from __future__ import annotations

import pao.actions
import pao.actions.http


def test_actions_exports() -> None:
    assert sorted(pao.actions.__all__) == [
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
        "MASK",
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
    for name in pao.actions.__all__:
        assert hasattr(pao.actions, name)


def test_http_exports() -> None:
    for name in pao.actions.http.__all__:
        assert hasattr(pao.actions.http, name)
    assert "HttpSender" in pao.actions.http.__all__
