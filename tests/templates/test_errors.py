"""Errors name the variable path or construct and the template line."""

from __future__ import annotations

from typing import Any

import pytest

from pao.templates import (
    TemplateError,
    TemplateLimitError,
    TemplateSyntaxError,
    TemplateValueError,
    UndefinedVariableError,
    UnknownScopeError,
    compile_template,
    render,
)

CONTEXT: dict[str, Any] = {
    "fields": {"name": "db", "list": [1, 2], "obj": {"a": 1}, "nothing": None},
    "outputs": {"create-db": {"id": "x"}},
}


@pytest.mark.parametrize(
    ("template", "message", "line", "column"),
    [
        ("{{fields.name", "tag is never closed (missing '}}')", 1, 14),
        ("{{}}", "empty tag", 1, 1),
        ("{{ }}", "empty tag", 1, 1),
        ("a\n{{#if fields.x}}b", "{{#if}} is never closed (missing {{/if}})", 2, 1),
        ("{{#each fields.x}}", "{{#each}} is never closed (missing {{/each}})", 1, 1),
        ("x{{/if}}", "{{/ if}} without an open block", 1, 2),
        ("{{else}}", "{{else}} without an open block", 1, 1),
        (
            "{{#if fields.a}}\n{{/each}}",
            "{{/ each}} cannot close {{#if}} opened at line 1",
            2,
            1,
        ),
        ("{{#if}}{{/if}}", "expected a condition after '# if'", 1, 1),
        ("{{#each}}{{/each}}", "expected a list or object after '# each'", 1, 1),
        ("{{#unless x}}", "expected 'if' or 'each' after '#'", 1, 1),
        ("{{#if a}}{{/if x}}", "unexpected 'x' after '/ if'", 1, 16),
        ("{{#if a}}{{else x}}{{/if}}", "unexpected 'x' after 'else'", 1, 17),
        ("{{fields.a b}}", "unexpected 'b'", 1, 12),
        ("{{fields.}}", "expected a key after '.' before '}}'", 1, 10),
        (
            "{{fields.a[}}",
            "expected an index or quoted key after '[' before '}}'",
            1,
            12,
        ),
        (
            "{{fields.a[b]}}",
            "expected an integer or a quoted key in [], found 'b'",
            1,
            12,
        ),
        (
            "{{fields.a[1.5]}}",
            "expected an integer or a quoted key in [], found 1.5",
            1,
            12,
        ),
        (
            "{{range(10)}}",
            "unknown function 'range' (functions: upper, lower, concat, "
            "replace, json, base64, uuid, timestamp, join, default)",
            1,
            3,
        ),
        ("{{x | nope}}", "unknown function 'nope'", 1, 7),
        ("{{upper()}}", "upper() takes 1 arguments, got 0", 1, 3),
        ("{{replace(a, 'b')}}", "replace() takes 3 arguments, got 2", 1, 3),
        ("{{uuid(1)}}", "uuid() takes 0 arguments, got 1", 1, 3),
        ("{{join()}}", "join() takes 1 to 2 arguments, got 0", 1, 3),
        ("{{this}}", "this is only available inside {{#each}}", 1, 3),
        ("{{@index}}", "@index is only available inside {{#each}}", 1, 3),
        ("{{#each a}}{{@nope}}{{/each}}", "unknown loop variable @nope", 1, 14),
        ("{{#each a}}{{@index.x}}{{/each}}", "@index has no keys below it", 1, 14),
        ("{{'open}}", "string is never closed", 1, 3),
        ("{{'bad \\q'}}", "unknown escape \\q in string", 1, 3),
        ("{{1 + 2}}", "unexpected character '+'", 1, 5),
        ("{{10**9}}", "unexpected character '*'", 1, 5),
        ("{{a == b}}", "unexpected character '='", 1, 5),
        ("{{123456789012345678901}}", "is too long", 1, 3),
        ("{{1e999}}", "number 1e999 is out of range", 1, 3),
        ("{{!-- never closed }}", "comment is never closed (missing '--}}')", 1, 1),
        ("{{upper(a}}", "expected ',' or ')' before '}}'", 1, 10),
        ("{{upper(a b)}}", "expected ',' or ')', found 'b'", 1, 11),
        ("{{a | }}", "expected a function name after '|' before '}}'", 1, 7),
        ("{{(a}}", "expected ')' before '}}'", 1, 5),
    ],
)
def test_syntax_errors_say_what_and_where(
    template: str, message: str, line: int, column: int
) -> None:
    with pytest.raises(TemplateSyntaxError) as caught:
        compile_template(template)

    assert message in caught.value.message
    assert (caught.value.line, caught.value.column) == (line, column)
    assert str(caught.value).startswith(f"line {line}: ")


