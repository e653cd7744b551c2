"""Writes a parsed template as Jinja source for the sandboxed engine.

The generated source never contains an attribute access, a call, or a name
taken from the template: variables are read by the ``_p``/``_q``/``_pt``
filters from the ``_v`` mapping (the render context), loop variables get
generated names, and functions are the ``f_*`` filters. Every printed
value goes through ``_pt`` or ``_t``, which make text of it for the
render's mode (secrets masked or revealed). Literal text is copied, except
that a ``{`` that could start a Jinja tag and every carriage return (which
Jinja would normalise) are written as string constants, which Jinja folds
back into the text at compile time. Whatever the template text says, Jinja
sees only these constructs, so raw engine statements cannot be expressed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pao.templates.nodes import (
    Call,
    EachBlock,
    Expr,
    IfBlock,
    Literal,
    Node,
    Output,
    Path,
    Template,
    Text,
)
from pao.templates.values import to_text

__all__ = ["to_jinja"]

_JINJA_SPECIAL = re.compile(r"\{(?=[{%#]|\Z)|\r")
_SPECIAL_AS_CONSTANT = {"{": "{{ '{' }}", "\r": "{{ '\\r' }}"}


def to_jinja(template: Template) -> str:
    """The Jinja source for *template*."""
    out: list[str] = []
    _nodes(template.nodes, out)
    return "".join(out)


def _nodes(nodes: tuple[Node, ...], out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, Text):
            out.append(_JINJA_SPECIAL.sub(_escape_special, node.value))
        elif isinstance(node, Output):
            out.append(_output(node.expr))
        elif isinstance(node, IfBlock):
            _if_block(node, out)
        else:
            _each_block(node, out)


def _output(expr: Expr) -> str:
    """Print *expr*: every printed value goes through _pt or _t (text in
    the render's mode), except what is text already at compile time."""
    if isinstance(expr, Literal):
        return _JINJA_SPECIAL.sub(_escape_special, to_text(expr.value, live=False))
    if isinstance(expr, Path) and (expr.is_scope or expr.root == "this"):
        return "{{ " + _path(expr, optional=False, lookup="_pt") + " }}"
    if isinstance(expr, Path) and expr.root == "@index":
        return "{{ " + _path(expr, optional=False) + " }}"  # an int: str() will do
    return "{{ " + _expr(expr) + "|_t }}"


def _escape_special(match: re.Match[str]) -> str:
    return _SPECIAL_AS_CONSTANT[match.group()]


def _if_block(node: IfBlock, out: list[str]) -> None:
    keyword = "if"
    for condition, body in node.branches:
        out.append(f"{{% {keyword} {_expr(condition, optional=True)} %}}")
        _nodes(body, out)
        keyword = "elif"
    if node.otherwise:
        out.append("{% else %}")
        _nodes(node.otherwise, out)
    out.append("{% endif %}")


def _each_block(node: EachBlock, out: list[str]) -> None:
    d = node.depth
    subject = _expr(node.subject)
    what = node.subject.text if isinstance(node.subject, Path) else "value"
    targets = f"i{d}, k{d}, t{d}, l{d}"
    each = f"_each(_s, {_literal(what)}, {node.line})"
    out.append(f"{{% for {targets} in {subject}|{each} %}}")
    _nodes(node.body, out)
    if node.otherwise:
        out.append("{% else %}")
        _nodes(node.otherwise, out)
    out.append("{% endfor %}")


def _expr(expr: Expr, *, optional: bool = False) -> str:
    if isinstance(expr, Path):
        return _path(expr, optional=optional)
    if isinstance(expr, Literal):
        return _literal(expr.value)
    return _call(expr)


def _path(path: Path, *, optional: bool, lookup: str = "_p") -> str:
    d = path.depth
    loop_names = {
        "@index": f"i{d}",
        "@key": f"k{d}",
        "@last": f"l{d}",
        "@first": f"(i{d} == 0)",
    }
    if path.root in loop_names:
        return loop_names[path.root]
    if path.root == "this":
        subject, keys = f"t{d}", path.keys
    else:
        # Any other name is looked up in the context. Catalog checks refuse
        # names that are no scope; at render time such a name is simply not
        # set (so ``default`` applies), and nothing else can be reached.
        subject, keys = "_v", (path.root, *path.keys)
    if optional:
        lookup = "_q"
    return f"{subject}|{lookup}({_tuple(keys)}, {_literal(path.text)}, {path.line})"


def _call(call: Call) -> str:
    if not call.args:
        return f"_s|f_{call.name}({call.line})"
    first, *rest = call.args
    subject = _expr(first, optional=call.name == "default")
    args = "".join(f", {_expr(arg)}" for arg in rest)
    return f"{subject}|f_{call.name}({call.line}{args})"


def _tuple(items: tuple[str | int, ...]) -> str:
    if not items:
        return "()"
    return "(" + "".join(f"{_literal(item)}, " for item in items) + ")"


def _literal(value: Any) -> str:
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"({value})"
    if isinstance(value, float):
        return f"({value!r})"
    # A JSON string is a valid Jinja string literal: Jinja decodes the same
    # backslash escapes, and ensure_ascii=False keeps astral characters
    # whole instead of splitting them into surrogate pairs.
    return json.dumps(value, ensure_ascii=False)
