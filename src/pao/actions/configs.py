"""Checking action configs against their pydantic models.

Each action type describes its config as a :class:`ConfigModel`. At run
time the rendered config is parsed strictly (:func:`parse_config`); when a
catalog item is validated, the unrendered config is checked with templates
given the benefit of the doubt (:func:`check_config`). Messages name the
config key and never quote a value, which may be a secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError
from pydantic_core import ErrorDetails

from pao.actions.errors import InvalidActionConfig
from pao.actions.executor import ConfigPath, ConfigProblem

__all__ = [
    "ConfigModel",
    "check_config",
    "format_path",
    "parse_config",
    "require_http_url",
]

M = TypeVar("M", bound="ConfigModel")

_TEMPLATE_MARK = "{{"


class ConfigModel(BaseModel):
    """Base of action config models: unknown keys are errors."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        coerce_numbers_to_str=True,
        populate_by_name=False,
    )


def parse_config(model: type[M], type_name: str, config: Mapping[str, Any]) -> M:
    """*config* as a *model*; raises :class:`InvalidActionConfig`."""
    try:
        return model.model_validate(config)
    except ValidationError as exc:
        problems = _problems(exc, config, allow_templates=False)
        listed = "; ".join(f"{format_path(p)}: {m}" for p, m in problems)
        message = f"{type_name} config is invalid: {listed}"
        raise InvalidActionConfig(message) from None


def check_config(model: type[ConfigModel], config: Any) -> list[ConfigProblem]:
    """Problems in unrendered *config*, accepting templates for any value."""
    if not isinstance(config, Mapping):
        return [((), "config must be a mapping")]
    try:
        model.model_validate(config)
    except ValidationError as exc:
        return _problems(exc, config, allow_templates=True)
    return []


def require_http_url(value: str) -> str:
    """*value* if it is an absolute http(s) URL; raises ValueError."""
    scheme, _, rest = value.partition("://")
    if scheme.lower() not in ("http", "https") or not rest.strip("/"):
        raise ValueError("must be an absolute http:// or https:// URL")
    return value


def format_path(path: ConfigPath) -> str:
    """``("auth", "token")`` as ``auth.token``; list indexes in brackets."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else f".{part}"
    return text.lstrip(".") or "config"


def _problems(
    exc: ValidationError,
    config: Mapping[str, Any],
    *,
    allow_templates: bool,
) -> list[ConfigProblem]:
    problems: list[ConfigProblem] = []
    for error in exc.errors(include_url=False, include_input=True):
        if allow_templates and _is_template(error.get("input")):
            continue
        problem = (_data_path(config, error["loc"]), _describe(error))
        if problem not in problems:
            problems.append(problem)
    return problems


def _is_template(value: object) -> bool:
    return isinstance(value, str) and _TEMPLATE_MARK in value


def _data_path(config: Mapping[str, Any], loc: tuple[int | str, ...]) -> ConfigPath:
    # pydantic puts the tag of a discriminated union (auth's ``type``) into
    # the location; walking the data drops it, so paths match the YAML.
    path: list[str | int] = []
    node: Any = config
    for part in loc:
        if isinstance(node, Mapping) and part not in node and node.get("type") == part:
            continue
        path.append(part)
        node = _child(node, part)
    return tuple(path)


def _child(node: Any, part: str | int) -> Any:
    if isinstance(node, Mapping):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and part < len(node):
        return node[part]
    return None


def _describe(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "missing":
        return "required key is missing"
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "union_tag_invalid":
        expected = error.get("ctx", {}).get("expected_tags", "")
        return f"type must be one of {expected}"
    if kind == "union_tag_not_found":
        return "type is missing"
    message = error["msg"]
    # Custom validators say "Value error, <message>"; keep the message.
    return message.removeprefix("Value error, ")
