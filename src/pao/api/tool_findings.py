"""Validator diagnostics as the tools answer them: no file, a key path."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, Field

from pao.catalog.locate import format_path
from pao.core.diagnostics import Diagnostic, Severity, sort_key
from pao.core.yamlio import Path, SourceMap, YamlLoadError, load_yaml

__all__ = ["Finding", "ToolVerdict", "verdict"]


class Finding(BaseModel):
    """One problem in the checked text."""

    line: int
    column: int
    path: str | None = Field(
        description="The key the problem is about, e.g. `metadata.owner.team`; "
        "null when the text did not parse or the spot is not a key."
    )
    severity: str
    code: str
    message: str


class ToolVerdict(BaseModel):
    """Whether the text is valid, and every problem found in it."""

    valid: bool
    errors: list[Finding]
    warnings: list[Finding]


def verdict(text: str, diagnostics: Iterable[Diagnostic]) -> dict[str, Any]:
    """The ``{valid, errors, warnings}`` answer for *diagnostics* of *text*."""
    found = sorted(diagnostics, key=sort_key)
    paths = _paths_by_position(text) if found else {}
    errors = [_finding(d, paths) for d in found if d.severity is Severity.ERROR]
    warnings = [_finding(d, paths) for d in found if d.severity is Severity.WARNING]
    return {"valid": not errors, "errors": errors, "warnings": warnings}


def _finding(diagnostic: Diagnostic, paths: dict[tuple[int, int], Path]) -> Any:
    path = paths.get((diagnostic.line, diagnostic.column))
    return {
        "line": diagnostic.line,
        "column": diagnostic.column,
        "path": format_path(path) if path else None,
        "severity": diagnostic.severity.value,
        "code": diagnostic.code,
        "message": diagnostic.message,
    }


def _paths_by_position(text: str) -> dict[tuple[int, int], Path]:
    # Validators place a finding on a key or on a value; map both back to
    # the path, the deepest path winning where a value starts a mapping.
    try:
        source = load_yaml(text).source_map
    except YamlLoadError:
        return {}
    return _invert(source)


def _invert(source: SourceMap) -> dict[tuple[int, int], Path]:
    found: dict[tuple[int, int], Path] = {}
    for table in (source.values, source.keys):
        for path, position in sorted(table.items(), key=lambda kv: len(kv[0])):
            found[(position.line, position.column)] = path
    return found
