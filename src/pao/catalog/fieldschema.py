"""JSON Schema (Draft 2020-12) for the value of one form field.

The catalog uses it to check a field's ``default``; the requests layer
assembles the per-field schemas into the schema of a whole request. Both
validate with :data:`FieldValidator`, Draft 2020-12 with two changes that
keep numbers honest: ``multipleOf`` is decided with exact fractions (so
0.3 is a multiple of 0.1) and infinities and NaN are not numbers.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterator
from fractions import Fraction
from typing import Any, cast

import jsonschema
from jsonschema import Draft202012Validator, FormatChecker, ValidationError
from jsonschema.protocols import Validator

from pao.catalog import syntax
from pao.catalog.locate import describe, kind_of
from pao.catalog.models import FormField

__all__ = [
    "FORMAT_CHECKER",
    "FieldValidator",
    "describe_field_error",
    "field_schema",
    "value_problems",
]

REFERENCE_ONLY_MESSAGE = (
    "must be a secret reference (vault:PATH#KEY or env:NAME), not a literal value"
)

FORMAT_CHECKER = FormatChecker(formats=())


@FORMAT_CHECKER.checks("date")
def _is_date(instance: object) -> bool:
    return not isinstance(instance, str) or syntax.is_calendar_date(instance)


def _is_number(checker: Any, instance: object) -> bool:
    if isinstance(instance, bool) or not isinstance(instance, int | float):
        return False
    return not isinstance(instance, float) or math.isfinite(instance)


def _is_integer(checker: Any, instance: object) -> bool:
    if isinstance(instance, float):
        return math.isfinite(instance) and instance.is_integer()
    return isinstance(instance, int) and not isinstance(instance, bool)


def _fraction(number: int | float) -> Fraction:
    # A float's shortest repr is the decimal its author wrote.
    return Fraction(repr(number)) if isinstance(number, float) else Fraction(number)


def _multiple_of(
    validator: Validator, step: int | float, instance: Any, schema: Any
) -> Iterator[ValidationError]:
    if not validator.is_type(instance, "number"):
        return
    if (_fraction(instance) / _fraction(step)).denominator != 1:
        yield ValidationError(f"{instance!r} is not a multiple of {step}")


# jsonschema's extend() carries no type annotations.
_extend: Any = jsonschema.validators.extend
FieldValidator: type[Validator] = _extend(
    Draft202012Validator,
    validators={"multipleOf": _multiple_of},
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine_many(
        {"number": _is_number, "integer": _is_integer}
    ),
)


def field_schema(field: FormField) -> dict[str, Any]:
    """The schema a value of *field* must satisfy, with title and default."""
    schema: dict[str, Any] = {"title": field.name}
    if field.description:
        schema["description"] = field.description
    schema.update(_value_schema(field))
    if field.default is not None:
        schema["default"] = field.default
    return schema


def _value_schema(field: FormField) -> dict[str, Any]:
    rules = field.validation
    values = [option.value for option in field.normalized_options]
    match field.type:
        case "number":
            schema: dict[str, Any] = {"type": "number"}
            if rules is not None:
                _put(schema, minimum=rules.min, maximum=rules.max)
                _put(schema, multipleOf=rules.step)
            return schema
        case "boolean":
            return {"type": "boolean"}
        case "select":
            return {"enum": values}
        case "multiselect":
            schema = {"type": "array", "items": {"enum": values}, "uniqueItems": True}
            if rules is not None:
                _put(schema, minItems=rules.min_length, maxItems=rules.max_length)
            return schema
        case "date":
            return {"type": "string", "format": "date"}
        case "password":
            return {"type": "string", "pattern": syntax.REQUEST_SECRET_REF.pattern}
    schema = {"type": "string"}
    if rules is not None:
        _put(schema, pattern=rules.pattern)
        _put(schema, minLength=rules.min_length, maxLength=rules.max_length)
    return schema


def _put(schema: dict[str, Any], **keywords: Any) -> None:
    schema.update({key: value for key, value in keywords.items() if value is not None})


def value_problems(field: FormField, value: Any) -> list[str]:
    """Why *value* is not acceptable for *field*; empty when it is."""
    validator = _value_validator(field)
    errors = sorted(validator.iter_errors(value), key=lambda e: list(e.path))
    return [describe_field_error(error, field) for error in errors]


_validators: dict[Hashable, Validator] = {}
# Catalogs repeat the same few field shapes; more than this is not a cache.
_MAX_VALIDATORS = 4096


def _value_validator(field: FormField) -> Validator:
    options = tuple(field.options or ())
    key = (field.type, field.validation, options)
    validator = _validators.get(key)
    if validator is None:
        if len(_validators) >= _MAX_VALIDATORS:
            _validators.clear()
        schema = _value_schema(field)
        validator = FieldValidator(schema, format_checker=FORMAT_CHECKER)
        _validators[key] = validator
    return validator


def describe_field_error(error: ValidationError, field: FormField) -> str:
    """A message for *error* in a value of *field* that never echoes a secret."""
    keyword = error.validator
    instance, expected = error.instance, cast(Any, error.validator_value)
    secret = field.type == "password"
    shown = "the value" if secret else describe(instance)
    if keyword == "pattern":
        if secret:
            return REFERENCE_ONLY_MESSAGE
        rules = field.validation
        if rules is not None and rules.message:
            return rules.message
        return f"{shown} does not match the pattern {expected}"
    if keyword == "type":
        return f"must be {_A_TYPE.get(str(expected), expected)}, got {_kind(instance)}"
    if keyword == "format":
        return f"{shown} is not a real calendar date written YYYY-MM-DD"
    if keyword == "enum":
        choices = ", ".join(describe(value) for value in expected)
        return f"{shown} is not one of the options: {choices}"
    return _bound_message(str(keyword), expected, shown)


_A_TYPE = {
    "string": "a string",
    "number": "a finite number",
    "boolean": "true or false",
    "array": "a list",
}


def _kind(value: Any) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return "a non-finite number"
    return kind_of(value)


def _bound_message(keyword: str, expected: Any, shown: str) -> str:
    bounds = {
        "minimum": f"must be at least {expected}",
        "maximum": f"must be at most {expected}",
        "multipleOf": f"must be a multiple of {expected}",
        "minLength": f"must be at least {expected} characters long",
        "maxLength": f"must be at most {expected} characters long",
        "minItems": f"must choose at least {_options(expected)}",
        "maxItems": f"must choose at most {_options(expected)}",
        "uniqueItems": "must not choose an option twice",
    }
    return bounds.get(keyword, f"{shown} is not valid ({keyword})")


def _options(count: Any) -> str:
    return f"{count} option" if count == 1 else f"{count} options"
