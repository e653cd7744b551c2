"""Renders a template against hand-written variables, for trying it out.

This is what ``pao template render`` and the API's "test variables" tool
call. Everything renders in preview mode: secrets print masked and are
never resolved.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from pao.templates.context import system_scope
from pao.templates.engine import render
from pao.templates.errors import TemplateError, TemplateValueError
from pao.templates.references import Reference, references
from pao.templates.scopes import SCOPES
from pao.templates.secrets import Secret

__all__ = ["RenderResult", "context_from_variables", "render_for_test"]


@dataclass(frozen=True, slots=True)
class RenderResult:
    """The rendered text, or the error that stopped rendering."""

    output: str | None
    error: TemplateError | None = None
    references: tuple[Reference, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.error is None

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form for the API."""
        error = None
        if self.error is not None:
            error = {
                "message": str(self.error),
                "line": self.error.line,
                "column": self.error.column,
                "path": self.error.path,
            }
        refs = [
            {"path": r.path, "line": r.line, "column": r.column}
            for r in self.references
        ]
        return {
            "ok": self.ok,
            "output": self.output,
            "error": error,
            "references": refs,
        }


def context_from_variables(variables: Mapping[str, Any]) -> dict[str, Any]:
    """A render context from ``{scope: value}``; secrets become masked.

    ``system`` is filled in when not given, as it would be for a request.
    """
    unknown = sorted(str(name) for name in variables if name not in SCOPES)
    if unknown:
        message = (
            f"unknown scope {unknown[0]!r} in variables (scopes: {', '.join(SCOPES)})"
        )
        raise TemplateValueError(message)
    context = dict(variables)
    context.setdefault("system", system_scope())
    secrets = variables.get("secrets", {})
    if not isinstance(secrets, Mapping):
        raise TemplateValueError("variables: secrets must be an object")
    context["secrets"] = {
        name: Secret(str(reference), name=f"secrets.{name}")
        for name, reference in secrets.items()
    }
    return context


def render_for_test(template: str, variables: Mapping[str, Any]) -> RenderResult:
    """Render *template* in preview mode; errors are returned, not raised."""
    try:
        found = tuple(references(template))
        output = render(template, context_from_variables(variables))
    except TemplateError as exc:
        return RenderResult(None, exc)
    return RenderResult(output, None, found)
