"""Which fields a request shows, in Python and in its JSON Schema alike."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from request_helpers import item_from

from pao.catalog import CatalogItem
from pao.requests import fields_schema, visibility, visible_fields
from pao.requests.conditions import json_equal

CHAINED = """\
apiVersion: pao/v1
kind: CatalogItem
metadata: {id: chain, name: Chain, version: 1.0.0, category: x,
           owner: {team: acme/x}}
presentation:
  form:
    groups:
      - id: g
        name: G
        fields:
          - {id: kind, name: Kind, type: select, default: a, options: [a, b, c]}
          - {id: flag, name: Flag, type: boolean,
             conditional: {dependsOn: kind, condition: in, value: [b, c]}}
          - {id: level, name: Level, type: number, default: 1,
             conditional: {dependsOn: flag, condition: equals, value: true}}
          - {id: note, name: Note, type: string,
             conditional: {dependsOn: level, condition: notEquals, value: 1}}
          - {id: other, name: Other, type: string,
             conditional: {dependsOn: kind, condition: notIn, value: [a]}}
fulfillment:
  manual: {project: X, summary: S}
"""

ITEM: CatalogItem = item_from(CHAINED)


def test_a_field_shows_when_its_condition_holds() -> None:
    assert visibility(ITEM, {"kind": "b", "flag": True}) == {
        "kind": True,
        "flag": True,
        "level": True,
        "note": False,
        "other": True,
    }


def test_a_field_behind_a_hidden_field_is_hidden() -> None:
    shown = visibility(ITEM, {"kind": "a", "flag": True, "level": 3})

    assert shown == {
        "kind": True,
        "flag": False,
        "level": False,
        "note": False,
        "other": False,
    }


def test_visible_fields_drops_hidden_and_unknown_and_fills_defaults() -> None:
    values = visible_fields(
        ITEM, {"flag": True, "level": 2, "note": "n", "other": "o", "zzz": 1}
    )

    # kind defaults to "a": flag and everything behind it are hidden.
    assert values == {"kind": "a"}
    assert visible_fields(ITEM, {"kind": "c", "flag": True}) == {
        "kind": "c",
        "flag": True,
        "level": 1,
    }


def test_json_equality_keeps_booleans_apart_from_numbers() -> None:
    assert json_equal(1, 1.0)
    assert not json_equal(True, 1)
    assert not json_equal(0, False)
    assert json_equal({"a": [1, True]}, {"a": [1.0, True]})
    assert not json_equal([1], [1, 2])
    assert not json_equal("1", 1)


_VALUES = st.fixed_dictionaries(
    {},
    optional={
        "kind": st.sampled_from(["a", "b", "c", 1, True]),
        "flag": st.sampled_from([True, False, 1, "true"]),
        "level": st.sampled_from([1, 1.0, 2, True, "1"]),
        "note": st.just("n"),
        "other": st.just("o"),
    },
)


def _shown_by_schema(item: CatalogItem, values: dict[str, Any]) -> dict[str, bool]:
    """Evaluate each field's ``if`` from the generated schema."""
    from jsonschema import Draft202012Validator

    schema = fields_schema(item)
    conditions = {
        next(iter(rule["then"]["properties"])): rule["if"]
        for rule in schema.get("allOf", [])
    }
    return {
        field.id: field.id not in conditions
        or Draft202012Validator(conditions[field.id]).is_valid(values)
        for field in item.fields
    }


@settings(max_examples=200, deadline=None)
@given(_VALUES)
def test_the_schema_and_python_agree_on_what_is_shown(values: dict[str, Any]) -> None:
    assert _shown_by_schema(ITEM, values) == visibility(ITEM, values)
