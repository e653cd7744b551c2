"""The form response of an item."""

from __future__ import annotations

import pytest

from pao.catalog import validate_item_text
from pao.catalog.forms import build_form

from .conftest import item_with_fields

COMPONENTS = [
    ("string", "text-input"),
    ("number", "number-input"),
    ("boolean", "checkbox"),
    ("select", "dropdown"),
    ("multiselect", "multi-dropdown"),
    ("date", "date-picker"),
    ("textarea", "textarea"),
    ("password", "password-input"),
]


@pytest.mark.parametrize(("kind", "component"), COMPONENTS)
def test_each_field_type_maps_to_its_component(kind: str, component: str) -> None:
    options = "            options: [a]\n" if "select" in kind else ""
    text = item_with_fields(
        f"          - id: value\n            name: Value\n            type: {kind}\n"
        + options
    )
    item, found = validate_item_text(text)
    assert item is not None, found

    field = build_form(item)["groups"][0]["fields"][0]

    assert (field["type"], field["component"]) == (kind, component)


def test_the_form_response_has_the_documented_shape() -> None:
    text = item_with_fields(
        "          - id: engine\n"
        "            name: Engine\n"
        "            type: select\n"
        "            required: true\n"
        "            default: postgres\n"
        "            description: Which database\n"
        "            options: [postgres, {value: aurora, label: Aurora}, 3]\n"
        "          - id: size\n"
        "            name: Size\n"
        "            type: number\n"
        "            placeholder: '20'\n"
        "            validation: {min: 10, max: 100, step: 10}\n"
        "            conditional: {dependsOn: engine, condition: in, value: [aurora]}\n"
    )
    item, found = validate_item_text(text)
    assert item is not None, found

    form = build_form(item)

    assert form == {
        "item_id": "demo",
        "name": "Demo",
        "description": "",
        "version": "1.0.0",
        "groups": [
            {
                "id": "main",
                "name": "Main",
                "description": None,
                "fields": [
                    {
                        "id": "engine",
                        "name": "Engine",
                        "type": "select",
                        "component": "dropdown",
                        "required": True,
                        "description": "Which database",
                        "default": "postgres",
                        "placeholder": None,
                        "options": [
                            {"value": "postgres", "label": "postgres"},
                            {"value": "aurora", "label": "Aurora"},
                            {"value": 3, "label": "3"},
                        ],
                        "validation": {"message": None},
                        "conditional": None,
                    },
                    {
                        "id": "size",
                        "name": "Size",
                        "type": "number",
                        "component": "number-input",
                        "required": False,
                        "description": None,
                        "default": None,
                        "placeholder": "20",
                        "options": [],
                        "validation": {
                            "min": 10,
                            "max": 100,
                            "step": 10,
                            "message": None,
                        },
                        "conditional": {
                            "dependsOn": "engine",
                            "condition": "in",
                            "value": ["aurora"],
                        },
                    },
                ],
            }
        ],
        "validation": {"endpoint": "/api/v1/validate/request"},
    }
