"""Commands over catalog and request documents: validate, form, schema.

``pao catalog validate`` and ``pao request validate`` print one diagnostic
per line (or a JSON list) and a summary on stderr, and exit 1 when there is
an error; warnings alone exit 0. Usage errors exit 2.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import Any, NoReturn

import click

from pao.catalog import (
    CatalogItem,
    CatalogLoad,
    CatalogPathError,
    find_catalog_root,
    load_catalog,
    load_item_file,
)
from pao.catalog.editor_schema import catalog_item_schema
from pao.catalog.forms import build_form
from pao.catalog.loader import CATALOG_DIR
from pao.cli.app import catalog, cli, request, schema
from pao.core.diagnostics import Diagnostic, Severity, has_errors, sort_key
from pao.requests import request_schema, validate_request_file

__all__ = ["form", "validate_catalog", "validate_requests"]

_FORMAT = click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="One diagnostic per line, or a JSON list.",
)
_CATALOG = click.option(
    "--catalog",
    "catalog_path",
    required=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="A catalog repo checkout, or its catalog/ folder.",
)


@catalog.command("validate")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@_FORMAT
def validate_catalog(path: Path, output_format: str) -> None:
    """Check every item of the catalog at PATH (or one item file)."""
    if path.is_file():
        relative = _relative_item_path(path)
        _, found = load_item_file(path, relative=relative)
        _finish(found, output_format, count=1, noun="item")
    result = _load(path, param="PATH")
    _finish(result.diagnostics, output_format, count=result.files, noun="item")


@request.command("validate")
@_CATALOG
@click.argument(
    "files", nargs=-1, required=True, type=click.Path(exists=True, path_type=str)
)
@_FORMAT
def validate_requests(
    catalog_path: Path, files: Sequence[str], output_format: str
) -> None:
    """Check request FILEs (or folders of them) against the catalog."""
    loaded = _load(catalog_path, param="--catalog")
    found: list[Diagnostic] = []
    count = 0
    for name in _request_files(files):
        count += 1
        found += validate_request_file(name, loaded, file=name)[1]
    _finish(found, output_format, count=count, noun="request")


@cli.command("form")
@click.argument("item_id")
@_CATALOG
def form(item_id: str, catalog_path: Path) -> None:
    """Print the form of catalog item ITEM_ID as JSON."""
    item = _item(_load(catalog_path, param="--catalog"), item_id)
    _print_json(build_form(item))


@schema.command("catalog-item")
def catalog_item() -> None:
    """Print the JSON Schema of catalog item files."""
    _print_json(catalog_item_schema())


@schema.command("request")
@click.argument("item_id")
@_CATALOG
def request_document(item_id: str, catalog_path: Path) -> None:
    """Print the JSON Schema of request files for ITEM_ID."""
    item = _item(_load(catalog_path, param="--catalog"), item_id)
    _print_json(request_schema(item))


def _load(path: Path, *, param: str) -> CatalogLoad:
    try:
        return load_catalog(path)
    except CatalogPathError as exc:
        raise click.BadParameter(str(exc), param_hint=param) from None


def _item(result: CatalogLoad, item_id: str) -> CatalogItem:
    loaded = result.get(item_id)
    if loaded is not None:
        return loaded.item
    if item_id in result.broken:
        message = f"catalog item '{item_id}' is invalid: fix {result.broken[item_id]}"
    else:
        message = f"unknown catalog item '{item_id}'"
    click.echo(f"pao: {message}", err=True)
    click.get_current_context().exit(1)


def _relative_item_path(path: Path) -> str:
    """A single item file named as catalog validation names it."""
    try:
        root = find_catalog_root(path.resolve().parent.parent)
    except CatalogPathError:
        return str(path)
    relative = PurePosixPath(path.resolve().relative_to(root).as_posix())
    return str(relative) if relative.parts[0] == CATALOG_DIR else str(path)


def _request_files(names: Sequence[str]) -> Iterator[str]:
    for name in names:
        if not os.path.isdir(name):
            yield name
            continue
        base = os.path.join(name, "requests")
        top = base if os.path.isdir(base) else name
        for current, dirs, files in os.walk(top):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for file in sorted(files):
                if file.endswith(".yaml") and not file.startswith("."):
                    yield os.path.join(current, file)


def _finish(
    found: list[Diagnostic], output_format: str, *, count: int, noun: str
) -> NoReturn:
    found = sorted(found, key=sort_key)
    if output_format == "json":
        _print_json([diagnostic.as_dict() for diagnostic in found])
    else:
        for diagnostic in found:
            click.echo(str(diagnostic))
    click.echo(_summary(found, count=count, noun=noun), err=True)
    click.get_current_context().exit(1 if has_errors(found) else 0)


def _summary(found: list[Diagnostic], *, count: int, noun: str) -> str:
    errors = sum(1 for d in found if d.severity is Severity.ERROR)
    warnings = len(found) - errors
    return ", ".join(
        _plural(number, word)
        for number, word in ((count, noun), (errors, "error"), (warnings, "warning"))
    )


def _plural(number: int, word: str) -> str:
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))
