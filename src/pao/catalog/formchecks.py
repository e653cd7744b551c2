"""Checks of a catalog item's form that span more than one value.

They read the raw document rather than the model, so they still run when
another part of the file is broken: a catalog author sees every problem of
a file at once. Wrong shapes are skipped here because the schema check has
already reported them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, TypeGuard

from pydantic import ValidationError

from pao.catalog.fieldschema import value_problems
from pao.catalog.locate import describe, diagnostic_at
from pao.catalog.models import FormField
from pao.core.diagnostics import Diagnostic, Severity
from pao.core.yamlio import Path, YamlDocument

__all__ = ["check_form", "iter_fields"]

_SELECTS = ("select", "multiselect")
# Which validation keys mean something for which field types.
_APPLIES = {
    "pattern": ("string", "textarea"),
    "message": ("string", "textarea"),
    "min": ("number",),
    "max": ("number",),
    "step": ("number",),
    "minLength": ("string", "textarea", "multiselect"),
    "maxLength": ("string", "textarea", "multiselect"),
}
_RANGES = (("min", "max"), ("minLength", "maxLength"))


def as_dict(value: Any) -> dict[Any, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def iter_fields(data: Any) -> Iterator[tuple[Path, dict[Any, Any]]]:
    """Each field mapping of the form with its path, in form order."""
    form = as_dict(as_dict(as_dict(data).get("presentation")).get("form"))
    for g, group in enumerate(as_list(form.get("groups"))):
        for f, field in enumerate(as_list(as_dict(group).get("fields"))):
            if isinstance(field, dict):
                yield ("presentation", "form", "groups", g, "fields", f), field


class _FormChecker:
    """Collects the diagnostics of one form."""

    def __init__(self, document: YamlDocument, file: str) -> None:
        self.document = document
        self.file = file
        self.found: list[Diagnostic] = []

    def report(
        self,
        path: Path,
        code: str,
        message: str,
        *,
        key: bool = False,
        severity: Severity = Severity.ERROR,
    ) -> None:
        source_map = self.document.source_map
        position = source_map.key(path) if key else source_map.value(path)
        self.found.append(
            diagnostic_at(
                position, file=self.file, code=code, message=message, severity=severity
            )
        )


def check_form(
    document: YamlDocument, *, file: str, models: list[FormField] | None = None
) -> list[Diagnostic]:
    """Duplicate ids, options, validation rules, defaults and conditions.

    *models* are the form's fields when the whole item validated (in form
    order); without them each field is validated on its own.
    """
    checker = _FormChecker(document, file)
    fields = list(iter_fields(document.data))
    _check_group_ids(checker)
    _check_field_ids(checker, fields)
    for index, (path, field) in enumerate(fields):
        _check_options(checker, path, field)
        _check_validation(checker, path, field)
        model = models[index] if models is not None else _field_model(field)
        if model is not None and model.default is not None:
            for problem in value_problems(model, model.default):
                message = f"default {problem}"
                checker.report((*path, "default"), "bad-default", message)
    _check_conditions(checker, fields)
    return checker.found


def _check_group_ids(checker: _FormChecker) -> None:
    form = as_dict(
        as_dict(as_dict(checker.document.data).get("presentation")).get("form")
    )
    seen: dict[Any, Path] = {}
    for index, group in enumerate(as_list(form.get("groups"))):
        path = ("presentation", "form", "groups", index, "id")
        _check_unique(checker, seen, as_dict(group).get("id"), path, "group")


def _check_field_ids(
    checker: _FormChecker, fields: list[tuple[Path, dict[Any, Any]]]
) -> None:
    seen: dict[Any, Path] = {}
    for path, field in fields:
        _check_unique(checker, seen, field.get("id"), (*path, "id"), "field")


def _check_unique(
    checker: _FormChecker, seen: dict[Any, Path], value: Any, path: Path, what: str
) -> None:
    if not isinstance(value, str):
        return
    if value in seen:
        first = checker.document.source_map.value(seen[value]).line
        message = f"duplicate {what} id '{value}' (first used at line {first})"
        checker.report(path, f"duplicate-{what}-id", message)
    else:
        seen[value] = path


def _check_options(checker: _FormChecker, path: Path, field: dict[Any, Any]) -> None:
    kind, options = field.get("type"), field.get("options")
    if kind in _SELECTS and not options:
        where = (*path, "options") if "options" in field else (*path, "type")
        message = f"a {kind} field needs at least one option"
        checker.report(where, "missing-options", message)
    elif kind not in _SELECTS and options and isinstance(kind, str):
        message = f"options have no effect on a {kind} field"
        checker.report(
            (*path, "options"),
            "unused-options",
            message,
            key=True,
            severity=Severity.WARNING,
        )
    seen: set[Any] = set()
    for index, option in enumerate(as_list(options)):
        value = option.get("value") if isinstance(option, dict) else option
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            if value in seen:
                message = f"option {describe(value)} is listed twice"
                checker.report((*path, "options", index), "duplicate-option", message)
            seen.add(value)


def _check_validation(checker: _FormChecker, path: Path, field: dict[Any, Any]) -> None:
    kind, rules = field.get("type"), as_dict(field.get("validation"))
    for key in rules:
        applies = _APPLIES.get(key)
        if applies is not None and isinstance(kind, str) and kind not in applies:
            message = f"validation.{key} has no effect on a {kind} field"
            checker.report(
                (*path, "validation", key),
                "unused-validation",
                message,
                key=True,
                severity=Severity.WARNING,
            )
    for low, high in _RANGES:
        bottom, top = rules.get(low), rules.get(high)
        if _number(bottom) and _number(top) and bottom > top:
            message = f"validation.{low} ({bottom}) is greater than {high} ({top})"
            checker.report((*path, "validation", low), "invalid-range", message)


def _number(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _field_model(field: dict[Any, Any]) -> FormField | None:
    if field.get("default") is None:
        return None
    try:
        return FormField.model_validate(field)
    except ValidationError:
        return None  # the schema check reports what is wrong with the field


def _check_conditions(
    checker: _FormChecker, fields: list[tuple[Path, dict[Any, Any]]]
) -> None:
    ids = {field.get("id") for _, field in fields if isinstance(field.get("id"), str)}
    depends: dict[str, tuple[str, Path]] = {}
    for path, field in fields:
        conditional = field.get("conditional")
        if not isinstance(conditional, dict):
            continue
        where = (*path, "conditional")
        target = conditional.get("dependsOn")
        if isinstance(target, str) and target not in ids:
            message = f"conditional.dependsOn names no field of this form: '{target}'"
            checker.report((*where, "dependsOn"), "unknown-dependency", message)
        elif isinstance(target, str) and isinstance(field.get("id"), str):
            depends[field["id"]] = (target, (*where, "dependsOn"))
        condition = conditional.get("condition", "equals")
        if condition in ("in", "notIn") and not isinstance(
            conditional.get("value"), list
        ):
            message = f"conditional.value must be a list for condition {condition}"
            checker.report((*where, "value"), "bad-condition", message)
    _check_cycles(checker, depends)


def _check_cycles(checker: _FormChecker, depends: dict[str, tuple[str, Path]]) -> None:
    reported: set[str] = set()
    for start in depends:
        chain, current = [start], depends[start][0]
        while current in depends and current not in chain:
            chain.append(current)
            current = depends[current][0]
        if current != start or reported & set(chain):
            continue
        reported.update(chain)
        loop = " -> ".join([*chain, start])
        message = f"conditional dependencies form a cycle: {loop}"
        checker.report(depends[start][1], "dependency-cycle", message)
