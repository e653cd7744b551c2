"""Splits template text into literal text and tags, and tags into tokens.

Rules, as documented for template authors:

* A tag opens at ``{{`` and closes at the first ``}}`` outside a quoted
  string. In a run of braces the tag starts at the last ``{{``, so
  ``{{{x}}}`` is ``{`` + the value of ``x`` + ``}`` (handy in JSON).
* ``\\{{`` is a literal ``{{`` (the backslash is dropped); ``\\\\{{`` is a
  literal backslash followed by a tag.
* ``{{! … }}`` and ``{{!-- … --}}`` are comments and produce nothing.
* Everything outside tags is copied exactly, newlines and spaces included.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from pao.templates.errors import TemplateSyntaxError

__all__ = ["LineIndex", "TagChunk", "TextChunk", "Token", "split"]


class LineIndex:
    """Maps character offsets in a source text to 1-based line and column."""

    def __init__(self, source: str) -> None:
        self._starts = [0]
        self._starts.extend(m.end() for m in re.finditer("\n", source))

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self._starts, offset) - 1
        return index + 1, offset - self._starts[index] + 1


@dataclass(frozen=True, slots=True)
class Token:
    """One token inside a tag: its kind, value and 1-based position."""

    kind: str  # name, segment, at, string, number, punct
    value: str | int | float
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class TextChunk:
    value: str


@dataclass(frozen=True, slots=True)
class TagChunk:
    tokens: tuple[Token, ...]
    line: int
    column: int
    # Where the closing ``}}`` is, for "expected … before '}}'".
    end: tuple[int, int] = (0, 0)


_WHITESPACE = re.compile(r"\s+")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:-[A-Za-z0-9_]+)*")
_SEGMENT = re.compile(r"[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*")
_AT_NAME = re.compile(r"@[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_STRING = re.compile(r"""'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*\"""", re.DOTALL)
_PUNCT = frozenset(".[](),|#/")
_ESCAPES = {"\\": "\\", "'": "'", '"': '"', "n": "\n", "t": "\t", "r": "\r"}


def split(source: str) -> Iterator[TextChunk | TagChunk]:
    """Yield the text and tag chunks of *source*, in order."""
    lines = LineIndex(source)
    text: list[str] = []
    pos = 0
    while (start := source.find("{{", pos)) >= 0:
        backslashes = _backslashes_before(source, start, pos)
        if backslashes == 1:
            text.append(source[pos : start - 1] + "{{")
            pos = start + 2
            continue
        text.append(source[pos : start - 1 if backslashes else start])
        first_brace = start
        while source.startswith("{", start + 2):
            start += 1
        text.append(source[first_brace:start])
        pos = _skip_comment(source, start, lines)
        if pos >= 0:
            continue
        if value := "".join(text):
            yield TextChunk(value)
        text = []
        tokens, pos = _tokenize(source, start + 2, lines)
        line, column = lines.position(start)
        yield TagChunk(tokens, line, column, lines.position(pos - 2))
    text.append(source[pos:])
    value = "".join(text)
    if value:
        yield TextChunk(value)


def _backslashes_before(source: str, start: int, floor: int) -> int:
    """How many backslashes (0, 1, or 2 meaning two or more) precede *start*."""
    count = 0
    while count < 2 and start - count - 1 >= floor:
        if source[start - count - 1] != "\\":
            break
        count += 1
    return count


def _skip_comment(source: str, start: int, lines: LineIndex) -> int:
    """The offset after a comment tag at *start*, or -1 if it is no comment."""
    if source.startswith("{{!--", start):
        end, closing = source.find("--}}", start + 5), "--}}"
    elif source.startswith("{{!", start):
        end, closing = source.find("}}", start + 3), "}}"
    else:
        return -1
    if end < 0:
        line, column = lines.position(start)
        message = f"comment is never closed (missing '{closing}')"
        raise TemplateSyntaxError(message, line=line, column=column)
    return end + len(closing)


def _tokenize(source: str, pos: int, lines: LineIndex) -> tuple[tuple[Token, ...], int]:
    """Read the tokens of the tag whose content starts at *pos*."""
    tokens: list[Token] = []
    length = len(source)
    while pos < length:
        if source.startswith("}}", pos):
            return tuple(tokens), pos + 2
        if match := _WHITESPACE.match(source, pos):
            pos = match.end()
            continue
        after_dot = (
            bool(tokens) and tokens[-1].value == "." and (tokens[-1].kind == "punct")
        )
        token, pos = _next_token(source, pos, lines, after_dot=after_dot)
        tokens.append(token)
    line, column = lines.position(pos)
    message = "tag is never closed (missing '}}')"
    raise TemplateSyntaxError(message, line=line, column=column)


def _next_token(
    source: str, pos: int, lines: LineIndex, *, after_dot: bool
) -> tuple[Token, int]:
    line, column = lines.position(pos)
    char = source[pos]
    if after_dot and (match := _SEGMENT.match(source, pos)):
        return Token("segment", match.group(), line, column), match.end()
    if char in _PUNCT:
        return Token("punct", char, line, column), pos + 1
    if match := _NAME.match(source, pos):
        return Token("name", match.group(), line, column), match.end()
    if match := _AT_NAME.match(source, pos):
        return Token("at", match.group(), line, column), match.end()
    if match := _NUMBER.match(source, pos):
        return Token("number", _number(match.group(), line, column), line, column), (
            match.end()
        )
    if match := _STRING.match(source, pos):
        value = _unquote(match.group(), line, column)
        return Token("string", value, line, column), match.end()
    if char in "'\"":
        message = "string is never closed"
    else:
        message = f"unexpected character {char!r}"
    raise TemplateSyntaxError(message, line=line, column=column)


def _number(text: str, line: int, column: int) -> int | float:
    if re.fullmatch(r"-?[0-9]+", text):
        if len(text) > 20:
            message = f"number {text[:20]}… is too long"
            raise TemplateSyntaxError(message, line=line, column=column)
        return int(text)
    value = float(text)
    if value in (float("inf"), float("-inf")):
        message = f"number {text} is out of range"
        raise TemplateSyntaxError(message, line=line, column=column)
    return value


def _unquote(text: str, line: int, column: int) -> str:
    body = text[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    chars = iter(body)
    for char in chars:
        if char != "\\":
            out.append(char)
            continue
        escaped = next(chars)
        if escaped not in _ESCAPES:
            message = f"unknown escape \\{escaped} in string"
            raise TemplateSyntaxError(message, line=line, column=column)
        out.append(_ESCAPES[escaped])
    return "".join(out)
