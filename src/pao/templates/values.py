"""How template values are looked up and turned into text, JSON or data.

Values come from YAML and JSON, so they are str, int, float, bool, None,
lists and dicts, plus :class:`~pao.templates.secrets.Secret`. As text:

* strings as they are; numbers as Python writes them (``10``, ``2.5``);
* ``true`` / ``false`` for booleans; ``null`` (only reachable through
  ``default(x, null)``) as the empty string;
* lists and objects as JSON;
* secrets as :data:`~pao.templates.secrets.MASK` in a preview and as their
  value in a live render.

A missing key and a null value are the same thing: "not set".
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from pao.templates.errors import (
    TemplateLimitError,
    TemplateValueError,
    UndefinedVariableError,
    UnknownScopeError,
)
from pao.templates.limits import MAX_OUTPUT_CHARS
from pao.templates.scopes import SCOPES
from pao.templates.secrets import Secret

__all__ = [
    "MISSING",
    "check_size",
    "lookup",
    "lookup_optional",
    "make_text",
    "make_text_lookup",
    "not_set",
    "to_data",
    "to_json",
    "to_text",
    "type_name",
]


_ROOT = re.compile(r"[^.\[]+")


class _Missing:
    """The result of an optional lookup that found nothing."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Final = _Missing()


def type_name(value: Any) -> str:
    """A template author's word for the type of *value*."""
    if value is None:
        return "null"
    if isinstance(value, Secret):
        return "secret"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "list"
    return type(value).__name__


def _step(value: Any, key: str | int) -> Any:
    """One key down from *value*, or MISSING; TypeError if not a container."""
    if isinstance(value, Mapping):
        found = value.get(key, MISSING)
        if found is MISSING and isinstance(key, int):
            found = value.get(str(key), MISSING)
        return found
    if isinstance(value, list | tuple):
        if isinstance(key, str):
            if not key.isdigit():
                raise TypeError(key)
            key = int(key)
        try:
            return value[key]
        except IndexError:
            return MISSING
    raise TypeError(key)


def not_set(path: str, line: int) -> UndefinedVariableError:
    """The error for *path* having no value, pointing out unknown scopes."""
    root = _ROOT.match(path)
    name = root.group() if root else path
    if name in SCOPES or name == "this":
        return UndefinedVariableError(f"{path} is not set", line=line, path=path)
    scopes = ", ".join(s for s in SCOPES if s != "response")
    message = f"{path} is not set: {name} is not a variable scope (scopes: {scopes})"
    return UnknownScopeError(message, line=line, path=path)


def lookup(root: Any, keys: tuple[str | int, ...], path: str, line: int) -> Any:
    """The value at *keys* below *root*; raise naming *path* if not set."""
    value = root
    for key in keys:
        # Nearly every value is a plain dict: look it up without the
        # general machinery, which costs more than the rest of a render.
        if value.__class__ is dict:
            found = value.get(key, MISSING)
            if found is MISSING and key.__class__ is int:
                found = value.get(str(key), MISSING)
            value = found
        else:
            value = _checked_step(value, key, path, line)
        if value is MISSING or value is None:
            raise not_set(path, line)
    if value is None:
        raise not_set(path, line)
    return value


def make_text_lookup(*, live: bool) -> Callable[..., str]:
    """:func:`lookup` followed by :func:`to_text`, for printing a path.

    The loop is repeated here rather than calling :func:`lookup`: printing
    variables is most of the work of a render, and one call per variable
    instead of two is a tenth of the time.
    """

    def lookup_text(
        root: Any, keys: tuple[str | int, ...], path: str, line: int
    ) -> str:
        value = root
        for key in keys:
            if value.__class__ is dict:
                found = value.get(key, MISSING)
                if found is MISSING and key.__class__ is int:
                    found = value.get(str(key), MISSING)
                value = found
            else:
                value = _checked_step(value, key, path, line)
            if value is MISSING or value is None:
                raise not_set(path, line)
        if value.__class__ is str:
            return value
        if value is None:
            raise not_set(path, line)
        return to_text(value, live=live)

    return lookup_text


def make_text(*, live: bool) -> Callable[[Any], str]:
    """:func:`to_text` for one mode, with a shortcut for strings."""

    def text(value: Any) -> str:
        return value if value.__class__ is str else to_text(value, live=live)

    return text


def lookup_optional(
    root: Any, keys: tuple[str | int, ...], path: str, line: int
) -> Any:
    """Like :func:`lookup`, but MISSING instead of an error when not set."""
    value = root
    for key in keys:
        value = _checked_step(value, key, path, line)
        if value is MISSING or value is None:
            return MISSING
    return MISSING if value is None else value


def _checked_step(value: Any, key: str | int, path: str, line: int) -> Any:
    try:
        return _step(value, key)
    except TypeError:
        message = f"{path}: cannot read {key!r} from a {type_name(value)}"
        raise TemplateValueError(message, line=line, path=path) from None


def check_size(text: str, line: int | None = None) -> str:
    if len(text) > MAX_OUTPUT_CHARS:
        message = f"output is over the limit of {MAX_OUTPUT_CHARS} characters"
        raise TemplateLimitError(message, line=line)
    return text


def to_text(value: Any, *, live: bool) -> str:
    """*value* as the text a template prints for it."""
    if isinstance(value, str):
        return str.__str__(value)
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else int.__repr__(value)
    if value is None:
        return ""
    if isinstance(value, Secret):
        return value.reveal() if live else value.preview
    if isinstance(value, Mapping | list | tuple):
        return to_json(value, live=live)
    if value is MISSING:
        raise TemplateValueError("a missing value cannot be printed")
    raise TemplateValueError(f"a {type_name(value)} cannot be printed")


def to_json(value: Any, *, live: bool) -> str:
    """*value* as JSON text, secrets masked (preview) or revealed (live)."""
    try:
        text = json.dumps(
            to_data(value, live=live), ensure_ascii=False, allow_nan=False
        )
    except ValueError:
        raise TemplateValueError("NaN and infinity are not valid JSON") from None
    return check_size(text)


def to_data(value: Any, *, live: bool) -> Any:
    """A plain JSON-shaped copy of *value*, with secrets handled as text."""
    if isinstance(value, str | bool | int | float) or value is None:
        return value
    if isinstance(value, Secret):
        return value.reveal() if live else value.preview
    if isinstance(value, Mapping):
        return {_key(k): to_data(v, live=live) for k, v in value.items()}
    if isinstance(value, Sequence):
        return [to_data(item, live=live) for item in value]
    raise TemplateValueError(f"a {type_name(value)} cannot be used as data")


def _key(key: Any) -> str | int | float | bool | None:
    if isinstance(key, str | int | float | bool) or key is None:
        return key
    raise TemplateValueError(f"a {type_name(key)} cannot be an object key")
