"""``pao annotate``: validation diagnostics as GitHub workflow commands.

Reads the JSON list that ``pao catalog validate --format json`` and ``pao
request validate --format json`` print, and writes one ``::error`` or
``::warning`` command per diagnostic, which GitHub Actions shows as an
annotation on the file and line. Escaping follows GitHub's rules for
workflow commands: in the message ``%``, CR and LF are percent-encoded;
in properties (file, title) ``:`` and ``,`` are too.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping
from typing import Any

import click

from pao.cli.app import cli

__all__ = ["annotate", "escape_data", "escape_property", "workflow_command"]

_LEVELS = {"error": "error", "warning": "warning"}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(diagnostic: Mapping[str, Any], *, prefix: str = "") -> str:
    """One ``::error file=…,line=…,col=…,title=…::message`` line."""
    level = _LEVELS.get(str(diagnostic.get("severity")), "notice")
    properties = {
        "file": prefix + str(diagnostic["file"]),
        "line": str(diagnostic.get("line", 1)),
        "col": str(diagnostic.get("column", 1)),
        "title": f"pao: {diagnostic.get('code', level)}",
    }
    joined = ",".join(f"{key}={escape_property(v)}" for key, v in properties.items())
    return f"::{level} {joined}::{escape_data(str(diagnostic.get('message', '')))}"


def _diagnostics(text: str) -> Iterable[Mapping[str, Any]]:
    if not text.strip():
        return []
    data = json.loads(text)
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise ValueError("expected a JSON list of diagnostics")
    for entry in data:
        if "file" not in entry:
            raise ValueError("a diagnostic without a file")
    return data


@cli.command("annotate")
@click.option(
    "--path-prefix",
    default="",
    help="Put before each file name, when validation ran in a subfolder.",
)
def annotate(path_prefix: str) -> None:
    """Turn diagnostics (JSON on stdin) into GitHub Actions annotations."""
    prefix = path_prefix.rstrip("/") + "/" if path_prefix.strip("./") else ""
    try:
        found = _diagnostics(sys.stdin.read())
    except ValueError as exc:
        click.echo(f"pao: cannot read diagnostics on stdin: {exc}", err=True)
        raise SystemExit(1) from None
    for diagnostic in found:
        click.echo(workflow_command(diagnostic, prefix=prefix))
