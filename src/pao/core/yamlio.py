"""YAML loading with YAML 1.2 meaning, source positions and hard limits.

Every document pao reads from git (catalog items, requests, status files,
configuration) goes through :func:`load_yaml`. libyaml parses the text into
nodes; this module turns the nodes into plain Python values itself so that

* scalars follow the YAML 1.2 core schema (``no``, ``on``, ``off`` stay
  strings, ``2024-01-01`` stays a string, ``0o17`` is octal);
* a duplicate key is an error instead of a silent overwrite;
* aliases, nesting depth, node count and file size are bounded, so an
  expansion bomb or a huge file fails fast with a located error;
* the line and column of every key and value are kept in a
  :class:`SourceMap`, which validators use to point at the offending line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import yaml

try:  # pragma: no cover - depends on how PyYAML was built
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader  # type: ignore[assignment]

__all__ = [
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NODES",
    "Path",
    "Position",
    "SourceMap",
    "YamlDocument",
    "YamlLoadError",
    "load_yaml",
    "load_yaml_file",
]

# A catalog item is a few KiB; 1 MiB leaves room for generated files while
# keeping one hostile file from holding the whole index hostage.
MAX_FILE_BYTES = 1024 * 1024
# Hand-written files use anchors sparingly; more than this is an attack.
MAX_ALIASES = 100
# Nodes after alias expansion: a "billion laughs" document hits this first.
MAX_NODES = 200_000
# libyaml stops at 1000; we stop well before Python's recursion limit.
MAX_DEPTH = 200

Path = tuple[str | int, ...]

_STR = "tag:yaml.org,2002:str"
_NULL = "tag:yaml.org,2002:null"
_BOOL = "tag:yaml.org,2002:bool"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"

# The YAML 1.2 core schema (https://yaml.org/spec/1.2.2/#1023-core-schema).
_CORE_SCALARS: tuple[tuple[str, re.Pattern[str]], ...] = (
    (_NULL, re.compile(r"^(?:~|null|Null|NULL|)$")),
    (_BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$")),
    (_INT, re.compile(r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$")),
    (
        _FLOAT,
        re.compile(
            r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
            r"|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$"
        ),
    ),
)


@dataclass(frozen=True, slots=True)
class Position:
    """A 1-based line and column in a source file."""

    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.line}:{self.column}"


class YamlLoadError(Exception):
    """A document could not be read as YAML, or broke one of the limits."""

    def __init__(self, message: str, position: Position) -> None:
        super().__init__(message)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return f"{self.position}: {self.message}"

    def __repr__(self) -> str:
        return f"YamlLoadError({self.message!r}, {self.position!r})"


@dataclass(slots=True)
class SourceMap:
    """Where each key and value of a loaded document stands in its file.

    Paths are tuples of mapping keys and sequence indexes, the same shape
    pydantic and jsonschema use for error locations.
    """

    values: dict[Path, Position] = field(default_factory=dict)
    keys: dict[Path, Position] = field(default_factory=dict)

    def value(self, path: Sequence[str | int]) -> Position:
        """The position of the value at *path*, or of its nearest parent."""
        return self._nearest(tuple(path), prefer_key=False)

    def key(self, path: Sequence[str | int]) -> Position:
        """The position of the key at *path* (its value for list items)."""
        return self._nearest(tuple(path), prefer_key=True)

    def has(self, path: Sequence[str | int]) -> bool:
        return tuple(path) in self.values

    def _nearest(self, path: Path, *, prefer_key: bool) -> Position:
        while True:
            if prefer_key and path in self.keys:
                return self.keys[path]
            if path in self.values:
                return self.values[path]
            if not path:
                return Position(1, 1)
            path = path[:-1]


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """A loaded document: its plain data and where each part came from."""

    data: Any
    source_map: SourceMap


class _Loader(_BaseLoader):
    """libyaml's parser with the YAML 1.2 core schema for plain scalars."""

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, pattern in _CORE_SCALARS:
                    if pattern.match(value):
                        return tag
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


