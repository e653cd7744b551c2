"""Command-line interface: ``pao`` and its sub-commands."""

from __future__ import annotations

import importlib

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


def main() -> None:
    for name in _COMMAND_MODULES:
        importlib.import_module(f"pao.cli.{name}")
    cli()


__all__ = ["cli", "main"]
