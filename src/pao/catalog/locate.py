"""Turn pydantic's errors into diagnostics at the lines they concern.

pydantic reports a location as a tuple of keys, indexes and, inside unions,
the names of the union's members. The members are not in the document, so
they are skipped while walking the data; what remains is a path into the
:class:`~pao.core.yamlio.SourceMap`.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from pao.core.diagnostics import Diagnostic, Severity
from pao.core.yamlio import Path, Position, YamlDocument, YamlLoadError

__all__ = [
    "diagnostic_at",
    "format_path",
    "schema_diagnostics",
    "yaml_diagnostic",
]

_EXPECTED = {
    "string_type": "a string",
    "int_type": "an integer",
    "int_from_float": "an integer",
    "float_type": "a number",
    "bool_type": "a boolean",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "list_type": "a list",
}
_MAX_ECHO = 60


def diagnostic_at(
    position: Position,
    *,
    file: str,
    code: str,
    message: str,
    severity: Severity = Severity.ERROR,
) -> Diagnostic:
    return Diagnostic(
        file=file,
        line=position.line,
        column=position.column,
        severity=severity,
        code=code,
        message=message,
    )


def yaml_diagnostic(error: YamlLoadError, *, file: str) -> Diagnostic:
    return diagnostic_at(error.position, file=file, code="yaml", message=error.message)


def format_path(path: Sequence[str | int]) -> str:
    """``('a', 0, 'b')`` as ``a[0].b``, the way the files are read."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def describe(value: Any) -> str:
    """A short, safe rendering of a value for an error message."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    text = repr(value)
    return text if len(text) <= _MAX_ECHO else text[: _MAX_ECHO - 3] + "..."


def kind_of(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "an integer" if isinstance(value, int) else "a number"
    if isinstance(value, str):
        return "a string"
    return "a list" if isinstance(value, list) else "a mapping"


def schema_diagnostics(
    error: ValidationError,
    document: YamlDocument,
    *,
    file: str,
    known_keys: Iterable[str] = (),
    prefix: Path = (),
) -> list[Diagnostic]:
    """One diagnostic per problem pydantic found in *document*.

    *prefix* is where the validated value sits in the document (for a model
    checked on a part of it); *known_keys* feed "did you mean" hints.
    """
    keys = sorted(set(known_keys))
    located = [_locate(details, document, prefix) for details in error.errors()]
    return [
        _diagnostic(details, path, document, file=file, known_keys=keys)
        for details, path in _merge_unions(located)
    ]


def _locate(
    details: ErrorDetails, document: YamlDocument, prefix: Path
) -> tuple[ErrorDetails, Path]:
    node: Any = _walk(document.data, prefix)
    path: list[str | int] = list(prefix)
    loc = list(details["loc"])
    for index, part in enumerate(loc):
        last = index == len(loc) - 1
        if _has(node, part):
            node = node[part]
        elif last and details["type"] == "missing":
            pass  # the key that is missing, named in the message
        else:
            continue  # a union member's name, not part of the document
        path.append(part)
    return details, tuple(path)


def _has(node: Any, part: str | int) -> bool:
    if isinstance(node, dict):
        return part in node
    return isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)


def _walk(data: Any, path: Path) -> Any:
    for part in path:
        data = data[part]
    return data


def _merge_unions(
    located: list[tuple[ErrorDetails, Path]],
) -> list[tuple[ErrorDetails, Path]]:
    """Report a value that fits no member of a union once, not per member."""
    # A type error above another error comes from a union whose model
    # member took the mapping: the model's own errors say more.
    parents = {path[:cut] for _, path in located for cut in range(len(path))}
    result: list[tuple[ErrorDetails, Path]] = []
    expected: dict[Path, list[str]] = {}
    for details, path in located:
        if details["type"] not in _EXPECTED:
            result.append((details, path))
        elif path not in parents:
            if path not in expected:
                expected[path] = []
                result.append((details, path))
            expected[path].append(_EXPECTED[details["type"]])
    return [
        ({**details, "msg": " or ".join(dict.fromkeys(expected[path]))}, path)
        if path in expected
        else (details, path)
        for details, path in result
    ]


def _diagnostic(
    details: ErrorDetails,
    path: Path,
    document: YamlDocument,
    *,
    file: str,
    known_keys: list[str],
) -> Diagnostic:
    kind = details["type"]
    where = document.source_map.value(path)
    if kind == "missing":
        message = f"missing required key '{details['loc'][-1]}'"
        code, where = "missing-key", document.source_map.key(path[:-1])
        path = path[:-1]
    elif kind == "extra_forbidden":
        message = _unknown_key_message(path[-1], known_keys)
        code, where = "unknown-key", document.source_map.key(path)
        path = path[:-1]
    elif kind in _EXPECTED:
        message = f"expected {details['msg']}, got {kind_of(details['input'])}"
        code = "wrong-type"
    elif kind == "literal_error":
        code, message = _literal_message(path, details)
    elif "-" in kind:
        code, message = kind, details["msg"]  # one of our own coded errors
    else:
        code, message = "invalid-value", _rephrase(details["msg"])
    if path:
        message = f"{format_path(path)}: {message}"
    return diagnostic_at(where, file=file, code=code, message=message)


def _unknown_key_message(key: str | int, known_keys: list[str]) -> str:
    message = f"unknown key '{key}'"
    close = difflib.get_close_matches(str(key), known_keys, n=1, cutoff=0.75)
    return f"{message} (did you mean '{close[0]}'?)" if close else message


def _literal_message(path: Path, details: ErrorDetails) -> tuple[str, str]:
    allowed = ", ".join(str(value) for value in _literal_values(details))
    got = describe(details["input"])
    if path == ("apiVersion",):
        return "bad-api-version", f"must be {allowed}, got {got}"
    if path == ("kind",):
        return "bad-kind", f"must be {allowed}, got {got}"
    if path and path[-1] == "type" and "fields" in path:
        return "unknown-field-type", f"unknown field type {got}; one of: {allowed}"
    if path and path[-1] == "type":
        return "unknown-action-type", f"unknown action type {got}; one of: {allowed}"
    return "invalid-value", f"{got} is not one of: {allowed}"


def _literal_values(details: ErrorDetails) -> list[Any]:
    expected = (details.get("ctx") or {}).get("expected", "")
    return [part.strip(" '") for part in str(expected).replace(" or ", ", ").split(",")]


def _rephrase(message: str) -> str:
    for prefix in ("Input should be", "Value should be", "Value must be"):
        if message.startswith(prefix):
            return "must be" + message[len(prefix) :]
    return message[:1].lower() + message[1:]
