"""The public surface of pao.templates, pinned."""

from __future__ import annotations

import pao.templates
from pao.templates import FUNCTION_ARITY
from pao.templates.functions import make_functions


def test_exported_members() -> None:
    assert sorted(pao.templates.__all__) == sorted(
        [
            "FUNCTION_ARITY",
            "MASK",
            "REQUEST_KEYS",
            "SCOPES",
            "SYSTEM_KEYS",
            "CompiledTemplate",
            "DefaultSecretResolver",
            "InvalidSecretReferenceError",
            "Reference",
            "RenderResult",
            "RequestInfo",
            "Secret",
            "SecretError",
            "SecretResolutionError",
            "SecretResolver",
            "TemplateError",
            "TemplateLimitError",
            "TemplateSyntaxError",
            "TemplateValueError",
            "UndefinedVariableError",
            "UnknownScopeError",
            "build_context",
            "compile_template",
            "context_from_variables",
            "environment_scope",
            "evaluate_when",
            "find_secrets",
            "mask",
            "parse",
            "references",
            "render",
            "render_config",
            "render_for_test",
            "render_value",
            "system_scope",
        ]
    )
    for name in pao.templates.__all__:
        assert getattr(pao.templates, name) is not None


def test_every_documented_function_is_implemented_for_both_modes() -> None:
    expected = {f"f_{name}" for name in FUNCTION_ARITY}

    assert set(make_functions(live=False)) == expected
    assert set(make_functions(live=True)) == expected
    assert set(FUNCTION_ARITY) == {
        "upper",
        "lower",
        "concat",
        "replace",
        "json",
        "base64",
        "uuid",
        "timestamp",
        "join",
        "default",
    }
