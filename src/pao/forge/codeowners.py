"""CODEOWNERS as GitHub reads it, and the block of it that pao writes.

Matching follows GitHub's rules: the last matching line wins; a pattern
with a slash at its start or in its middle is anchored at the repository
root, otherwise it matches at any depth; ``*`` stays within one path
segment, ``**`` crosses them; a line with a pattern and no owners leaves
its paths unowned. Patterns are compiled by the ``codeowners`` package.
What GitHub rejects is skipped the way GitHub skips it, one line at a
time: negation (``!``), character ranges (``[ ]``), an escaped leading
``\\#``, and owners that are neither ``@user``, ``@org/team`` nor an
e-mail address. A ``#`` after whitespace starts a comment.

The requests repo's CODEOWNERS holds a block between
:data:`BEGIN_MARKER` and :data:`END_MARKER` mapping ``/requests/<item>/``
to the owner team of each catalog item. :func:`rewrite_block` replaces
just that block; every other line stays as it was.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from re import Pattern

from codeowners import path_to_regex

__all__ = [
    "BEGIN_MARKER",
    "END_MARKER",
    "CodeOwners",
    "CodeownersBlockError",
    "Rule",
    "SkippedLine",
    "read_block",
    "render_block",
    "rewrite_block",
]

BEGIN_MARKER = "# BEGIN pao generated (do not edit)"
END_MARKER = "# END pao generated"

_OWNER = re.compile(
    r"@[A-Za-z0-9][A-Za-z0-9_-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)?"
    r"|[^@\s]+@[^@\s]+\.[^@\s]+"
)
_TEAM = re.compile(r"@?[A-Za-z0-9][A-Za-z0-9_-]*/[A-Za-z0-9][A-Za-z0-9._-]*")
_ITEM_ID = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")


class CodeownersBlockError(ValueError):
    """pao's generated block in a CODEOWNERS file is broken or doubled."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One valid CODEOWNERS line: a pattern and its (maybe no) owners."""

    line: int
    pattern: str
    owners: tuple[str, ...]
    regex: Pattern[str]

    def matches(self, path: str) -> bool:
        return self.regex.search(path) is not None


@dataclass(frozen=True, slots=True)
class SkippedLine:
    """A line GitHub would skip, and why."""

    line: int
    text: str
    reason: str


def _tokens(line: str) -> list[str]:
    """Whitespace-separated tokens; ``\\`` escapes, ``#`` opens a comment."""
    tokens: list[str] = []
    current = ""
    escaped = False
    for char in line:
        if escaped:
            current, escaped = current + char, False
        elif char == "\\":
            current, escaped = current + char, True
        elif char.isspace():
            if current:
                tokens.append(current)
            current = ""
        elif char == "#" and not current:
            break
        else:
            current += char
    if current:
        tokens.append(current)
    return tokens


def _pattern_problem(pattern: str) -> str | None:
    if pattern.startswith("!"):
        return "negated patterns (!) are not supported"
    if pattern.startswith("\\#"):
        return "an escaped leading # is not supported"
    if re.search(r"(?<!\\)[\[\]]", pattern):
        return "character ranges ([ ]) are not supported"
    return None


def _parse_line(number: int, text: str) -> Rule | SkippedLine | None:
    tokens = _tokens(text.strip())
    if not tokens:
        return None
    pattern, owners = tokens[0], tuple(tokens[1:])
    problem = _pattern_problem(pattern)
    bad = [owner for owner in owners if not _OWNER.fullmatch(owner)]
    if problem is None and bad:
        problem = f"invalid owner {bad[0]!r}"
    if problem is None:
        try:
            return Rule(number, pattern, owners, path_to_regex(pattern))
        except (ValueError, re.error) as exc:
            problem = f"invalid pattern: {exc}"
    return SkippedLine(number, text.rstrip("\r\n"), problem)


