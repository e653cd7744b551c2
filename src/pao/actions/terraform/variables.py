"""Setting a workspace's variables from a ``terraform`` action's config.

A variable is matched by key and category: an existing one is updated, a
missing one created. Values are strings on the API: strings go as they
are, booleans as ``true``/``false``, lists and objects as JSON (which HCL
reads as its own syntax), other values as their text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import JsonValue

from pao.actions.configs import ConfigModel
from pao.actions.context import ActionContext
from pao.actions.errors import PermanentActionError
from pao.actions.terraform.client import TerraformClient, Workspace

__all__ = ["TerraformVariable", "encode_value", "sync_variables"]


class TerraformVariable(ConfigModel):
    """One entry of a ``terraform`` config's ``variables``."""

    value: JsonValue
    sensitive: bool = False
    hcl: bool = False
    category: Literal["terraform", "env"] = "terraform"
    description: str | None = None


def encode_value(value: JsonValue, *, hcl: bool) -> str:
    """*value* as the string the variables API stores."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null" if hcl else ""
    if hcl or isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def sync_variables(
    client: TerraformClient,
    workspace: Workspace,
    variables: Mapping[str, TerraformVariable],
    *,
    ctx: ActionContext,
) -> None:
    """Create or update each of *variables* in *workspace*."""
    if not variables:
        return
    existing = {
        (attributes.get("key"), attributes.get("category")): var
        for var in client.variables(workspace, ctx=ctx)
        if (attributes := var.get("attributes") or {})
    }
    for key, variable in variables.items():
        attributes = _attributes(key, variable)
        current = existing.get((key, variable.category))
        if current is None:
            current = _create_or_find(client, workspace, attributes, ctx=ctx)
            if current is None:
                continue
        if (current.get("attributes") or {}).get("sensitive"):
            # A sensitive variable cannot be made plain again; leaving the
            # flag out keeps it sensitive instead of failing the action.
            attributes.pop("sensitive", None)
        client.update_variable(workspace, str(current["id"]), attributes, ctx=ctx)


def _create_or_find(
    client: TerraformClient,
    workspace: Workspace,
    attributes: dict[str, Any],
    *,
    ctx: ActionContext,
) -> dict[str, Any] | None:
    """Create the variable; None when created, or the variable another
    writer created since the list was read (the API answers 422)."""
    try:
        client.create_variable(workspace, attributes, ctx=ctx)
    except PermanentActionError as exc:
        if exc.status != 422:
            raise
        wanted = (attributes["key"], attributes["category"])
        for var in client.variables(workspace, ctx=ctx):
            found = var.get("attributes") or {}
            if (found.get("key"), found.get("category")) == wanted:
                return var
        raise
    return None


def _attributes(key: str, variable: TerraformVariable) -> dict[str, Any]:
    attributes: dict[str, Any] = {
        "key": key,
        "value": encode_value(variable.value, hcl=variable.hcl),
        "category": variable.category,
        "hcl": variable.hcl,
        "sensitive": variable.sensitive,
    }
    if variable.description is not None:
        attributes["description"] = variable.description
    return attributes


def sensitive_values(variables: Mapping[str, TerraformVariable]) -> list[str]:
    """The values of the sensitive variables, for masking."""
    return [encode_value(v.value, hcl=v.hcl) for v in variables.values() if v.sensitive]
