"""render_for_test: what the API's "test variables" tool returns."""

from __future__ import annotations

from pao.templates import MASK, Reference, UndefinedVariableError, render_for_test


def test_renders_with_secrets_masked_and_lists_references() -> None:
    result = render_for_test(
        "{{fields.a}} {{secrets.token}} {{system.date | default('')}}",
        {"fields": {"a": "x"}, "secrets": {"token": "plain-secret-value"}},
    )

    assert result.ok
    assert result.output is not None
    assert result.output.startswith(f"x {MASK} ")
    assert "plain-secret-value" not in result.output
    assert result.references == (
        Reference("fields.a", 1, 3),
        Reference("secrets.token", 1, 16),
        Reference("system.date", 1, 34),
    )


def test_errors_are_returned_not_raised() -> None:
    result = render_for_test("a\n{{fields.b}}", {"fields": {}})

    assert not result.ok
    assert result.output is None
    assert isinstance(result.error, UndefinedVariableError)
    assert result.as_dict() == {
        "ok": False,
        "output": None,
        "error": {
            "message": "line 2: fields.b is not set",
            "line": 2,
            "column": None,
            "path": "fields.b",
        },
        "references": [],
    }


def test_as_dict_of_a_success_is_json_ready() -> None:
    result = render_for_test("{{request.id}}", {"request": {"id": "r-1"}})

    assert result.as_dict() == {
        "ok": True,
        "output": "r-1",
        "error": None,
        "references": [{"path": "request.id", "line": 1, "column": 3}],
    }


def test_unknown_scopes_and_bad_secrets_in_variables_are_errors() -> None:
    unknown = render_for_test("x", {"feilds": {}})
    bad_secrets = render_for_test("x", {"secrets": ["a"]})

    assert str(unknown.error).startswith("unknown scope 'feilds' in variables")
    assert str(bad_secrets.error) == "variables: secrets must be an object"