class CodeOwners:
    """The rules of one CODEOWNERS file, answering who owns a path."""

    def __init__(self, text: str) -> None:
        self.rules: list[Rule] = []
        self.skipped: list[SkippedLine] = []
        for number, line in enumerate(text.splitlines(), start=1):
            parsed = _parse_line(number, line)
            if isinstance(parsed, Rule):
                self.rules.append(parsed)
            elif parsed is not None:
                self.skipped.append(parsed)

    def rule_for(self, path: str) -> Rule | None:
        """The line that decides *path*'s owners: the last one matching."""
        normalized = path.removeprefix("./").lstrip("/")
        for rule in reversed(self.rules):
            if rule.matches(normalized):
                return rule
        return None

    def owners_of(self, path: str) -> tuple[str, ...]:
        """The owners GitHub assigns to *path*; empty when it is unowned."""
        rule = self.rule_for(path)
        return rule.owners if rule is not None else ()


def _owner(team: str, item_id: str) -> str:
    if not _TEAM.fullmatch(team):
        message = f"owner of {item_id!r}: expected a team as org/team, got {team!r}"
        raise ValueError(message)
    return "@" + team.lstrip("@")


def render_block(owners: Mapping[str, str]) -> list[str]:
    """The block's lines (without line ends) for item id → owner team."""
    lines = [BEGIN_MARKER]
    for item_id in sorted(owners):
        if not _ITEM_ID.fullmatch(item_id):
            message = f"expected a catalog item id (a-z, 0-9, -), got {item_id!r}"
            raise ValueError(message)
        lines.append(f"/requests/{item_id}/ {_owner(owners[item_id], item_id)}")
    lines.append(END_MARKER)
    return lines


def _newline(text: str) -> str:
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf * 2 >= text.count("\n") else "\n"


def _block_span(lines: list[str]) -> tuple[int, int] | None:
    """Indexes of the BEGIN and END lines, or ``None`` without a block."""
    marks = [line.strip() for line in lines]
    begins = [i for i, mark in enumerate(marks) if mark == BEGIN_MARKER]
    ends = [i for i, mark in enumerate(marks) if mark == END_MARKER]
    if not begins and not ends:
        return None
    if len(begins) != 1 or len(ends) != 1 or ends[0] < begins[0]:
        message = (
            f"expected one block from {BEGIN_MARKER!r} to {END_MARKER!r},"
            f" found {len(begins)} begin and {len(ends)} end markers"
        )
        raise CodeownersBlockError(message)
    return begins[0], ends[0]


def rewrite_block(text: str, owners: Mapping[str, str]) -> str:
    """*text* with pao's block set to *owners* (item id → ``org/team``).

    Only the block changes; without one it is appended at the end. The
    file's line ends are kept, and *text* itself comes back when the block
    is already right.
    """
    newline = _newline(text)
    block = [line + newline for line in render_block(owners)]
    lines = text.splitlines(keepends=True)
    span = _block_span(lines)
    if span is None:
        return _append(text, block, newline)
    begin, end = span
    if not lines[end].endswith(("\n", "\r")):
        block[-1] = block[-1].rstrip("\r\n")
    rewritten = "".join(lines[:begin] + block + lines[end + 1 :])
    return text if rewritten == text else rewritten


def _append(text: str, block: list[str], newline: str) -> str:
    if text and not text.endswith(("\n", "\r")):
        text += newline
    separator = newline if text.strip() and not text.endswith(newline * 2) else ""
    return text + separator + "".join(block)


def read_block(text: str) -> dict[str, str]:
    """The item id → owner team mapping pao's block holds now."""
    lines = text.splitlines()
    span = _block_span(lines)
    if span is None:
        return {}
    found: dict[str, str] = {}
    for line in lines[span[0] + 1 : span[1]]:
        match = re.fullmatch(r"\s*/requests/([^/\s]+)/\s+@(\S+)\s*", line)
        if match:
            found[match.group(1)] = match.group(2)
    return found
