"""Lists the variable paths a template reads, for checks before rendering."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pao.templates.nodes import Call, EachBlock, Expr, IfBlock, Node, Output, Path
from pao.templates.parser import parse

__all__ = ["Reference", "references"]


@dataclass(frozen=True, slots=True)
class Reference:
    """A scope path a template reads, at a 1-based line and column.

    ``path`` is written the way the template author would write it
    (``outputs.create-db.databaseId``, ``request.user.teams[0]``); ``scope``
    and ``keys`` hold the same path split up.
    """

    path: str
    line: int
    column: int
    scope: str = field(default="", compare=False)
    keys: tuple[str | int, ...] = field(default=(), compare=False)


def references(template: str) -> list[Reference]:
    """Every scope path in *template*, in order of appearance.

    Loop variables (``this``, ``@index``…) are not scope references, but
    the subject of each ``{{#each}}`` and ``{{#if}}`` is. Raises
    :class:`~pao.templates.errors.TemplateSyntaxError` for invalid syntax.
    """
    if "{{" not in template:
        return []
    found = [
        Reference(path.text, path.line, path.column, path.root, path.keys)
        for path in _paths(parse(template).nodes)
        if path.is_scope
    ]
    return sorted(found, key=lambda ref: (ref.line, ref.column))


def _paths(nodes: tuple[Node, ...]) -> Iterator[Path]:
    for node in nodes:
        if isinstance(node, Output):
            yield from _expr_paths(node.expr)
        elif isinstance(node, IfBlock):
            for condition, body in node.branches:
                yield from _expr_paths(condition)
                yield from _paths(body)
            yield from _paths(node.otherwise)
        elif isinstance(node, EachBlock):
            yield from _expr_paths(node.subject)
            yield from _paths(node.body)
            yield from _paths(node.otherwise)


def _expr_paths(expr: Expr) -> Iterator[Path]:
    if isinstance(expr, Path):
        yield expr
    elif isinstance(expr, Call):
        for arg in expr.args:
            yield from _expr_paths(arg)