def _position(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


class _Constructor:
    """Turns a node graph into plain values, recording every position."""

    def __init__(self) -> None:
        self.source_map = SourceMap()
        self.nodes = 0
        self.aliases = 0
        self.seen: set[int] = set()
        self.active: set[int] = set()

    def build(self, node: yaml.Node, path: Path) -> Any:
        if len(path) > MAX_DEPTH:
            raise YamlLoadError(
                f"nesting deeper than {MAX_DEPTH} levels", _position(node)
            )
        self._count(node)
        self.source_map.values.setdefault(path, _position(node))
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        key = id(node)
        if key in self.active:
            raise YamlLoadError("recursive alias", _position(node))
        self.active.add(key)
        try:
            if isinstance(node, yaml.SequenceNode):
                return self._sequence(node, path)
            assert isinstance(node, yaml.MappingNode)
            return self._mapping(node, path)
        finally:
            self.active.discard(key)

    def _count(self, node: yaml.Node) -> None:
        self.nodes += 1
        if self.nodes > MAX_NODES:
            message = f"document expands to more than {MAX_NODES} nodes"
            raise YamlLoadError(message, _position(node))
        if not isinstance(node, yaml.ScalarNode) or node.tag != _STR:
            # A collection or typed scalar met a second time is an alias.
            if id(node) in self.seen:
                self.aliases += 1
                if self.aliases > MAX_ALIASES:
                    message = f"more than {MAX_ALIASES} aliases"
                    raise YamlLoadError(message, _position(node))
            self.seen.add(id(node))

    def _sequence(self, node: yaml.SequenceNode, path: Path) -> list[Any]:
        if node.tag != _SEQ:
            raise YamlLoadError(f"unsupported tag {node.tag}", _position(node))
        return [self.build(child, (*path, i)) for i, child in enumerate(node.value)]

    def _mapping(self, node: yaml.MappingNode, path: Path) -> dict[Any, Any]:
        if node.tag != _MAP:
            raise YamlLoadError(f"unsupported tag {node.tag}", _position(node))
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self._key(key_node)
            child = (*path, key)
            if key in result:
                first = self.source_map.keys[child]
                message = f"duplicate key {key!r} (first defined at line {first.line})"
                raise YamlLoadError(message, _position(key_node))
            self.source_map.keys[child] = _position(key_node)
            result[key] = self.build(value_node, child)
        return result

    def _key(self, node: yaml.Node) -> str | int:
        if not isinstance(node, yaml.ScalarNode):
            raise YamlLoadError("mapping keys must be scalars", _position(node))
        self._count(node)
        value = _scalar(node)
        if isinstance(value, bool) or value is None or isinstance(value, float):
            # JSON-shaped documents only: keys are strings (or list-like ints).
            return str(node.value)
        return value  # type: ignore[no-any-return]


def _scalar(node: yaml.ScalarNode) -> Any:
    tag, text = node.tag, node.value
    if tag == _STR:
        return text
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return text.lower() == "true"
    if tag == _INT:
        return _int(text, node)
    if tag == _FLOAT:
        return _float(text)
    raise YamlLoadError(f"unsupported tag {tag}", _position(node))


def _int(text: str, node: yaml.ScalarNode) -> int:
    try:
        if text.startswith("0o"):
            return int(text[2:], 8)
        if text.startswith("0x"):
            return int(text[2:], 16)
        return int(text, 10)
    except ValueError:
        # Python refuses to parse integers of thousands of digits.
        raise YamlLoadError("integer too large", _position(node)) from None


def _float(text: str) -> float:
    lowered = text.lower()
    if lowered.endswith(".inf"):
        return -math.inf if lowered.startswith("-") else math.inf
    if lowered == ".nan":
        return math.nan
    return float(text)


def load_yaml(content: str | bytes) -> YamlDocument:
    """Load one YAML document, raising :class:`YamlLoadError` with a position."""
    text = _decode(content)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        message = exc.problem or exc.context or "invalid YAML"
        raise YamlLoadError(message, position) from None
    except yaml.YAMLError as exc:
        raise YamlLoadError(str(exc).splitlines()[0], Position(1, 1)) from None
    if root is None:
        return YamlDocument(None, SourceMap())
    constructor = _Constructor()
    data = constructor.build(root, ())
    return YamlDocument(data, constructor.source_map)


def load_yaml_file(path: str | Any) -> YamlDocument:
    """Read and load a file, refusing files over :data:`MAX_FILE_BYTES`."""
    with open(path, "rb") as handle:
        content = handle.read(MAX_FILE_BYTES + 1)
    return load_yaml(content)


def _decode(content: str | bytes) -> str:
    size = len(content.encode() if isinstance(content, str) else content)
    if size > MAX_FILE_BYTES:
        message = f"file is {size} bytes, over the limit of {MAX_FILE_BYTES}"
        raise YamlLoadError(message, Position(1, 1))
    if isinstance(content, str):
        return content
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = content[: exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        message = f"invalid UTF-8 byte 0x{content[exc.start]:02x}"
        raise YamlLoadError(message, Position(line, column)) from None


def iter_paths(data: Any, prefix: Path = ()) -> Iterator[Path]:
    """Every path in *data*, depth first; handy for tests and tools."""
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from iter_paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            yield from iter_paths(value, (*prefix, index))
