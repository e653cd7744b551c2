"""The JSON Schema of catalog item files."""

from __future__ import annotations

from pathlib import Path

from jsonschema import Draft202012Validator

from pao.catalog.editor_schema import CATALOG_ITEM_SCHEMA_ID, catalog_item_schema
from pao.core.yamlio import load_yaml, load_yaml_file

from .conftest import VALID_ITEM


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    schema = catalog_item_schema()

    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"] == CATALOG_ITEM_SCHEMA_ID
    assert schema["title"] == "pao catalog item"


def test_every_example_item_satisfies_the_schema(examples_dir: Path) -> None:
    validator = Draft202012Validator(catalog_item_schema())
    files = sorted((examples_dir / "catalog-repo").glob("catalog/*/*.yaml"))

    problems = {
        str(path): [error.message for error in validator.iter_errors(data)]
        for path in files
        if (data := load_yaml_file(path).data) is not None
    }

    assert files
    assert {path: found for path, found in problems.items() if found} == {}


def test_the_schema_rejects_unknown_keys_and_types() -> None:
    validator = Draft202012Validator(catalog_item_schema())
    data = load_yaml(
        VALID_ITEM.replace("kind: CatalogItem", "kind: CatalogItem\nextra: 1").replace(
            "type: string", "type: text"
        )
    ).data

    messages = sorted(error.message for error in validator.iter_errors(data))

    assert len(messages) == 2
    assert any("'extra' was unexpected" in message for message in messages)
    assert any("'text' is not one of" in message for message in messages)
