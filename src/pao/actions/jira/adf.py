"""Plain text to Atlassian Document Format, for Jira Cloud's REST v3.

Jira Cloud takes descriptions and comments as ADF documents only. Text is
read in blocks:

- blank lines separate paragraphs; a single line break stays a line
  break (``hardBreak``);
- lines starting with ``- `` or ``* `` form a bullet list, lines starting
  with ``1. `` (any number) an ordered list;
- a fenced block (a line of three backticks, optionally followed by a
  language, up to the closing fence) becomes a code block, kept verbatim.

The builders for headings, strong text and code blocks are used by the
escalation incident, which is composed rather than converted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

__all__ = [
    "Node",
    "bullet_list",
    "code_block",
    "doc",
    "heading",
    "paragraph",
    "text",
    "text_to_adf",
]

Node = dict[str, Any]

_FENCE = re.compile(r"^```\s*([\w+-]*)\s*$")
_BULLET = re.compile(r"^\s*[-*]\s+(.*)$")
_ORDERED = re.compile(r"^\s*\d+[.)]\s+(.*)$")


def doc(content: Iterable[Node]) -> Node:
    return {"type": "doc", "version": 1, "content": list(content)}


def text(value: str, *, strong: bool = False, code: bool = False) -> Node:
    node: Node = {"type": "text", "text": value}
    marks = [{"type": "strong"}] * strong + [{"type": "code"}] * code
    if marks:
        node["marks"] = marks
    return node


def paragraph(*parts: Node | str) -> Node:
    """A paragraph of *parts*; strings become text, line breaks hardBreaks."""
    content: list[Node] = []
    for part in parts:
        content.extend(_inline(part) if isinstance(part, str) else [part])
    return {"type": "paragraph", "content": content}


def heading(value: str, level: int = 3) -> Node:
    return {"type": "heading", "attrs": {"level": level}, "content": [text(value)]}


def code_block(value: str, language: str | None = None) -> Node:
    # ADF text nodes must not be empty; an empty block has no content.
    node: Node = {"type": "codeBlock", "content": [text(value)] if value else []}
    if language:
        node["attrs"] = {"language": language}
    return node


def bullet_list(items: Iterable[Node | str], *, ordered: bool = False) -> Node:
    """A list whose items are paragraphs (strings) or nodes."""
    entries = [
        {
            "type": "listItem",
            "content": [paragraph(item) if isinstance(item, str) else item],
        }
        for item in items
    ]
    kind = "orderedList" if ordered else "bulletList"
    return {"type": kind, "content": entries}


def text_to_adf(value: str) -> Node:
    """The ADF document for *value*, read as described in the module."""
    lines = value.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return doc(_blocks(lines))


def _inline(value: str) -> list[Node]:
    nodes: list[Node] = []
    for index, line in enumerate(value.split("\n")):
        if index:
            nodes.append({"type": "hardBreak"})
        if line:
            nodes.append(text(line))
    return nodes


def _blocks(lines: list[str]) -> list[Node]:
    blocks: list[Node] = []
    index = 0
    while index < len(lines):
        line = lines[index]
        if not line.strip():
            index += 1
            continue
        if (fence := _FENCE.match(line.strip())) is not None:
            block, index = _fenced(lines, index + 1, fence.group(1))
        elif _BULLET.match(line) or _ORDERED.match(line):
            block, index = _list(lines, index)
        else:
            block, index = _paragraph(lines, index)
        blocks.append(block)
    return blocks


def _fenced(lines: list[str], start: int, language: str) -> tuple[Node, int]:
    end = start
    while end < len(lines) and lines[end].strip() != "```":
        end += 1
    return code_block("\n".join(lines[start:end]), language or None), end + 1


def _list(lines: list[str], start: int) -> tuple[Node, int]:
    pattern = _BULLET if _BULLET.match(lines[start]) else _ORDERED
    items: list[str] = []
    index = start
    while index < len(lines) and (match := pattern.match(lines[index])):
        items.append(match.group(1))
        index += 1
    return bullet_list(items, ordered=pattern is _ORDERED), index


def _paragraph(lines: list[str], start: int) -> tuple[Node, int]:
    index = start
    while index < len(lines) and _continues_paragraph(lines[index]):
        index += 1
    return paragraph("\n".join(lines[start:index])), index


def _continues_paragraph(line: str) -> bool:
    if not line.strip():
        return False
    starts_block = _FENCE.match(line.strip()) or _BULLET.match(line)
    return not (starts_block or _ORDERED.match(line))
