"""render_value, render_config and evaluate_when: templates in YAML fields."""

from __future__ import annotations

from typing import Any

import pytest

from pao.templates import (
    TemplateError,
    UndefinedVariableError,
    compile_template,
    evaluate_when,
    render_config,
    render_value,
)

CONTEXT: dict[str, Any] = {
    "fields": {
        "size": 20,
        "ratio": 0.5,
        "on": True,
        "tags": ["a", "b"],
        "spec": {"cpu": 2, "labels": {"x": "y"}},
        "name": "db",
        "nothing": None,
    },
    "outputs": {"create-db": {"databaseId": "d-1", "port": 5432}},
}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{fields.size}}", 20),
        ("{{ fields.ratio }}", 0.5),
        ("{{fields.on}}", True),
        ("{{fields.tags}}", ["a", "b"]),
        ("{{json(fields.tags)}}", ["a", "b"]),
        ("{{json(fields.spec)}}", {"cpu": 2, "labels": {"x": "y"}}),
        ("{{fields.spec.labels}}", {"x": "y"}),
        ("{{outputs.create-db.port}}", 5432),
        ("{{fields.missing | default(3)}}", 3),
        ("{{fields.nothing | default(false)}}", False),
        ("{{fields.missing | default(fields.size)}}", 20),
        ("{{json(fields.missing | default(null))}}", None),
        ("{{fields.missing | default}}", ""),
        # Anything more than one lone value is text.
        ("{{fields.size}} GiB", "20 GiB"),
        (" {{fields.size}}", " 20"),
        ("{{fields.size}}\n", "20\n"),
        ("{{upper(fields.name)}}", "DB"),
        ("{{concat(fields.size)}}", "20"),
        ("{{42}}", "42"),
        ("{{#if fields.on}}1{{/if}}", "1"),
        ("no template", "no template"),
        ("", ""),
    ],
)
def test_render_value_keeps_the_type_of_a_lone_value(
    template: str, expected: Any
) -> None:
    assert render_value(template, CONTEXT) == expected


def test_render_value_returns_a_copy() -> None:
    value = render_value("{{fields.spec}}", CONTEXT)

    value["cpu"] = 99

    assert CONTEXT["fields"]["spec"]["cpu"] == 2


def test_render_value_of_a_missing_lone_value_is_an_error() -> None:
    with pytest.raises(UndefinedVariableError, match=r"fields\.nothing is not set"):
        render_value("{{fields.nothing}}", CONTEXT)


def test_render_config_renders_every_string_and_keeps_the_rest() -> None:
    config = {
        "method": "POST",
        "url": "https://db.example/v1/{{outputs.create-db.databaseId}}",
        "body": {
            "name": "{{fields.name}}",
            "sizeGb": "{{fields.size}}",
            "tags": "{{json(fields.tags)}}",
            "replica": "{{fields.on}}",
            "note": "{{fields.size}} GiB",
            "literal": 7,
            "nothing": None,
            "{{fields.name}}": "keys are not rendered",
        },
        "expectedStatus": [200, "{{outputs.create-db.port}}"],
    }

    rendered = render_config(config, CONTEXT)

    assert rendered == {
        "method": "POST",
        "url": "https://db.example/v1/d-1",
        "body": {
            "name": "db",
            "sizeGb": 20,
            "tags": ["a", "b"],
            "replica": True,
            "note": "20 GiB",
            "literal": 7,
            "nothing": None,
            "{{fields.name}}": "keys are not rendered",
        },
        "expectedStatus": [200, 5432],
    }


def test_render_config_errors_say_where_in_the_config() -> None:
    config = {"body": {"items": ["ok", "line1\n{{fields.missing}}"]}}

    with pytest.raises(TemplateError) as caught:
        render_config(config, CONTEXT, location="config")

    assert (
        str(caught.value) == "config.body.items[1]: line 2: fields.missing is not set"
    )


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("{{fields.on}}", True),
        ("{{fields.size}}", True),
        ("yes", True),
        ("{{fields.nothing | default(false)}}", False),
        ("{{fields.missing | default('')}}", False),
        ("  FALSE \n", False),
        ("0", False),
        ("No", False),
        ("null", False),
        ("{{#if fields.missing}}true{{/if}}", False),
        ("{{#if fields.on}}true{{/if}}", True),
    ],
)
def test_when_is_false_for_empty_false_zero_no_and_null(
    template: str, expected: bool
) -> None:
    assert evaluate_when(template, CONTEXT) is expected


def test_compiled_templates_are_cached_by_source() -> None:
    source = "cached {{fields.name}}"

    first = compile_template(source)

    assert compile_template(source) is first
    assert compile_template(source, live=True) is not first
    assert compile_template(source, live=True).live
    assert first.render(CONTEXT) == "cached db"
    assert repr(first) == "<CompiledTemplate preview 'cached {{fields.name}}'>"
