"""Validation of one field's value: numbers, dates, secrets, messages."""

from __future__ import annotations

from typing import Any

import pytest

from pao.catalog.fieldschema import field_schema, value_problems
from pao.catalog.models import FormField


def field(kind: str, **extra: Any) -> FormField:
    return FormField.model_validate({"id": "x", "name": "X", "type": kind, **extra})


@pytest.mark.parametrize("value", [0.3, 0.6, 0.7, 1.1, 10])
def test_float_steps_are_exact(value: float) -> None:
    number = field("number", validation={"step": 0.1})

    assert value_problems(number, value) == []


@pytest.mark.parametrize("value", [0.35, 0.01, 1e-9])
def test_values_off_the_step_are_rejected(value: float) -> None:
    number = field("number", validation={"step": 0.1})

    assert value_problems(number, value) == ["must be a multiple of 0.1"]


def test_huge_numbers_against_small_steps_do_not_overflow() -> None:
    number = field("number", validation={"step": 0.5})

    assert value_problems(number, 10**300) == []
    assert value_problems(number, 1e308) == []


@pytest.mark.parametrize("value", [float("inf"), float("nan"), True])
def test_non_finite_numbers_and_booleans_are_not_numbers(value: Any) -> None:
    problems = value_problems(field("number"), value)

    assert len(problems) == 1
    assert problems[0].startswith("must be a finite number")


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("2024-02-29", True),
        ("2025-02-29", False),
        ("2025-02-30", False),
        ("2025-13-01", False),
        ("20250101", False),
        ("2025-1-01", False),
    ],
)
def test_dates_must_exist_on_the_calendar(value: str, ok: bool) -> None:
    assert (value_problems(field("date"), value) == []) is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("vault:secret/payments/db#password", True),
        ("env:DB_PASSWORD", True),
        ("file:/etc/shadow", False),
        ("hunter2", False),
        ("vault:secret/payments/db", False),
        ("env:1BAD", False),
    ],
)
def test_password_values_are_secret_references_only(value: str, ok: bool) -> None:
    problems = value_problems(field("password"), value)

    assert (problems == []) is ok
    assert all(value not in problem for problem in problems)


def test_a_custom_message_replaces_the_pattern_error() -> None:
    string = field("string", validation={"pattern": "^[a-z]+$", "message": "lower"})

    assert value_problems(string, "ABC") == ["lower"]


def test_the_field_schema_carries_title_description_and_default() -> None:
    multiselect = field(
        "multiselect",
        description="Pick some",
        options=["a", {"value": "b", "label": "B"}],
        default=["a"],
        validation={"minLength": 1, "maxLength": 2},
    )

    assert field_schema(multiselect) == {
        "title": "X",
        "description": "Pick some",
        "type": "array",
        "items": {"enum": ["a", "b"]},
        "uniqueItems": True,
        "minItems": 1,
        "maxItems": 2,
        "default": ["a"],
    }
