"""Check a request file against the catalog item it asks for.

Called by ``pao request validate``, by the API's validate-request tool and
by the request reconciler before a request is planned or queued. Every
problem becomes a :class:`~pao.core.diagnostics.Diagnostic` on the line of
the offending value (the ``fields`` key for a missing field), and values of
password fields never appear in a message.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterator
from pathlib import PurePath
from typing import Any

from jsonschema import ValidationError as SchemaError
from pydantic import ValidationError

from pao.catalog import CatalogLoad
from pao.catalog.fieldschema import describe_field_error
from pao.catalog.locate import (
    diagnostic_at,
    format_path,
    schema_diagnostics,
    yaml_diagnostic,
)
from pao.catalog.models import CatalogItem, FormField
from pao.core.diagnostics import Diagnostic, Severity, has_errors, sort_key
from pao.core.yamlio import (
    MAX_FILE_BYTES,
    Path,
    Position,
    YamlDocument,
    YamlLoadError,
    load_yaml,
)
from pao.requests.conditions import visibility
from pao.requests.models import REQUEST_KEYS, Request
from pao.requests.schema import CompiledForm, compiled_form

__all__ = [
    "expected_item_for",
    "validate_request_document",
    "validate_request_file",
    "validate_request_text",
]

_REQUESTS_DIR = "requests"


def expected_item_for(path: str | os.PathLike[str]) -> str | None:
    """The item a file at *path* must ask for: its folder under requests/."""
    parts = PurePath(os.path.abspath(path)).parts
    if len(parts) >= 3 and parts[-3] == _REQUESTS_DIR:
        return parts[-2]
    return None


def validate_request_file(
    path: str | os.PathLike[str], catalog: CatalogLoad, *, file: str | None = None
) -> tuple[Request | None, list[Diagnostic]]:
    """Read and check one request file; *file* names it in diagnostics."""
    name = file if file is not None else os.fspath(path)
    try:
        with open(path, "rb") as handle:
            content = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        message = f"cannot read the file: {exc.strerror or exc}"
        return None, [_at(Position(1, 1), name, "io", message)]
    return validate_request_text(
        content, catalog, filename=name, expected_item=expected_item_for(path)
    )


def validate_request_text(
    text: str | bytes,
    catalog: CatalogLoad,
    *,
    filename: str = "<input>",
    expected_item: str | None = None,
) -> tuple[Request | None, list[Diagnostic]]:
    """Check a request given as text; the request is None if it has errors."""
    try:
        document = load_yaml(text)
    except YamlLoadError as exc:
        return None, [yaml_diagnostic(exc, file=filename)]
    return validate_request_document(
        document, catalog, file=filename, expected_item=expected_item
    )


def validate_request_document(
    document: YamlDocument,
    catalog: CatalogLoad,
    *,
    file: str,
    expected_item: str | None = None,
) -> tuple[Request | None, list[Diagnostic]]:
    """Check a loaded request against *catalog*.

    *expected_item* is the item id the file's folder names, if it has one.
    """
    request, found = _check_envelope(document, file)
    data = document.data if isinstance(document.data, dict) else {}
    item_id = data.get("catalogItem")
    if not isinstance(item_id, str):
        return None, sorted(found, key=sort_key)
    found += _check_folder(document, item_id, expected_item, file)
    item = _find_item(document, catalog, file, found)
    fields = data.get("fields", {})
    if item is not None and isinstance(fields, dict):
        found += _check_fields(document, item, fields, file)
    found.sort(key=sort_key)
    if request is None or item is None or has_errors(found):
        return None, found
    return request, found


def _check_folder(
    document: YamlDocument, item_id: str, expected_item: str | None, file: str
) -> list[Diagnostic]:
    if expected_item is None or item_id == expected_item:
        return []
    message = f"catalogItem '{item_id}' must equal the folder '{expected_item}'"
    where = _value(document, ("catalogItem",))
    return [_at(where, file, "item-mismatch", message)]


def _check_envelope(
    document: YamlDocument, file: str
) -> tuple[Request | None, list[Diagnostic]]:
    if not isinstance(document.data, dict):
        shape = "an empty document" if document.data is None else "not a mapping"
        message = f"a request must be a mapping, got {shape}"
        return None, [_at(_value(document, ()), file, "wrong-type", message)]
    try:
        return Request.model_validate(document.data), []
    except ValidationError as exc:
        return None, schema_diagnostics(
            exc, document, file=file, known_keys=REQUEST_KEYS
        )


def _find_item(
    document: YamlDocument, catalog: CatalogLoad, file: str, found: list[Diagnostic]
) -> CatalogItem | None:
    item_id = document.data["catalogItem"]
    where = _value(document, ("catalogItem",))
    loaded = catalog.get(item_id)
    if loaded is None:
        found.append(_at(where, file, *_missing_item(item_id, catalog)))
        return None
    lifecycle = loaded.item.lifecycle
    if lifecycle.status == "retired":
        message = f"catalog item '{item_id}' is retired{_successor(loaded.item)}"
        found.append(_at(where, file, "retired-item", message))
        return None
    if lifecycle.status == "deprecated":
        message = f"catalog item '{item_id}' is deprecated{_successor(loaded.item)}"
        found.append(_at(where, file, "deprecated-item", message, Severity.WARNING))
    return loaded.item


def _missing_item(item_id: str, catalog: CatalogLoad) -> tuple[str, str]:
    if item_id in catalog.broken:
        path = catalog.broken[item_id]
        return "invalid-item", f"catalog item '{item_id}' is invalid: fix {path} first"
    message = f"unknown catalog item '{item_id}'"
    close = difflib.get_close_matches(item_id, list(catalog.items), n=1)
    return (
        "unknown-item",
        f"{message} (did you mean '{close[0]}'?)" if close else message,
    )


def _successor(item: CatalogItem) -> str:
    lifecycle, text = item.lifecycle, ""
    if lifecycle.replacement:
        text += f"; use '{lifecycle.replacement}' instead"
    if lifecycle.sunset_date:
        text += f"; sunset on {lifecycle.sunset_date}"
    return text


def _check_fields(
    document: YamlDocument, item: CatalogItem, fields: dict[Any, Any], file: str
) -> list[Diagnostic]:
    form = compiled_form(item)
    found = [
        _at(position, file, code, message)
        for error in form.validator.iter_errors(fields)
        for position, code, message in _describe(document, form, error)
    ]
    shown = visibility(item, {k: v for k, v in fields.items() if isinstance(k, str)})
    for name in fields:
        if shown.get(name) is False:
            field = form.fields[name]
            message = f"fields.{name} is ignored: {_hidden_because(field)}"
            where = document.source_map.key(("fields", name))
            found.append(_at(where, file, "hidden-field", message, Severity.WARNING))
    return _unique(found)


def _describe(
    document: YamlDocument, form: CompiledForm, error: SchemaError
) -> Iterator[tuple[Position, str, str]]:
    path: Path = ("fields", *error.absolute_path)
    if error.validator == "required":
        for name in error.validator_value:  # type: ignore[union-attr]
            if isinstance(error.instance, dict) and name not in error.instance:
                message = f"missing required field '{name}' ({form.fields[name].name})"
                yield document.source_map.key(path), "missing-field", message
    elif error.validator == "additionalProperties" and isinstance(error.instance, dict):
        for name in error.instance:
            if name not in form.fields:
                message = _unknown_field(name, form)
                yield document.source_map.key((*path, name)), "unknown-field", message
    else:
        field = form.fields.get(str(path[1])) if len(path) > 1 else None
        if field is not None:
            message = f"{format_path(path)}: {describe_field_error(error, field)}"
            literal = field.type == "password" and error.validator == "pattern"
            code = "secret-literal" if literal else "invalid-field"
            yield document.source_map.value(path), code, message


def _unknown_field(name: Any, form: CompiledForm) -> str:
    message = f"unknown field '{name}'"
    close = difflib.get_close_matches(str(name), list(form.fields), n=1)
    return f"{message} (did you mean '{close[0]}'?)" if close else message


def _hidden_because(field: FormField) -> str:
    conditional = field.conditional
    if conditional is None:  # pragma: no cover - only conditional fields hide
        return "it is hidden"
    return (
        f"it applies only when {conditional.depends_on}"
        f" {conditional.condition} {conditional.value!r}"
    )


def _unique(found: list[Diagnostic]) -> list[Diagnostic]:
    return list(dict.fromkeys(found))


def _value(document: YamlDocument, path: Path) -> Position:
    return document.source_map.value(path)


def _at(
    position: Position,
    file: str,
    code: str,
    message: str,
    severity: Severity = Severity.ERROR,
) -> Diagnostic:
    return diagnostic_at(
        position, file=file, code=code, message=message, severity=severity
    )
