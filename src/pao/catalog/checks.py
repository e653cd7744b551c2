"""Checks of one catalog item beyond its schema: identity and fulfilment.

Like the form checks, they read the raw document so that they run even
when the schema check failed elsewhere in the file.
"""

from __future__ import annotations

from typing import Any

from pao.catalog import syntax
from pao.catalog.formchecks import as_dict, as_list, check_form
from pao.catalog.locate import diagnostic_at
from pao.catalog.models import CatalogItem
from pao.core.diagnostics import Diagnostic
from pao.core.yamlio import Path, YamlDocument

__all__ = ["check_item_document"]

_ACTION_LISTS = ("actions", "update", "decommission")


def check_item_document(
    document: YamlDocument,
    *,
    file: str,
    expected_id: str | None = None,
    expected_category: str | None = None,
    item: CatalogItem | None = None,
) -> list[Diagnostic]:
    """Every cross-value problem of one item file.

    *expected_id* and *expected_category* come from the file's place
    (``catalog/<category>/<item-id>.yaml``); None skips that check. *item*
    is the document's model when it validated.
    """
    models = item.fields if item is not None else None
    found = check_form(document, file=file, models=models)
    found += _check_identity(document, file, expected_id, expected_category)
    found += _check_fulfillment(document, file)
    return found


def _report(
    document: YamlDocument, file: str, path: Path, code: str, message: str
) -> Diagnostic:
    position = document.source_map.value(path)
    return diagnostic_at(position, file=file, code=code, message=message)


def _check_identity(
    document: YamlDocument,
    file: str,
    expected_id: str | None,
    expected_category: str | None,
) -> list[Diagnostic]:
    data = as_dict(document.data)
    metadata = as_dict(data.get("metadata"))
    found: list[Diagnostic] = []
    item_id, category = metadata.get("id"), metadata.get("category")
    if expected_id is not None and isinstance(item_id, str) and item_id != expected_id:
        message = f"metadata.id '{item_id}' must equal the file name '{expected_id}'"
        found.append(
            _report(document, file, ("metadata", "id"), "id-mismatch", message)
        )
    if (
        expected_category is not None
        and isinstance(category, str)
        and category != expected_category
    ):
        message = (
            f"metadata.category '{category}' must equal the folder"
            f" '{expected_category}'"
        )
        path = ("metadata", "category")
        found.append(_report(document, file, path, "category-mismatch", message))
    replacement = as_dict(data.get("lifecycle")).get("replacement")
    if isinstance(item_id, str) and replacement == item_id:
        message = "lifecycle.replacement names the item itself"
        path = ("lifecycle", "replacement")
        found.append(_report(document, file, path, "bad-replacement", message))
    return found


def _check_fulfillment(document: YamlDocument, file: str) -> list[Diagnostic]:
    fulfillment = as_dict(as_dict(document.data).get("fulfillment"))
    found: list[Diagnostic] = []
    if "fulfillment" in as_dict(document.data) and not (
        fulfillment.get("actions") or fulfillment.get("manual")
    ):
        message = "fulfillment needs actions, or a manual ticket to fall back on"
        found.append(
            _report(document, file, ("fulfillment",), "no-fulfillment", message)
        )
    for name in _ACTION_LISTS:
        seen: dict[Any, int] = {}
        for index, action in enumerate(as_list(fulfillment.get(name))):
            path: Path = ("fulfillment", name, index)
            found += _check_action(document, file, path, as_dict(action), seen)
    return found


def _check_action(
    document: YamlDocument,
    file: str,
    path: Path,
    action: dict[Any, Any],
    seen: dict[Any, int],
) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    action_id = action.get("id")
    if isinstance(action_id, str) and action_id in seen:
        message = (
            f"duplicate action id '{action_id}' (first used at line {seen[action_id]})"
        )
        found.append(
            _report(document, file, (*path, "id"), "duplicate-action-id", message)
        )
    elif isinstance(action_id, str):
        seen[action_id] = document.source_map.value((*path, "id")).line
    secret = as_dict(action.get("config")).get("secret")
    if action.get("type") == "webhook" and not _secret_or_template(secret):
        message = (
            "config.secret must be a secret reference"
            " (env:NAME, file:PATH or vault:PATH#KEY) or a {{secrets.NAME}} template"
        )
        where = (*path, "config", "secret")
        found.append(_report(document, file, where, "bad-secret-ref", message))
    return found


def _secret_or_template(value: Any) -> bool:
    if value is None:
        return True  # unsigned webhooks are allowed
    return syntax.is_secret_ref(value) or (isinstance(value, str) and "{{" in value)
