"""Whatever a request file holds, validation answers with located errors."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from request_helpers import CATALOG, REQUEST

from pao.core.diagnostics import Severity
from pao.requests import validate_request_text

HOSTILE = {
    "binary": b"\xff\xfe\x00garbage",
    "deep nesting": "fields: {a: " + "[" * 3000 + "]" * 3000 + "}",
    "billion laughs": (
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
        "f: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n"
    ),
    "huge int": REQUEST + "  sizeGb: " + "9" * 5000 + "\n",
    "big int": REQUEST + "  sizeGb: " + "9" * 400 + "\n",
    "weird tag": REQUEST.replace("orders-db", "!!python/name:os.system ''"),
    "int keys in fields": REQUEST + "  1: 2\n",
    "list key": REQUEST + "  ? [a]\n  : b\n",
    "list root": "- apiVersion: pao/v1\n",
    "catalogItem as list": REQUEST.replace(
        "catalogItem: postgres-database", "catalogItem: [postgres-database]"
    ),
    "team as map": REQUEST.replace("team: acme/payments", "team: {acme: payments}"),
    "fields as string": REQUEST.split("fields:")[0] + "fields: all of them\n",
}


@pytest.mark.parametrize("content", HOSTILE.values(), ids=list(HOSTILE))
def test_hostile_requests_get_located_errors(content: str | bytes) -> None:
    request, found = validate_request_text(content, CATALOG)

    assert request is None
    assert any(d.severity is Severity.ERROR for d in found)
    assert all(d.line >= 1 and d.column >= 1 for d in found)


_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False)
    | st.text(max_size=12)
)
_VALUES = st.recursive(
    _SCALARS,
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
_FIELD_NAMES = st.sampled_from(
    [
        "instanceName",
        "engine",
        "sizeGb",
        "cpu",
        "replicas",
        "regions",
        "backup",
        "retentionDays",
        "until",
        "notes",
        "adminPassword",
        "other",
    ]
)


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(_FIELD_NAMES, _VALUES, max_size=8))
def test_any_field_values_get_an_answer(fields: dict[str, Any]) -> None:
    document = {
        "apiVersion": "pao/v1",
        "kind": "Request",
        "catalogItem": "postgres-database",
        "team": "acme/payments",
        "fields": fields,
    }
    text = yaml.safe_dump(document)
    lines = text.count("\n") + 1

    request, found = validate_request_text(text, CATALOG)

    assert (request is None) == any(d.severity is Severity.ERROR for d in found)
    assert all(1 <= d.line <= lines for d in found)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=300))
def test_any_text_gets_an_answer(text: str) -> None:
    request, found = validate_request_text(text, CATALOG)

    assert request is None or found == []
