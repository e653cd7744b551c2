"""``pao template``: render a template against variables, list its paths.

``pao template render FILE|- --vars VARS.json`` writes exactly the rendered
text (no newline is added; a template ending in a newline ends the output
with one). On any error it writes ``error: line N: MESSAGE`` on stderr and
exits 1. Secrets under ``"secrets"`` in VARS.json render masked.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, NoReturn

import click

from pao.cli.app import template
from pao.templates import TemplateError, references, render_for_test

__all__ = ["list_references", "render_template"]


def _fail(message: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(1)


def _read_template(name: str) -> str:
    try:
        data = sys.stdin.buffer.read() if name == "-" else Path(name).read_bytes()
        return data.decode("utf-8")
    except OSError as exc:
        _fail(f"{name}: cannot read template ({exc.strerror})")
    except UnicodeDecodeError:
        _fail(f"{name}: template is not UTF-8 text")


def _read_variables(name: str | None) -> dict[str, Any]:
    if name is None:
        return {}
    try:
        data = json.loads(Path(name).read_text(encoding="utf-8"))
    except OSError as exc:
        _fail(f"{name}: cannot read variables ({exc.strerror})")
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        _fail(f"{name}: not a JSON document ({exc})")
    if not isinstance(data, dict):
        _fail(f"{name}: variables must be a JSON object keyed by scope name")
    return data


@template.command("render")
@click.argument("file", metavar="FILE|-")
@click.option(
    "--vars",
    "vars_file",
    metavar="VARS.json",
    help="A JSON object keyed by scope: fields, metadata, request, outputs…",
)
def render_template(file: str, vars_file: str | None) -> None:
    """Render the template in FILE (or stdin) with secrets masked."""
    source = _read_template(file)
    result = render_for_test(source, _read_variables(vars_file))
    if result.error is not None or result.output is None:
        _fail(str(result.error))
    # Bytes, so that neither newline translation nor click's colour
    # stripping can change a character of the output.
    sys.stdout.buffer.write(result.output.encode("utf-8", errors="replace"))
    sys.stdout.buffer.flush()


@template.command("references")
@click.argument("file", metavar="FILE|-")
def list_references(file: str) -> None:
    """List the variable paths the template in FILE reads, as LINE:COL PATH."""
    try:
        found = references(_read_template(file))
    except TemplateError as exc:
        _fail(str(exc))
    for ref in found:
        click.echo(f"{ref.line}:{ref.column} {ref.path}")
