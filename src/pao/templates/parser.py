"""Parses template text into :mod:`pao.templates.nodes`.

Grammar of what goes between ``{{`` and ``}}``::

    tag     := "#if" expr | "#each" expr | "else" | "else if" expr
             | "/if" | "/each" | expr
    expr    := primary ("|" NAME ["(" args ")"])*
    primary := STRING | NUMBER | "true" | "false" | "null"
             | NAME "(" [args] ")"          function call
             | path | "(" expr ")"
    path    := (NAME | "this" | "@index" | "@key" | "@first" | "@last")
               ("." SEGMENT | "[" (INTEGER | STRING) "]")*
    args    := expr ("," expr)*

A filter ``x | f(a)`` is the call ``f(x, a)``. Only the functions of
:data:`FUNCTION_ARITY` exist; anything else is a syntax error, which is how
``range``, ``lipsum`` and friends are kept out.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from pao.templates.errors import TemplateLimitError, TemplateSyntaxError
from pao.templates.lexer import TagChunk, TextChunk, Token, split
from pao.templates.limits import MAX_NESTING, MAX_TEMPLATE_CHARS
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

__all__ = ["FUNCTION_ARITY", "parse"]

# name -> (fewest, most) arguments, counting a filter's subject.
FUNCTION_ARITY: dict[str, tuple[int, int]] = {
    "upper": (1, 1),
    "lower": (1, 1),
    "concat": (1, 64),
    "replace": (3, 3),
    "json": (1, 1),
    "base64": (1, 1),
    "uuid": (0, 0),
    "timestamp": (0, 0),
    "join": (1, 2),
    "default": (1, 2),
}
_LITERALS = {"true": True, "false": False, "null": None}
_AT_VARIABLES = frozenset({"@index", "@key", "@first", "@last"})


def parse(source: str) -> Template:
    """Parse *source*, raising :class:`TemplateSyntaxError` with a position."""
    if len(source) > MAX_TEMPLATE_CHARS:
        message = f"template is {len(source)} characters, over {MAX_TEMPLATE_CHARS}"
        raise TemplateLimitError(message, line=1, column=1)
    parser = _BlockParser(split(source))
    nodes, closing = parser.body(depth=0, loops=0)
    if closing is not None:
        message = f"{{{{{_describe(closing)}}}}} without an open block"
        raise _error(message, closing.chunk)
    return Template(source, tuple(nodes))


def _error(message: str, where: Token | TagChunk) -> TemplateSyntaxError:
    return TemplateSyntaxError(message, line=where.line, column=where.column)


def _describe(tag: _Tag) -> str:
    return " ".join(str(token.value) for token in tag.head)


@dataclass(slots=True)
class _Tag:
    """A tag split into its keyword tokens and its expression tokens."""

    kind: str  # output, if, each, else, elseif, /if, /each
    chunk: TagChunk
    head: tuple[Token, ...]
    expr: tuple[Token, ...] = field(default=())

    @property
    def line(self) -> int:
        return self.chunk.line

    @property
    def column(self) -> int:
        return self.chunk.column


def _classify(chunk: TagChunk) -> _Tag:
    tokens = chunk.tokens
    if not tokens:
        raise _error("empty tag", chunk)
    first = tokens[0]
    if first.kind == "punct" and first.value in ("#", "/"):
        if len(tokens) < 2 or tokens[1].value not in ("if", "each"):
            raise _error(f"expected 'if' or 'each' after {first.value!r}", chunk)
        kind = f"{first.value}{tokens[1].value}"
        return _Tag(kind.lstrip("#"), chunk, tokens[:2], tokens[2:])
    if first.kind == "name" and first.value == "else":
        if len(tokens) > 1 and tokens[1].value == "if":
            return _Tag("elseif", chunk, tokens[:2], tokens[2:])
        return _Tag("else", chunk, tokens[:1], tokens[1:])
    return _Tag("output", chunk, (), tokens)


class _BlockParser:
    """Builds the node tree from chunks, one block level per call.

    *depth* counts every enclosing block (bounded by MAX_NESTING); *loops*
    counts the enclosing {{#each}} blocks, which decides what ``this`` is.
    """

    def __init__(self, chunks: Iterator[TextChunk | TagChunk]) -> None:
        self._chunks = chunks

    def body(self, *, depth: int, loops: int) -> tuple[list[Node], _Tag | None]:
        """Nodes up to the next else/closing tag (returned) or the end."""
        nodes: list[Node] = []
        for chunk in self._chunks:
            if isinstance(chunk, TextChunk):
                nodes.append(Text(chunk.value))
                continue
            tag = _classify(chunk)
            if tag.kind in ("else", "elseif", "/if", "/each"):
                return nodes, tag
            nodes.append(self._node(tag, depth=depth, loops=loops))
        return nodes, None

    def _node(self, tag: _Tag, *, depth: int, loops: int) -> Node:
        if tag.kind == "output":
            expr = _ExprParser(tag, loops=loops).parse("expression")
            return Output(expr, tag.line, tag.column)
        if depth >= MAX_NESTING:
            message = f"blocks are nested more than {MAX_NESTING} deep"
            raise TemplateLimitError(message, line=tag.line, column=tag.column)
        if tag.kind == "if":
            return self._if_block(tag, depth=depth, loops=loops)
        return self._each_block(tag, depth=depth, loops=loops)

    def _if_block(self, tag: _Tag, *, depth: int, loops: int) -> IfBlock:
        branches: list[tuple[Expr, tuple[Node, ...]]] = []
        current = tag
        while True:
            condition = _ExprParser(current, loops=loops).parse("condition")
            nodes, end = self.body(depth=depth + 1, loops=loops)
            branches.append((condition, tuple(nodes)))
            closing = _expect_closing(end, tag, allowed=("else", "elseif", "/if"))
            if closing.kind != "elseif":
                break
            current = closing
        otherwise: list[Node] = []
        if closing.kind == "else":
            _expect_bare(closing)
            otherwise, end = self.body(depth=depth + 1, loops=loops)
            _expect_closing(end, tag, allowed=("/if",))
        return IfBlock(tuple(branches), tuple(otherwise), tag.line, tag.column)

    def _each_block(self, tag: _Tag, *, depth: int, loops: int) -> EachBlock:
        subject = _ExprParser(tag, loops=loops).parse("list or object")
        body, end = self.body(depth=depth + 1, loops=loops + 1)
        closing = _expect_closing(end, tag, allowed=("else", "/each"))
        otherwise: list[Node] = []
        if closing.kind == "else":
            _expect_bare(closing)
            otherwise, end = self.body(depth=depth + 1, loops=loops)
            _expect_closing(end, tag, allowed=("/each",))
        return EachBlock(
            subject=subject,
            body=tuple(body),
            otherwise=tuple(otherwise),
            depth=loops + 1,
            line=tag.line,
            column=tag.column,
        )


def _expect_closing(
    closing: _Tag | None, opening: _Tag, *, allowed: tuple[str, ...]
) -> _Tag:
    block = opening.kind
    if closing is None:
        message = f"{{{{#{block}}}}} is never closed (missing {{{{/{block}}}}})"
        raise _error(message, opening.chunk)
    if closing.kind not in allowed:
        found = _describe(closing)
        message = (
            f"{{{{{found}}}}} cannot close {{{{#{block}}}}} "
            f"opened at line {opening.line}"
        )
        raise _error(message, closing.chunk)
    if closing.kind.startswith("/"):
        _expect_bare(closing)
    return closing


def _expect_bare(tag: _Tag) -> None:
    if tag.expr:
        message = f"unexpected {tag.expr[0].value!r} after {_describe(tag)!r}"
        raise _error(message, tag.expr[0])


class _ExprParser:
    """Recursive descent over one tag's expression tokens."""

    def __init__(self, tag: _Tag, *, loops: int) -> None:
        self._tag = tag
        self._tokens = tag.expr
        self._pos = 0
        self._loops = loops

    def parse(self, what: str) -> Expr:
        if not self._tokens:
            where = f" after {_describe(self._tag)!r}" if self._tag.head else ""
            raise _error(f"expected a {what}{where}", self._tag.chunk)
        expr = self._expr(nesting=0)
        if self._pos < len(self._tokens):
            token = self._tokens[self._pos]
            raise _error(f"unexpected {token.value!r}", token)
        return expr

    def _peek(self, value: str) -> bool:
        if self._pos >= len(self._tokens):
            return False
        token = self._tokens[self._pos]
        return token.kind == "punct" and token.value == value

    def _next(self, expected: str) -> Token:
        if self._pos >= len(self._tokens):
            message = f"expected {expected} before '}}}}'"
            line, column = self._tag.chunk.end
            raise TemplateSyntaxError(message, line=line, column=column)
        token = self._tokens[self._pos]
        self._pos += 1
        return token

    def _expect(self, value: str) -> None:
        token = self._next(repr(value))
        if token.kind != "punct" or token.value != value:
            raise _error(f"expected {value!r}, found {token.value!r}", token)

    def _expr(self, *, nesting: int) -> Expr:
        if nesting > MAX_NESTING:
            message = f"expression is nested more than {MAX_NESTING} deep"
            raise TemplateLimitError(message, line=self._tag.line)
        expr = self._primary(nesting=nesting)
        while self._peek("|"):
            self._pos += 1
            name = self._next("a function name after '|'")
            args = self._args(nesting) if self._peek("(") else []
            expr = self._call(name, [expr, *args])
        return expr

    def _primary(self, *, nesting: int) -> Expr:
        token = self._next("a value")
        if token.kind in ("string", "number"):
            return Literal(token.value)
        if token.kind == "punct" and token.value == "(":
            expr = self._expr(nesting=nesting + 1)
            self._expect(")")
            return expr
        if token.kind == "name" and token.value in _LITERALS:
            return Literal(_LITERALS[str(token.value)])
        if token.kind == "name" and self._peek("("):
            return self._call(token, self._args(nesting))
        if token.kind in ("name", "at"):
            return self._path(token)
        raise _error(f"unexpected {token.value!r}", token)

    def _args(self, nesting: int) -> list[Expr]:
        self._expect("(")
        args: list[Expr] = []
        if self._peek(")"):
            self._pos += 1
            return args
        while True:
            args.append(self._expr(nesting=nesting + 1))
            token = self._next("',' or ')'")
            if token.kind == "punct" and token.value == ")":
                return args
            if token.kind != "punct" or token.value != ",":
                raise _error(f"expected ',' or ')', found {token.value!r}", token)

    def _call(self, name: Token, args: list[Expr]) -> Call:
        if name.kind != "name" or name.value not in FUNCTION_ARITY:
            known = ", ".join(FUNCTION_ARITY)
            message = f"unknown function {name.value!r} (functions: {known})"
            raise _error(message, name)
        fewest, most = FUNCTION_ARITY[str(name.value)]
        if not fewest <= len(args) <= most:
            wanted = str(fewest) if fewest == most else f"{fewest} to {most}"
            message = f"{name.value}() takes {wanted} arguments, got {len(args)}"
            raise _error(message, name)
        return Call(str(name.value), tuple(args), name.line, name.column)

    def _path(self, root: Token) -> Path:
        name = str(root.value)
        if (name == "this" or root.kind == "at") and self._loops == 0:
            raise _error(f"{name} is only available inside {{{{#each}}}}", root)
        if root.kind == "at" and name not in _AT_VARIABLES:
            known = ", ".join(sorted(_AT_VARIABLES))
            raise _error(f"unknown loop variable {name} (use {known})", root)
        keys: list[str | int] = []
        while self._peek(".") or self._peek("["):
            keys.append(self._key())
        if keys and root.kind == "at":
            raise _error(f"{name} has no keys below it", root)
        return Path(name, tuple(keys), root.line, root.column, self._loops)

    def _key(self) -> str | int:
        opener = self._next("'.' or '['")
        if opener.value == ".":
            token = self._next("a key after '.'")
            if token.kind not in ("segment", "name"):
                raise _error(f"expected a key after '.', found {token.value!r}", token)
            return str(token.value)
        token = self._next("an index or quoted key after '['")
        if token.kind == "string" or (
            token.kind == "number" and isinstance(token.value, int)
        ):
            self._expect("]")
            return token.value  # type: ignore[return-value]
        message = f"expected an integer or a quoted key in [], found {token.value!r}"
        raise _error(message, token)
