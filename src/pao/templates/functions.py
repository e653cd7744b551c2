"""The functions a template may call, for preview and for live renders.

Each function is installed in the Jinja environment as a filter named
``f_<name>`` taking ``(first_argument, template_line, *other_arguments)``;
zero-argument functions receive the render state as their first argument.

Secrets stay secrets through a function: in a live render a result computed
from a secret is itself a :class:`Secret` (already resolved, and remembered
for :func:`~pao.templates.secrets.mask`); in a preview a transformation of a
secret (``upper``, ``base64``…) is masked whole, and ``concat``, ``join`` and
``json`` show the mask in place of each secret part.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from pao.templates.errors import TemplateError, TemplateLimitError, TemplateValueError
from pao.templates.limits import MAX_OUTPUT_CHARS
from pao.templates.secrets import Secret, find_secrets
from pao.templates.values import MISSING, check_size, to_json, to_text, type_name

__all__ = ["make_functions", "utc_timestamp"]

Function = Callable[..., Any]


def utc_timestamp(now: datetime | None = None) -> str:
    """ISO 8601 in UTC with a Z, to the second: ``2025-01-31T09:30:00Z``."""
    moment = now or datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_functions(*, live: bool) -> dict[str, Function]:
    """The filter table for one render mode."""
    return _Functions(live=live).table()


class _Functions:
    def __init__(self, *, live: bool) -> None:
        self.live = live

    def table(self) -> dict[str, Function]:
        names = ("upper", "lower", "concat", "replace", "json", "base64")
        table = {f"f_{name}": _located(getattr(self, name)) for name in names}
        table["f_join"] = _located(self.join)
        table["f_default"] = self.default
        table["f_uuid"] = self.uuid
        table["f_timestamp"] = self.timestamp
        return table

    def _text(self, value: Any) -> str:
        return to_text(value, live=self.live)

    def _transform(self, value: Any, change: Callable[[str], str]) -> Any:
        if isinstance(value, Secret):
            if self.live:
                return value.derive(check_size(change(value.reveal())))
            return value.masked()
        return check_size(change(self._text(value)))

    def _combine(self, parts: list[Any], text: str) -> Any:
        check_size(text)
        secrets = _secrets_in(parts)
        if not secrets:
            return text
        if self.live:
            return secrets[0].derive(text, *secrets[1:])
        # Still a secret in a preview, so that base64(concat(…)) stays masked.
        return secrets[0].masked(preview=text)

    def upper(self, value: Any) -> Any:
        return self._transform(value, str.upper)

    def lower(self, value: Any) -> Any:
        return self._transform(value, str.lower)

    def base64(self, value: Any) -> Any:
        def encode(text: str) -> str:
            return base64.b64encode(text.encode("utf-8")).decode("ascii")

        return self._transform(value, encode)

    def replace(self, value: Any, old: Any, new: Any) -> Any:
        old_text, new_text = self._text(old), self._text(new)

        def substitute(text: str) -> str:
            count = len(text) + 1 if not old_text else text.count(old_text)
            if len(text) + count * (len(new_text) - len(old_text)) > MAX_OUTPUT_CHARS:
                message = f"replace() result is over {MAX_OUTPUT_CHARS} characters"
                raise TemplateLimitError(message)
            return text.replace(old_text, new_text)

        return self._transform(value, substitute)

    def concat(self, *parts: Any) -> Any:
        _check_parts_size(parts)
        return self._combine(list(parts), "".join(self._text(p) for p in parts))

    def join(self, items: Any, separator: Any = ",") -> Any:
        if not isinstance(items, list | tuple):
            message = f"join() needs a list, got a {type_name(items)}"
            raise TemplateValueError(message)
        _check_parts_size(items)
        text = self._text(separator).join(self._text(item) for item in items)
        return self._combine([items, separator], text)

    def json(self, value: Any) -> Any:
        return self._combine([value], to_json(value, live=self.live))

    @staticmethod
    def default(value: Any, line: int, fallback: Any = "") -> Any:
        return fallback if value is MISSING or value is None else value

    @staticmethod
    def uuid(state: object, line: int) -> str:
        return str(uuid.uuid4())

    @staticmethod
    def timestamp(state: object, line: int) -> str:
        return utc_timestamp()


def _secrets_in(parts: list[Any]) -> list[Secret]:
    # Most parts are plain strings; skip the general walk for those.
    found: list[Secret] = []
    for part in parts:
        if part.__class__ is list:
            found += _secrets_in(part)
        elif part.__class__ is not str:
            found += find_secrets(part)
    return found


def _check_parts_size(parts: Any) -> None:
    # Catch a huge concatenation before building it.
    size = sum(len(p) for p in parts if isinstance(p, str))
    if size > MAX_OUTPUT_CHARS:
        raise TemplateLimitError(f"result is over {MAX_OUTPUT_CHARS} characters")


def _located(function: Function) -> Function:
    """Adapt ``f(first, *rest)`` to the filter calling convention.

    The line is put on any error the function raises.
    """

    def call(first: Any, line: int, *rest: Any) -> Any:
        try:
            return function(first, *rest)
        except TemplateError as exc:
            exc.line = exc.line or line
            raise

    call.__name__ = function.__name__
    return call
