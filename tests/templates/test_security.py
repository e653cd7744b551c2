"""Hostile templates and hostile values: nothing leaks, nothing explodes."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pao.core.secrets import SecretReference
from pao.templates import (
    MASK,
    Secret,
    TemplateError,
    TemplateLimitError,
    render,
    render_value,
)
from pao.templates.limits import MAX_OUTPUT_CHARS, MAX_TEMPLATE_CHARS

# What leaking a Python object or engine internals would look like.
LEAK = re.compile(
    r"<(class|function|module|built-in|bound|jinja2|Template)|0x[0-9a-f]{6}"
)


class RecordingResolver:
    """Counts resolutions; a preview must never make one."""

    def __init__(self) -> None:
        self.calls: list[SecretReference] = []

    def resolve(self, reference: SecretReference) -> str:
        self.calls.append(reference)
        return "resolved-secret-value"


def _context(resolver: RecordingResolver) -> dict[str, Any]:
    return {
        "fields": {
            "name": "db",
            "list": ["a", "b"],
            "password": Secret("env:PW", name="fields.password", resolver=resolver),
        },
        "secrets": {"token": Secret("env:T", name="secrets.token", resolver=resolver)},
        "environment": {},
    }


# Server-side template injection payloads aimed at Jinja-style engines.
PAYLOADS = [
    "{{''.__class__.__mro__[1].__subclasses__()}}",
    "{{''.__class__}}",
    "{{self}}",
    "{{self._TemplateReference__context}}",
    "{{config}}",
    "{{config.items()}}",
    "{{request.application.__globals__}}",
    "{{cycler.__init__.__globals__.os.popen('id').read()}}",
    "{{joiner.__init__.__globals__}}",
    "{{namespace.__init__.__globals__}}",
    "{{lipsum.__globals__['os'].popen('id').read()}}",
    "{{lipsum}}",
    "{{range(10**9)}}",
    "{{range(10)}}",
    "{{dict}}",
    "{% import os %}{{os.system('id')}}",
    "{% for x in range(10**9) %}{% endfor %}",
    "{%25 print(1) %25}",
    "{# comment #}",
    "{{ '' | attr('__class__') }}",
    "{{ fields | attr('__class__') }}",
    "{{fields.__class__.__mro__}}",
    "{{fields['__class__']}}",
    "{{fields.name.__class__}}",
    "{{fields.name.upper()}}",
    "{{fields.list.pop()}}",
    "{{fields.__init__.__globals__}}",
    "{{secrets.token.reveal()}}",
    "{{secrets.token._value}}",
    "{{secrets.token.reference}}",
    "{{_v}}",
    "{{_s}}",
    "{{#each fields.list}}{{t1}}{{i1}}{{/each}}",
    "{{fields | _p(('fields',), 'x', 1)}}",
    "{{x | f_upper(1)}}",
    "{{'a' * 1000000}}",
    "{{'a' ~ 'b'}}",
    "{{ [].__class__ }}",
    "{{ {}.keys() }}",
    "{{ (1).__class__ }}",
    "{{ fields.name[0:1] }}",
    "{{ getattr(fields, 'x') }}",
    "{{ __import__('os') }}",
    "{{ eval('1') }}",
    "{{ environment.HOME }}",
    "{{'\" ~ self ~ \"'}}",
    "{{\"' ~ config ~ '\"}}",
    "{{'{% raw %}'}}",
    "{{ '{{7*7}}' }}",
    "${{7*7}}",
    "#{7*7}",
    "{{#if fields.name}}{% endif %}{{/if}}",
    "{{#each fields.list}}{% endfor %}{{/each}}",
    "{%- if true -%}x{%- endif -%}",
    "{{- fields.name -}}",
    "{{fields.name|e}}",
    "{{fields.name|safe}}",
    "{{ json(fields) | json | json }}",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_injection_payloads_fail_cleanly_or_render_harmlessly(payload: str) -> None:
    resolver = RecordingResolver()

    try:
        output = render(payload, _context(resolver))
    except TemplateError as exc:
        output = str(exc)

    assert not LEAK.search(output), output
    assert "resolved-secret-value" not in output
    assert "/root" not in output
    assert "uid=" not in output
    assert resolver.calls == []


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        ("{% import os %}", "{% import os %}"),
        ("{{'\" ~ self ~ \"'}}", '" ~ self ~ "'),
        ("{{ '{{7*7}}' }}", "{{7*7}}"),
        ("{{'{% raw %}'}}", "{% raw %}"),
        ("{%- if true -%}x{%- endif -%}", "{%- if true -%}x{%- endif -%}"),
        ("{{ json(fields.password) }}", f'"{MASK}"'),
        ("{{ json(fields) | json }}", None),
    ],
)
def test_engine_syntax_in_templates_is_text(payload: str, expected: str | None) -> None:
    output = render(payload, _context(RecordingResolver()))

    if expected is not None:
        assert output == expected
    assert "resolved-secret-value" not in output


def test_python_internals_are_just_missing_keys() -> None:
    with pytest.raises(TemplateError) as caught:
        render("{{fields.__class__.__mro__}}", _context(RecordingResolver()))

    assert str(caught.value) == "line 1: fields.__class__.__mro__ is not set"


def test_huge_output_is_cut_off() -> None:
    context = {"fields": {"items": list(range(2000)), "chunk": "x" * 1000}}

    with pytest.raises(TemplateLimitError, match="output is over the limit"):
        render("{{#each fields.items}}{{fields.chunk}}{{/each}}", context)


def test_total_loop_iterations_are_bounded() -> None:
    context = {"fields": {"items": list(range(200))}}
    template = "{{#each fields.items}}{{#each fields.items}}{{/each}}{{/each}}"

    with pytest.raises(TemplateLimitError, match="loops ran more than 10000 times"):
        render(template, context)


@pytest.mark.parametrize(
    "template",
    [
        "{{replace(fields.x, '', fields.y)}}",
        "{{concat(fields.y, fields.y, fields.y)}}",
        "{{join(fields.many, fields.y)}}",
        "{{upper(concat(fields.y, fields.y))}}",
    ],
)
def test_functions_cannot_build_strings_past_the_limit(template: str) -> None:
    context = {
        "fields": {
            "x": "a" * 2000,
            "y": "b" * (MAX_OUTPUT_CHARS // 2 + 1),
            "many": ["c"] * 10,
        }
    }

    with pytest.raises(TemplateLimitError):
        render(template, context)


def test_oversized_templates_are_refused() -> None:
    template = "{{fields.a}}" + "x" * MAX_TEMPLATE_CHARS

    with pytest.raises(TemplateLimitError, match="over 262144"):
        render(template, {"fields": {"a": 1}})


def test_values_that_are_not_data_cannot_be_printed() -> None:
    context = {"fields": {"f": print, "o": object()}}

    for template in ("{{fields.f}}", "{{json(fields.o)}}", "{{upper(fields.f)}}"):
        with pytest.raises(TemplateError) as caught:
            render(template, context)
        assert not LEAK.search(str(caught.value))


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200).filter(lambda t: "{{" not in t))
def test_text_without_tags_renders_unchanged(text: str) -> None:
    assert render(text, {}) == text


@settings(max_examples=200, deadline=None)
@given(
    before=st.text(max_size=30).filter(lambda t: "{" not in t and "\\" not in t),
    value=st.text(max_size=60),
    after=st.text(max_size=30).filter(lambda t: "{{" not in t),
)
def test_field_values_are_data_never_templates(
    before: str, value: str, after: str
) -> None:
    context = {"fields": {"x": value, "y": "must-not-appear"}}

    output = render(f"{before}{{{{fields.x}}}}{after}", context)

    assert output == f"{before}{value}{after}"


@settings(max_examples=200, deadline=None)
@given(value=_JSON)
def test_json_function_round_trips_any_json_value(value: Any) -> None:
    context = {"fields": {"v": value}}

    text = render("{{json(fields.v)}}", context) if value is not None else "null"

    assert json.loads(text) == value
    if value is not None:
        assert render_value("{{json(fields.v)}}", context) == value


@settings(max_examples=400, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                *"{}#/|.()[],'\"@!-\\ \nabxyz019_",
                *("{{", "}}", "{%", "%}", "{#", "fields", "this", "each", "if"),
                *("else", "upper", "json", "secrets.token", "@index", "__class__"),
            ]
        ),
        max_size=40,
    ).map("".join)
)
def test_arbitrary_templates_raise_only_template_errors(template: str) -> None:
    resolver = RecordingResolver()

    try:
        output = render(template, _context(resolver))
    except TemplateError as exc:
        output = str(exc)

    assert not LEAK.search(output)
    assert "resolved-secret-value" not in output
    assert resolver.calls == []
