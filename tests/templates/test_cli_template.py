"""pao template render / references, as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import pao.cli.templates  # noqa: F401  (registers the commands)
from pao.cli.app import cli


def _write(path: Path, text: str) -> str:
    path.write_bytes(text.encode("utf-8"))
    return str(path)


@pytest.fixture
def variables(tmp_path: Path) -> str:
    data = {
        "fields": {"instanceName": "orders-db", "tags": ["a", "b"]},
        "request": {"id": "r-1", "user": {"email": "a@b.c", "teams": ["acme/x"]}},
        "outputs": {"create-db": {"databaseId": "db-9"}},
        "secrets": {"token": "tok-literal-value", "ref": "env:HOME"},
    }
    return _write(tmp_path / "vars.json", json.dumps(data))


def test_render_prints_exactly_the_rendered_text(
    tmp_path: Path, variables: str
) -> None:
    template = _write(
        tmp_path / "t.txt",
        "Name: {{fields.instanceName | upper}}\r\n"
        "{{#each fields.tags}}- {{this}}\n{{/each}}"
        "Auth: Bearer {{secrets.token}} {{secrets.ref}}\n"
        "Db: {{outputs.create-db.databaseId}} by {{request.user.email}}",
    )

    result = CliRunner().invoke(
        cli, ["template", "render", template, "--vars", variables]
    )

    assert result.exit_code == 0, result.stderr
    assert result.stdout_bytes == (
        b"Name: ORDERS-DB\r\n- a\n- b\nAuth: Bearer *** ***\nDb: db-9 by a@b.c"
    )
    assert result.stderr == ""


def test_render_keeps_a_final_newline_and_adds_none(tmp_path: Path) -> None:
    with_newline = _write(tmp_path / "a.txt", "x\n")
    without = _write(tmp_path / "b.txt", "x")

    runner = CliRunner()

    assert runner.invoke(cli, ["template", "render", with_newline]).stdout == "x\n"
    assert runner.invoke(cli, ["template", "render", without]).stdout == "x"


def test_render_reads_the_template_from_stdin(variables: str) -> None:
    result = CliRunner().invoke(
        cli,
        ["template", "render", "-", "--vars", variables],
        input="{{fields.instanceName}}",
    )

    assert result.exit_code == 0
    assert result.stdout == "orders-db"


def test_missing_variable_exits_1_naming_path_and_line(
    tmp_path: Path, variables: str
) -> None:
    template = _write(tmp_path / "t.txt", "a\nb\nc {{fields.instanceNam}}\n")

    result = CliRunner().invoke(
        cli, ["template", "render", template, "--vars", variables]
    )

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == "error: line 3: fields.instanceNam is not set\n"


@pytest.mark.parametrize(
    ("template", "vars_text", "message"),
    [
        (
            "{{#if x}}",
            None,
            "error: line 1: {{#if}} is never closed (missing {{/if}})\n",
        ),
        ("{{foo}}", None, "error: line 1: foo is not set: foo is not a variable scope"),
        ("x", "[1]", "variables must be a JSON object keyed by scope name"),
        ("x", "{not json", "not a JSON document"),
        ("x", '{"feilds": {}}', "error: unknown scope 'feilds' in variables"),
        ("{{range(3)}}", None, "error: line 1: unknown function 'range'"),
    ],
)
def test_errors_exit_1_with_a_message(
    tmp_path: Path, template: str, vars_text: str | None, message: str
) -> None:
    arguments = ["template", "render", _write(tmp_path / "t.txt", template)]
    if vars_text is not None:
        arguments += ["--vars", _write(tmp_path / "v.json", vars_text)]

    result = CliRunner().invoke(cli, arguments)

    assert result.exit_code == 1
    assert message in result.stderr


def test_unreadable_files_exit_1(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["template", "render", str(tmp_path / "nope")])

    assert result.exit_code == 1
    assert "cannot read template" in result.stderr


def test_references_lists_paths_with_positions(tmp_path: Path) -> None:
    template = _write(tmp_path / "t.txt", "{{fields.a}}\n  {{outputs.create-db.id}}")

    result = CliRunner().invoke(cli, ["template", "references", template])

    assert result.exit_code == 0
    assert result.stdout == "1:3 fields.a\n2:5 outputs.create-db.id\n"


def test_installed_command_renders_bytes_exactly(
    tmp_path: Path, variables: str
) -> None:
    template = _write(tmp_path / "t.txt", "ünï {{fields.instanceName}}\r\n")

    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pao",
            "template",
            "render",
            template,
            "--vars",
            variables,
        ],
        capture_output=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout == "ünï orders-db\r\n".encode()
