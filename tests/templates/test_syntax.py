"""Exact output of every construct of the template language."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import pytest

from pao.templates import render

CONTEXT: dict[str, Any] = {
    "fields": {
        "name": "orders-db",
        "Mixed": "MiXeD",
        "size": 20,
        "ratio": 2.5,
        "enabled": True,
        "disabled": False,
        "zero": 0,
        "empty": "",
        "nothing": None,
        "list": ["a", "b", "c"],
        "emptyList": [],
        "nested": {"deep": {"value": "v"}, "items": ["x"]},
        "groups": [
            {"name": "g1", "items": ["a", "b"]},
            {"name": "g2", "items": []},
        ],
        "labels": {"tier": "gold", "cost": "cc-1"},
        "a": "A",
        "b": "B",
        "x": "banana",
        "template": "{{fields.name}} {% raw %} {# c #}",
        "key with space": "spaced",
    },
    "metadata": {"id": "postgres-database", "owner": {"team": "acme/dba"}},
    "request": {"id": "r-1", "user": {"email": "a@b.c", "teams": ["acme/x", "acme/y"]}},
    "outputs": {"create-db": {"databaseId": "db-42", "host": "h"}},
    "system": {"date": "2025-01-31"},
}


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        # Variables and paths
        ("{{fields.name}}", "orders-db"),
        ("{{ fields.name }}", "orders-db"),
        ("{{fields.nested.deep.value}}", "v"),
        ("{{fields.list[0]}}-{{fields.list[2]}}", "a-c"),
        ("{{fields.list[-1]}}", "c"),
        ("{{fields.list.1}}", "b"),
        ("{{request.user.teams[1]}}", "acme/y"),
        ("{{fields.groups[1].name}}", "g2"),
        ("{{fields['key with space']}}", "spaced"),
        ('{{fields["name"]}}', "orders-db"),
        ("{{outputs.create-db.databaseId}}", "db-42"),
        ("{{metadata.owner.team}}", "acme/dba"),
        # Value types as text
        ("{{fields.size}}", "20"),
        ("{{fields.ratio}}", "2.5"),
        ("{{fields.enabled}}/{{fields.disabled}}", "true/false"),
        ("{{fields.zero}}", "0"),
        ("[{{fields.empty}}]", "[]"),
        ("{{fields.list}}", '["a", "b", "c"]'),
        ("{{fields.labels}}", '{"tier": "gold", "cost": "cc-1"}'),
        # Literals
        ("{{'text'}}", "text"),
        ('{{"dq \\"x\\""}}', 'dq "x"'),
        ("{{'it\\'s'}}", "it's"),
        ("{{'a\\nb'}}", "a\nb"),
        ("{{42}} {{-1}} {{1.5}}", "42 -1 1.5"),
        ("{{true}} {{false}} [{{null}}]", "true false []"),
        # Filters
        ("{{fields.name | upper}}", "ORDERS-DB"),
        ("{{fields.Mixed|lower}}", "mixed"),
        ("{{fields.missing | default('y')}}", "y"),
        ("{{fields.nothing | default('y')}}", "y"),
        ("{{fields.empty | default('y')}}", ""),
        ("{{fields.name | default('y')}}", "orders-db"),
        ("{{fields.missing.deeper | default('d')}}", "d"),
        ("[{{fields.missing | default}}]", "[]"),
        ("{{fields.missing | default(fields.a)}}", "A"),
        ("{{fields.missing | default(3)}}", "3"),
        ("{{x | default('y')}}", "y"),
        ("{{#if x}}1{{else}}2{{/if}}", "2"),
        ("{{fields.name | upper | replace('-', '_')}}", "ORDERS_DB"),
        ("{{fields.list | join('+')}}", "a+b+c"),
        ("{{fields.a | concat('-', fields.b)}}", "A-B"),
        # Functions
        ("{{upper(fields.name)}}", "ORDERS-DB"),
        ("{{lower('ABC')}}", "abc"),
        ("{{concat(fields.a, '-', fields.b)}}", "A-B"),
        ("{{concat(fields.a, fields.size, fields.enabled)}}", "A20true"),
        ("{{replace(fields.x, 'a', 'o')}}", "bonono"),
        ("{{replace(fields.x, 'an', '')}}", "ba"),
        ("{{join(fields.list, ',')}}", "a,b,c"),
        ("{{join(fields.list)}}", "a,b,c"),
        ("{{join(fields.emptyList, ',')}}", ""),
        ("{{json(fields.list)}}", '["a", "b", "c"]'),
        ("{{json(fields.name)}}", '"orders-db"'),
        ("{{json(fields.size)}}", "20"),
        ("{{json(fields.nested)}}", '{"deep": {"value": "v"}, "items": ["x"]}'),
        ("{{base64(fields.name)}}", base64.b64encode(b"orders-db").decode()),
        ("{{base64('é')}}", base64.b64encode("é".encode()).decode()),
        ("{{default(fields.missing, 'z')}}", "z"),
        ("{{upper(concat(fields.a, lower(fields.b)))}}", "AB"),
        ("{{(fields.name)}}", "orders-db"),
        # if / else if / else
        ("{{#if fields.enabled}}yes{{/if}}", "yes"),
        ("{{#if fields.disabled}}yes{{/if}}", ""),
        ("{{#if fields.enabled}}yes{{else}}no{{/if}}", "yes"),
        ("{{#if fields.disabled}}yes{{else}}no{{/if}}", "no"),
        ("{{#if fields.missing}}yes{{else}}no{{/if}}", "no"),
        ("{{#if fields.nothing}}yes{{else}}no{{/if}}", "no"),
        ("{{#if fields.zero}}yes{{else}}no{{/if}}", "no"),
        ("{{#if fields.empty}}yes{{else}}no{{/if}}", "no"),
        ("{{#if fields.emptyList}}yes{{else}}no{{/if}}", "no"),
        ("{{#if fields.list}}yes{{else}}no{{/if}}", "yes"),
        ("{{#if fields.missing.x}}yes{{else}}no{{/if}}", "no"),
        (
            "{{#if fields.disabled}}1{{else if fields.zero}}2"
            "{{else if fields.a}}3{{/if}}",
            "3",
        ),
        ("{{#if fields.disabled}}1{{else if fields.zero}}2{{else}}4{{/if}}", "4"),
        ("{{# if fields.enabled }}y{{ / if }}", "y"),
        # each over lists and objects
        ("{{#each fields.list}}{{this}},{{/each}}", "a,b,c,"),
        ("{{#each fields.list}}{{@index}}={{this}} {{/each}}", "0=a 1=b 2=c "),
        ("{{#each fields.list}}{{@key}}{{/each}}", "012"),
        (
            "{{#each fields.list}}{{this}}{{#if @last}}.{{else}}, {{/if}}{{/each}}",
            "a, b, c.",
        ),
        ("{{#each fields.list}}{{#if @first}}[{{/if}}{{this}}{{/each}}]", "[abc]"),
        ("{{#each fields.labels}}{{@key}}={{this}};{{/each}}", "tier=gold;cost=cc-1;"),
        ("{{#each fields.labels}}{{@index}}{{/each}}", "01"),
        ("{{#each fields.groups}}{{this.name}} {{/each}}", "g1 g2 "),
        ("{{#each fields.emptyList}}x{{else}}empty{{/each}}", "empty"),
        ("{{#each fields.list}}x{{else}}empty{{/each}}", "xxx"),
        (
            "{{#each fields.groups}}{{this.name}}:"
            "{{#each this.items}}{{this}}{{@index}}{{else}}-{{/each}};{{/each}}",
            "g1:a0b1;g2:-;",
        ),
        (
            "{{#each fields.groups}}{{#each this.items}}{{@index}}{{/each}}"
            "@{{@index}} {{/each}}",
            "01@0 @1 ",
        ),
        ("{{#each fields.list}}{{upper(this)}}{{/each}}", "ABC"),
        ("{{#each fields.list}}{{fields.a}}{{/each}}", "AAA"),
        ("{{#each fields.nested.items}}{{concat(this, '!')}}{{/each}}", "x!"),
        ("{{#each fields.groups}}{{json(this.items)}}{{/each}}", '["a", "b"][]'),
    ],
)
def test_renders_exactly(template: str, expected: str) -> None:
    assert render(template, CONTEXT) == expected


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("plain text", "plain text"),
        ("", ""),
        ("  leading and trailing  \n\n", "  leading and trailing  \n\n"),
        ("a\r\nb\rc\n", "a\r\nb\rc\n"),
        ("tabs\tstay", "tabs\tstay"),
        ("{{fields.a}}\n", "A\n"),
        ("{{#if fields.enabled}}\nyes\n{{/if}}\nafter", "\nyes\n\nafter"),
        ("{{#each fields.list}}\n- {{this}}\n{{/each}}\n", "\n- a\n\n- b\n\n- c\n\n"),
        ("  {{#if fields.enabled}}  x  {{/if}}  ", "    x    "),
        ("<b>{{'<&>\"'}}</b>", '<b><&>"</b>'),
        ("{% raw %}{{fields.a}}{% endraw %}", "{% raw %}A{% endraw %}"),
        ("{# not a comment #}", "{# not a comment #}"),
        ("{%if true%}x{%endif%}", "{%if true%}x{%endif%}"),
        ("{ single } and }} closers }}", "{ single } and }} closers }}"),
        ("{{{fields.a}}}", "{A}"),
        ('{"name": "{{fields.a}}"}', '{"name": "A"}'),
        ('{"list": {{json(fields.list)}}}', '{"list": ["a", "b", "c"]}'),
        ("{{{{fields.a}}", "{{A"),
        ("ends with brace {", "ends with brace {"),
        ("{{fields.a}}{", "A{"),
        ("{{'{'}}{{'%'}} x", "{% x"),
        ("\\{{fields.a}}", "{{fields.a}}"),
        ("\\\\{{fields.a}}", "\\A"),
        ("a \\ b \\{ c", "a \\ b \\{ c"),
        ("x{{! a comment }}y", "xy"),
        ("x{{!-- a comment with }} inside --}}y", "xy"),
        ("{{fields.template}}", "{{fields.name}} {% raw %} {# c #}"),
        ("{{'}}'}}", "}}"),
        ("{{\n  fields.a\n}}", "A"),
        ("ünïcödé {{'😀'}} ✓", "ünïcödé 😀 ✓"),
    ],
)
def test_text_and_whitespace_pass_through(template: str, expected: str) -> None:
    assert render(template, CONTEXT) == expected


def test_json_emits_valid_json_for_any_value() -> None:
    value = {"s": 'quote " and \\ and \n', "n": [1, 2.5, None, True], "u": "é😀"}

    text = render("{{json(fields.v)}}", {"fields": {"v": value}})

    assert json.loads(text) == value


def test_uuid_is_fresh_on_every_call_and_render() -> None:
    template = "{{uuid()}} {{uuid()}}"

    first = render(template, {}).split()
    second = render(template, {}).split()

    pattern = re.compile(
        r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$"
    )
    assert all(pattern.match(value) for value in first + second)
    assert len(set(first + second)) == 4


def test_timestamp_is_utc_iso8601_to_the_second() -> None:
    text = render("{{timestamp()}}", {})

    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", text)


def test_values_are_rendered_once_never_as_templates() -> None:
    context = {"fields": {"a": "{{fields.b}}", "b": "secret-b"}}

    assert render("{{fields.a}}", context) == "{{fields.b}}"
    assert render("{{upper(fields.a)}}", context) == "{{FIELDS.B}}"
    assert (
        render("{{#each fields}}{{this}};{{/each}}", context)
        == "{{fields.b}};secret-b;"
    )
