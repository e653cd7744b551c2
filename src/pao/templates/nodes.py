"""The parsed form of a template: text, outputs, blocks and expressions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = [
    "LOOP_VARIABLES",
    "Call",
    "EachBlock",
    "Expr",
    "IfBlock",
    "Literal",
    "Node",
    "Output",
    "Path",
    "Template",
    "Text",
    "format_path",
]

# Names that stand for the current item of the innermost {{#each}}.
LOOP_VARIABLES = frozenset({"this", "@index", "@key", "@first", "@last"})

_PLAIN_SEGMENT = re.compile(r"[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*\Z")


def format_path(root: str, keys: tuple[str | int, ...]) -> str:
    """Write a path the way a template author would: ``a.b[0]['c d']``."""
    parts = [root]
    for key in keys:
        if isinstance(key, int):
            parts.append(f"[{key}]")
        elif _PLAIN_SEGMENT.match(key):
            parts.append(f".{key}")
        else:
            parts.append(f"[{key!r}]")
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class Path:
    """A variable path: a scope (or loop variable) and the keys below it."""

    root: str
    keys: tuple[str | int, ...]
    line: int
    column: int
    # How many {{#each}} blocks enclose the path; picks the loop variable.
    depth: int = 0

    @property
    def text(self) -> str:
        return format_path(self.root, self.keys)

    @property
    def is_scope(self) -> bool:
        return self.root not in LOOP_VARIABLES


@dataclass(frozen=True, slots=True)
class Literal:
    """A string, number, boolean or null written in the template."""

    value: Any


@dataclass(frozen=True, slots=True)
class Call:
    """A function call; the filter form ``x | f(a)`` is parsed as ``f(x, a)``."""

    name: str
    args: tuple[Expr, ...]
    line: int
    column: int


Expr = Path | Literal | Call


@dataclass(frozen=True, slots=True)
class Text:
    """Literal text, reproduced exactly."""

    value: str


@dataclass(frozen=True, slots=True)
class Output:
    """``{{expr}}``: the expression's value as text."""

    expr: Expr
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class IfBlock:
    """``{{#if}}`` with any ``{{else if}}`` branches and an ``{{else}}``."""

    branches: tuple[tuple[Expr, tuple[Node, ...]], ...]
    otherwise: tuple[Node, ...]
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class EachBlock:
    """``{{#each}}``: the body once per item, ``{{else}}`` when empty."""

    subject: Expr
    body: tuple[Node, ...]
    otherwise: tuple[Node, ...]
    # 1 for an outermost loop; the body's paths see this as their depth.
    depth: int
    line: int
    column: int


Node = Text | Output | IfBlock | EachBlock


@dataclass(frozen=True, slots=True)
class Template:
    """A parsed template."""

    source: str
    nodes: tuple[Node, ...]
