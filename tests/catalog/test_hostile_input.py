"""Whatever the file holds, validation answers with located errors."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pao.catalog import validate_item_text
from pao.catalog.models import ITEM_KEYS
from pao.core.diagnostics import Severity
from pao.core.yamlio import load_yaml

from .conftest import VALID_ITEM

HOSTILE = {
    "binary": b"\x00\x01\x02\xff\xfe" * 20,
    "nul in text": "apiVersion: pao/v1\x00\n",
    "deep nesting": "a: " + "[" * 5000 + "]" * 5000,
    "deep mappings": "".join("  " * i + f"k{i}:\n" for i in range(400)),
    "billion laughs": (
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n"
            for i in range(8)
        )
    ),
    "recursive alias": "a: &a [*a]\n",
    "huge int": "apiVersion: " + "9" * 10000 + "\n",
    "huge float": "apiVersion: 1e999999\n",
    "python tag": "apiVersion: !!python/object/apply:os.system [ls]\n",
    "custom tag": "metadata: !item {id: x}\n",
    "binary tag": "metadata: !!binary aGVsbG8=\n",
    "timestamp tag": "metadata: !!timestamp 2025-01-01\n",
    "list root": "- a\n- b\n",
    "scalar root": "just a string\n",
    "empty": "",
    "only a comment": "# nothing here\n",
    "null root": "null\n",
    "int keys": "1: 2\n3: [4]\n",
    "complex key": "? [a, b]\n: c\n",
    "bool key in metadata": VALID_ITEM.replace("  name: Demo", "  true: Demo"),
    "list for metadata": VALID_ITEM.split("metadata:")[0] + "metadata: [1, 2]\n",
    "map for groups": VALID_ITEM.replace(
        "    groups:\n", "    groups: {a: 1}\n    x:\n"
    ),
    "string for fields": VALID_ITEM.replace("        fields:\n", "        fields: x\n"),
    "two documents": VALID_ITEM + "---\nkind: Other\n",
    "tabs": "apiVersion:\tpao/v1\n\tkind: x\n",
    "too large": "a: " + "x" * (1024 * 1024 + 10) + "\n",
    "lone surrogate escape": 'apiVersion: "\\ud800"\n',
    "nan and inf": VALID_ITEM.replace(
        "            required: true\n",
        "            required: true\n            validation: {min: .nan, max: .inf}\n",
    ),
    "options of every shape": VALID_ITEM.replace(
        "            type: string\n",
        "            type: select\n"
        "            options: [[1], {x: 1}, null, true, 1.5]\n",
    ),
}


@pytest.mark.parametrize("content", HOSTILE.values(), ids=list(HOSTILE))
def test_hostile_files_get_located_errors(content: str | bytes) -> None:
    item, found = validate_item_text(content, filename="catalog/tools/demo.yaml")

    assert item is None
    assert any(d.severity is Severity.ERROR for d in found)
    assert all(d.line >= 1 and d.column >= 1 for d in found)


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=400))
def test_any_text_gets_an_answer(text: str) -> None:
    item, found = validate_item_text(text)

    assert item is None
    assert all(d.line >= 1 and d.column >= 1 for d in found)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_get_an_answer(content: bytes) -> None:
    item, found = validate_item_text(content)

    assert item is None
    assert all(d.line >= 1 for d in found)


_KEYS = st.sampled_from(sorted(ITEM_KEYS)) | st.text(min_size=1, max_size=8)
_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=20)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(_KEYS, children, max_size=5)
    ),
    max_leaves=30,
)


@settings(max_examples=150, deadline=None)
@given(_VALUES)
def test_any_document_shape_gets_located_errors(value: Any) -> None:
    text = yaml.safe_dump(value)
    lines = text.count("\n") + 1

    item, found = validate_item_text(text)

    assert item is None
    assert found
    assert all(1 <= d.line <= lines for d in found)


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


_VALID = load_yaml(VALID_ITEM).data
_VALID_PATHS = _paths(_VALID)[1:]


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_VALID_PATHS), _VALUES)
def test_replacing_any_part_of_a_valid_item_never_crashes(
    path: tuple[Any, ...], value: Any
) -> None:
    data = yaml.safe_load(VALID_ITEM)
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    text = yaml.safe_dump(data, sort_keys=False)

    item, found = validate_item_text(text)

    assert (item is None) == any(d.severity is Severity.ERROR for d in found)
