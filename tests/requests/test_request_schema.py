"""The request JSON Schema for editors, and the compiled form cache."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from jsonschema import Draft202012Validator
from request_helpers import CATALOG, ITEM, REQUEST, item_from

from pao.catalog import load_catalog
from pao.core.yamlio import load_yaml, load_yaml_file
from pao.requests import compiled_form, request_schema, validate_request_text


def test_the_request_schema_describes_the_whole_document() -> None:
    schema = request_schema(item_from())

    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == "https://pao.dev/schemas/v1/requests/postgres-database.json"
    assert schema["properties"]["catalogItem"] == {"const": "postgres-database"}
    assert schema["required"] == ["apiVersion", "kind", "catalogItem", "team", "fields"]
    assert schema["additionalProperties"] is False


def test_the_request_schema_accepts_a_good_request_and_rejects_a_bad_one() -> None:
    validator = Draft202012Validator(request_schema(item_from()))
    good = load_yaml(REQUEST).data
    bad = load_yaml(REQUEST.replace("postgres-database", "other")).data

    assert list(validator.iter_errors(good)) == []
    assert [e.json_path for e in validator.iter_errors(bad)] == ["$.catalogItem"]


def test_example_requests_satisfy_their_items_schemas(examples_dir: Path) -> None:
    catalog = load_catalog(examples_dir / "catalog-repo")
    files = sorted((examples_dir / "requests-repo").glob("requests/*/*.yaml"))

    problems = []
    for path in files:
        schema = request_schema(catalog.items[path.parent.name].item)
        validator = Draft202012Validator(schema)
        problems += [
            e.message for e in validator.iter_errors(load_yaml_file(path).data)
        ]

    assert problems == []


def test_a_form_is_compiled_once_per_item_version_and_content() -> None:
    first = compiled_form(item_from())
    again = compiled_form(item_from())
    changed = compiled_form(item_from(ITEM.replace("max: 100", "max: 200")))

    assert again is first
    assert changed is not first
    assert changed.schema["properties"]["sizeGb"]["maximum"] == 200


def test_one_request_validates_in_well_under_two_milliseconds() -> None:
    validate_request_text(REQUEST, CATALOG)
    timings = []
    for _ in range(50):
        start = time.perf_counter()
        validate_request_text(REQUEST, CATALOG)
        timings.append(time.perf_counter() - start)

    assert statistics.median(timings) < 0.002
