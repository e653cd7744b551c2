"""Command-line interface: ``pao`` and its sub-commands."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Sequence

from pao.cli.app import cli

# Feature modules register their commands on import.
_COMMAND_MODULES: tuple[str, ...] = (
    "documents",
    "templates",
    "service",
    "operator",
    "owners",
    "annotations",
    "demo",
)

# Which modules each top-level command lives in. Importing only those keeps
# `pao catalog validate` from loading the API server and the controller,
# which would cost seconds on every call in a CI job.
_MODULES_OF: dict[str, tuple[str, ...]] = {
    "catalog": ("documents",),
    "form": ("documents",),
    "schema": ("documents",),
    "request": ("documents", "operator"),
    "template": ("templates",),
    "serve": ("service",),
    "reindex": ("service",),
    "owners": ("owners",),
    "annotate": ("annotations",),
    "demo": ("demo",),
}


def _modules_for(argv: Sequence[str]) -> tuple[str, ...]:
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    if command is None:
        return _COMMAND_MODULES
    return _MODULES_OF.get(command, _COMMAND_MODULES)


def main() -> None:
    for name in _modules_for(sys.argv[1:]):
        importlib.import_module(f"pao.cli.{name}")
    cli()


__all__ = ["cli", "main"]
