"""references(): the variable paths a template reads, with positions."""

from __future__ import annotations

import pytest

from pao.templates import Reference, TemplateSyntaxError, references


def test_lists_every_scope_path_in_order_with_positions() -> None:
    template = (
        "Hello {{fields.name | upper}}\n"
        "{{concat(fields.a, '-', outputs.create-db.databaseId)}}\n"
        "  {{#if request.user.teams[0]}}{{system.date}}{{else}}{{metadata.id}}{{/if}}"
    )

    found = references(template)

    assert found == [
        Reference("fields.name", 1, 9),
        Reference("fields.a", 2, 10),
        Reference("outputs.create-db.databaseId", 2, 25),
        Reference("request.user.teams[0]", 3, 9),
        Reference("system.date", 3, 34),
        Reference("metadata.id", 3, 57),
    ]
    assert found[2].scope == "outputs"
    assert found[2].keys == ("create-db", "databaseId")


def test_loop_variables_are_not_references_but_loop_subjects_are() -> None:
    template = (
        "{{#each fields.groups}}{{this.name}} {{@index}} {{@key}}"
        "{{#each this.items}}{{this}}{{fields.sep}}{{/each}}{{/each}}"
    )

    assert [ref.path for ref in references(template)] == ["fields.groups", "fields.sep"]


def test_unknown_scopes_are_listed_for_the_checker() -> None:
    found = references("{{foo.bar}} {{self}}")

    assert [(ref.path, ref.scope) for ref in found] == [
        ("foo.bar", "foo"),
        ("self", "self"),
    ]


@pytest.mark.parametrize(
    ("template", "path"),
    [
        ("{{fields['a b']}}", "fields['a b']"),
        ("{{fields.list.0}}", "fields.list.0"),
        ("{{fields.list[0]}}", "fields.list[0]"),
        ("{{fields.x[-1]}}", "fields.x[-1]"),
        ("{{ fields . a }}", "fields.a"),
        ("{{default(fields.a, fields.b)}}", "fields.a"),
        ("{{fields}}", "fields"),
    ],
)
def test_paths_are_written_the_way_authors_write_them(template: str, path: str) -> None:
    assert references(template)[0].path == path


def test_text_without_tags_has_no_references() -> None:
    assert references("no {templates} here") == []


def test_syntax_errors_raise() -> None:
    with pytest.raises(TemplateSyntaxError):
        references("{{#if fields.a}}")
