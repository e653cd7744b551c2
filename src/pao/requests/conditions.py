"""Which form fields a request shows, given its values.

A conditional field is shown, validated and passed on only while its
condition holds. The value a condition looks at is the one the request
gives, else the field's default; a field whose dependency is hidden is
hidden too. The request schema (:mod:`pao.requests.schema`) encodes the
same rule as ``if``/``then`` so that editors and pao agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pao.catalog.models import CatalogItem, Conditional, FormField

__all__ = ["condition_holds", "json_equal", "visibility", "visible_fields"]


def json_equal(left: Any, right: Any) -> bool:
    """Equality as JSON Schema's ``const`` sees it: ``true`` is not ``1``."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(
            json_equal(value, right[key]) for key, value in left.items()
        )
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(
            json_equal(a, b) for a, b in zip(left, right, strict=True)
        )
    if isinstance(left, dict | list) or isinstance(right, dict | list):
        return False
    comparable = type(left) is type(right) or _numbers(left, right)
    return comparable and bool(left == right)


def _numbers(*values: Any) -> bool:
    return all(isinstance(value, int | float) for value in values)


def condition_holds(conditional: Conditional, value: Any) -> bool:
    """Whether *conditional* holds for its dependency's *value*."""
    expected = conditional.value
    match conditional.condition:
        case "equals":
            return json_equal(value, expected)
        case "notEquals":
            return not json_equal(value, expected)
        case "in":
            return isinstance(expected, list) and _contains(expected, value)
    return not (isinstance(expected, list) and _contains(expected, value))


def _contains(values: list[Any], value: Any) -> bool:
    return any(json_equal(value, candidate) for candidate in values)


def visibility(item: CatalogItem, fields: Mapping[str, Any]) -> dict[str, bool]:
    """Each form field's id mapped to whether the request shows it."""
    by_id = {field.id: field for field in item.fields}
    shown: dict[str, bool] = {}
    for field in item.fields:
        _resolve(field, by_id, fields, shown, visiting=set())
    return shown


def _resolve(
    field: FormField,
    by_id: dict[str, FormField],
    fields: Mapping[str, Any],
    shown: dict[str, bool],
    *,
    visiting: set[str],
) -> bool:
    if field.id in shown:
        return shown[field.id]
    conditional = field.conditional
    if conditional is None:
        shown[field.id] = True
        return True
    dependency = by_id.get(conditional.depends_on)
    if dependency is None or field.id in visiting:
        # The catalog check rejects both; a hidden field is the safe reading.
        shown[field.id] = False
        return False
    visiting.add(field.id)
    visible = _resolve(dependency, by_id, fields, shown, visiting=visiting)
    value = fields.get(dependency.id, dependency.default)
    shown[field.id] = visible and condition_holds(conditional, value)
    return shown[field.id]


def visible_fields(item: CatalogItem, fields: Mapping[str, Any]) -> dict[str, Any]:
    """The values the fulfilment sees: shown fields only, defaults filled in.

    Hidden fields are dropped even when the request gives them, and so are
    names the form does not know. A shown field the request leaves out
    gets its default, if it has one.
    """
    shown = visibility(item, fields)
    values: dict[str, Any] = {}
    for field in item.fields:
        if not shown[field.id]:
            continue
        if field.id in fields:
            values[field.id] = fields[field.id]
        elif field.default is not None:
            values[field.id] = field.default
    return values
