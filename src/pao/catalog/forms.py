"""The form response: what a UI needs to draw an item's request form.

The API's item form endpoint and ``pao form`` return it as JSON. Field
types map to UI components (``string`` → ``text-input`` …) and options
are always ``{value, label}`` objects, whatever shape the item used.
"""

from __future__ import annotations

from typing import Any

from pao.catalog.models import COMPONENTS, CatalogItem, FormField, FormGroup

__all__ = ["VALIDATE_REQUEST_ENDPOINT", "build_form"]

VALIDATE_REQUEST_ENDPOINT = "/api/v1/validate/request"

_SELECTS = ("select", "multiselect")
_RULES = ("pattern", "min", "max", "step", "min_length", "max_length")
_ALIASES = {"min_length": "minLength", "max_length": "maxLength"}


def build_form(item: CatalogItem) -> dict[str, Any]:
    """The JSON-ready form of *item*."""
    metadata = item.metadata
    return {
        "item_id": metadata.id,
        "name": metadata.name,
        "description": metadata.description,
        "version": metadata.version,
        "groups": [_group(group) for group in item.presentation.form.groups],
        "validation": {"endpoint": VALIDATE_REQUEST_ENDPOINT},
    }


def _group(group: FormGroup) -> dict[str, Any]:
    return {
        "id": group.id,
        "name": group.name,
        "description": group.description,
        "fields": [_field(field) for field in group.fields],
    }


def _field(field: FormField) -> dict[str, Any]:
    options = field.normalized_options if field.type in _SELECTS else []
    return {
        "id": field.id,
        "name": field.name,
        "type": field.type,
        "component": COMPONENTS[field.type],
        "required": field.required,
        "description": field.description,
        "default": field.default,
        "placeholder": field.placeholder,
        "options": [{"value": o.value, "label": o.text} for o in options],
        "validation": _validation(field),
        "conditional": _conditional(field),
    }


def _validation(field: FormField) -> dict[str, Any]:
    rules = field.validation
    if rules is None:
        return {"message": None}
    found = {
        _ALIASES.get(name, name): getattr(rules, name)
        for name in _RULES
        if getattr(rules, name) is not None
    }
    return {**found, "message": rules.message}


def _conditional(field: FormField) -> dict[str, Any] | None:
    conditional = field.conditional
    if conditional is None:
        return None
    return {
        "dependsOn": conditional.depends_on,
        "condition": conditional.condition,
        "value": conditional.value,
    }
