"""Creating and updating workspace variables, with HCP Terraform's checks."""

from __future__ import annotations

from typing import Any

from pao.standins.terraform_model import TfVariable, TfWorkspace, new_id
from pao.standins.terraform_render import JsonApiResponse

__all__ = ["create_var", "update_var"]

_CATEGORIES = {"terraform", "env"}


def _invalid(detail: str, attribute: str) -> JsonApiResponse:
    error = {
        "status": "422",
        "title": "invalid attribute",
        "detail": detail,
        "source": {"pointer": f"/data/attributes/{attribute}"},
    }
    return JsonApiResponse({"errors": [error]}, status_code=422)


def _check(
    workspace: TfWorkspace, attributes: dict[str, Any], current: TfVariable | None
) -> JsonApiResponse | None:
    key = attributes.get("key", current.key if current else None)
    category = attributes.get("category", current.category if current else None)
    if not isinstance(key, str) or not key:
        return _invalid("Key can't be blank", "key")
    if category not in _CATEGORIES:
        return _invalid("Category is not included in the list", "category")
    if "value" in attributes and not isinstance(attributes["value"], str):
        return _invalid("Value must be a string", "value")
    taken = any(
        var.key == key and var.category == category and var is not current
        for var in workspace.vars.values()
    )
    if taken:
        return _invalid("Key has already been taken", "key")
    if (
        current is not None
        and current.sensitive
        and attributes.get("sensitive") is False
    ):
        return _invalid("Sensitive variables cannot be made non-sensitive", "sensitive")
    return None


def create_var(
    workspace: TfWorkspace, data: dict[str, Any]
) -> TfVariable | JsonApiResponse:
    """Add the variable described by a ``vars`` resource object."""
    attributes = data.get("attributes") or {}
    problem = _check(workspace, attributes, None)
    if problem is not None:
        return problem
    var = TfVariable(
        id=new_id("var"),
        key=attributes["key"],
        value=attributes.get("value", ""),
        category=attributes["category"],
        hcl=bool(attributes.get("hcl", False)),
        sensitive=bool(attributes.get("sensitive", False)),
        description=str(attributes.get("description") or ""),
    )
    workspace.vars[var.id] = var
    return var


def update_var(
    workspace: TfWorkspace, var: TfVariable, data: dict[str, Any]
) -> TfVariable | JsonApiResponse:
    """Change the attributes a PATCH names; the others stay."""
    attributes = data.get("attributes") or {}
    problem = _check(workspace, attributes, var)
    if problem is not None:
        return problem
    var.key = attributes.get("key", var.key)
    var.value = attributes.get("value", var.value)
    var.category = attributes.get("category", var.category)
    var.hcl = bool(attributes.get("hcl", var.hcl))
    var.sensitive = bool(attributes.get("sensitive", var.sensitive))
    var.description = str(attributes.get("description", var.description) or "")
    var.version_id = new_id("ver")
    return var