def test_missing_value_is_an_error_naming_path_and_line() -> None:
    with pytest.raises(UndefinedVariableError) as caught:
        render("a\nb\nline3 {{fields.instanceName}}", CONTEXT)

    assert str(caught.value) == "line 3: fields.instanceName is not set"
    assert caught.value.path == "fields.instanceName"
    assert caught.value.line == 3


@pytest.mark.parametrize(
    ("template", "message"),
    [
        ("{{fields.nothing}}", "fields.nothing is not set"),
        ("{{fields.list[5]}}", "fields.list[5] is not set"),
        ("{{fields.obj.b.c}}", "fields.obj.b.c is not set"),
        ("{{metadata.id}}", "metadata.id is not set"),
        ("{{outputs.create-db.host}}", "outputs.create-db.host is not set"),
        ("{{outputs.other.id}}", "outputs.other.id is not set"),
        ("{{upper(fields.x)}}", "fields.x is not set"),
        ("{{#each fields.x}}{{/each}}", "fields.x is not set"),
        (
            "{{#each fields.list}}{{this.a}}{{/each}}",
            "this.a: cannot read 'a' from a number",
        ),
        ("{{concat('a', fields.x | upper)}}", "fields.x is not set"),
        ("{{fields.missing | default(fields.other)}}", "fields.other is not set"),
    ],
)
def test_render_errors_name_the_path(template: str, message: str) -> None:
    with pytest.raises(TemplateError) as caught:
        render(template, CONTEXT)

    assert message in str(caught.value)
    assert caught.value.line == 1


@pytest.mark.parametrize(
    ("template", "error", "message"),
    [
        (
            "{{fields.name.first}}",
            TemplateValueError,
            "fields.name.first: cannot read 'first' from a string",
        ),
        (
            "{{fields.list.x}}",
            TemplateValueError,
            "fields.list.x: cannot read 'x' from a list",
        ),
        (
            "{{#each fields.name}}{{/each}}",
            TemplateValueError,
            "fields.name is a string; {{#each}} needs a list or object",
        ),
        (
            "{{#each 'abc'}}{{/each}}",
            TemplateValueError,
            "value is a string; {{#each}} needs a list or object",
        ),
        (
            "{{join(fields.name, ',')}}",
            TemplateValueError,
            "join() needs a list, got a string",
        ),
        (
            "{{json(fields.nan)}}",
            TemplateValueError,
            "NaN and infinity are not valid JSON",
        ),
        (
            "{{foo.bar}}",
            UnknownScopeError,
            "foo.bar is not set: foo is not a variable scope (scopes: fields, "
            "metadata, request, system, environment, outputs, secrets)",
        ),
        ("{{self}}", UnknownScopeError, "self is not a variable scope"),
    ],
)
def test_value_errors_are_readable(
    template: str, error: type[TemplateError], message: str
) -> None:
    context = {"fields": {**CONTEXT["fields"], "nan": float("nan")}}

    with pytest.raises(error) as caught:
        render(template, context)

    assert message in caught.value.message


def test_syntax_error_on_a_later_line_counts_lines() -> None:
    template = "line 1\nline 2 {{fields.a}}\n  {{ upper(fields.b }}"

    with pytest.raises(TemplateSyntaxError) as caught:
        compile_template(template)

    assert (caught.value.line, caught.value.column) == (3, 21)


def test_blocks_nested_too_deep_are_refused() -> None:
    template = "{{#if fields.a}}" * 40 + "{{/if}}" * 40

    with pytest.raises(TemplateLimitError) as caught:
        compile_template(template)

    assert "nested more than 32 deep" in caught.value.message


def test_expressions_nested_too_deep_are_refused() -> None:
    template = "{{" + "upper(" * 40 + "'x'" + ")" * 40 + "}}"

    with pytest.raises(TemplateLimitError):
        compile_template(template)


def test_error_repr_and_location() -> None:
    error = UndefinedVariableError("fields.x is not set", line=2, path="fields.x")

    assert repr(error) == (
        "UndefinedVariableError('fields.x is not set', line=2, column=None, "
        "path='fields.x')"
    )
    assert str(error.at("config.body.name")) == (
        "config.body.name: line 2: fields.x is not set"
    )
