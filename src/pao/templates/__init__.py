"""Templates: the variable system of catalog items.

Catalog items write ``{{fields.name}}``, ``{{#each}}``, ``{{json(x)}}`` and
the like in action configs; this package parses them, checks which
variables they read (:func:`references`), and renders them in Jinja's
sandbox, either as a preview with secrets masked or live with secrets
resolved. See ``docs/templates.md`` for the language.
"""

from __future__ import annotations

from pao.templates.context import (
    RequestInfo,
    build_context,
    environment_scope,
    system_scope,
)
from pao.templates.engine import (
    CompiledTemplate,
    compile_template,
    evaluate_when,
    render,
    render_config,
    render_value,
)
from pao.templates.errors import (
    InvalidSecretReferenceError,
    SecretError,
    SecretResolutionError,
    TemplateError,
    TemplateLimitError,
    TemplateSyntaxError,
    TemplateValueError,
    UndefinedVariableError,
    UnknownScopeError,
)
from pao.templates.parser import FUNCTION_ARITY, parse
from pao.templates.preview import RenderResult, context_from_variables, render_for_test
from pao.templates.references import Reference, references
from pao.templates.scopes import REQUEST_KEYS, SCOPES, SYSTEM_KEYS
from pao.templates.secrets import (
    MASK,
    DefaultSecretResolver,
    Secret,
    SecretResolver,
    find_secrets,
    mask,
)

__all__ = [
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
