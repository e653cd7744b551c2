"""Maps a position inside a YAML string to a position in the YAML file.

A template sits in a YAML scalar; its own line 1, column 1 is somewhere in
the file. With the file's text at hand, the text at the template position
is searched for from where the scalar starts (the same occurrence: the
third ``fields.x`` of the template is the third in the file from there),
which works for every scalar style, folded ones included. Without the text,
or when escapes changed the text, the position is estimated: a multi-line
value is taken to be a literal block scalar (``|``) whose content starts on
the line after the indicator.
"""

from __future__ import annotations

import bisect
import re

from pao.core.yamlio import Position

__all__ = ["ScalarLocator"]

_WORD = re.compile(r"[^\s]+")


class ScalarLocator:
    """Locates template positions in one YAML file."""

    def __init__(self, source: str | bytes | None = None) -> None:
        if isinstance(source, bytes):
            source = source.decode("utf-8-sig", errors="replace")
        self._source = source
        self._starts = [0]
        if source is not None:
            self._starts += [m.end() for m in re.finditer("\n", source)]

    def locate(
        self,
        value: Position,
        key: Position | None,
        template: str,
        line: int,
        column: int,
    ) -> Position:
        """Where *line*:*column* of *template* (the scalar at *value*) is."""
        offset = _offset(template, line, column)
        found = self._search(value, template, offset)
        if found is not None:
            return found
        return self._estimate(value, key, template, line, column)

    def _search(self, value: Position, template: str, offset: int) -> Position | None:
        if self._source is None or value.line > len(self._starts):
            return None
        match = _WORD.match(template, offset)
        if match is None:
            return None
        # Only the part of the word up to a tag end: the text after it may
        # be written differently in the file (escapes, folding).
        needle = match.group().split("}}")[0] or match.group()[:2]
        occurrence = _count(template, needle, before=offset)
        start = self._starts[value.line - 1] + value.column - 1
        for _ in range(occurrence + 1):
            start = self._source.find(needle, start)
            if start < 0:
                return None
            start += 1
        return self._position(start - 1)

    def _position(self, offset: int) -> Position:
        index = bisect.bisect_right(self._starts, offset) - 1
        return Position(index + 1, offset - self._starts[index] + 1)

    def _estimate(
        self,
        value: Position,
        key: Position | None,
        template: str,
        line: int,
        column: int,
    ) -> Position:
        if "\n" not in template:
            return Position(value.line, value.column + column - 1)
        # Block content is indented past its key, by two spaces by custom.
        indent = (key.column + 1) if key is not None else value.column
        return Position(value.line + line, indent + column - 1)


def _offset(template: str, line: int, column: int) -> int:
    offset = 0
    for _ in range(line - 1):
        offset = template.index("\n", offset) + 1
    return offset + column - 1


def _count(text: str, needle: str, *, before: int) -> int:
    count, start = 0, 0
    while (found := text.find(needle, start)) >= 0 and found < before:
        count += 1
        start = found + 1
    return count
