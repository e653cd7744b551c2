"""Primitives shared by every layer: YAML loading, diagnostics, settings."""

from __future__ import annotations

from pao.core.diagnostics import Diagnostic, Severity
from pao.core.yamlio import Position, SourceMap, YamlDocument, YamlLoadError, load_yaml

__all__ = [
    "Diagnostic",
    "Position",
    "Severity",
    "SourceMap",
    "YamlDocument",
    "YamlLoadError",
    "load_yaml",
]
