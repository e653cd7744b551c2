"""``pao catalog validate``, ``pao request validate``, ``pao form``, ``pao schema``."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import pao.cli.documents  # noqa: F401  (registers the commands)
from pao.cli.app import cli

GOOD_ITEM = """\
apiVersion: pao/v1
kind: CatalogItem
metadata:
  id: demo
  name: Demo
  version: 1.0.0
  category: tools
  owner: {team: acme/platform}
presentation:
  form:
    groups:
      - id: main
        name: Main
        fields:
          - {id: size, name: Size, type: number, required: true,
             validation: {min: 1}}
fulfillment:
  manual: {project: OPS, summary: Create a demo}
"""

REQUEST = """\
apiVersion: pao/v1
kind: Request
catalogItem: {item}
team: acme/payments
fields:
  size: {size}
"""


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A catalog with a good item, a broken one and one with a warning."""
    tools = tmp_path / "catalog" / "tools"
    tools.mkdir(parents=True)
    (tools / "demo.yaml").write_text(GOOD_ITEM)
    (tools / "broken.yaml").write_text(
        GOOD_ITEM.replace("id: demo", "id: broken").replace("1.0.0", "1.0")
    )
    (tools / "noted.yml").write_text("ignored: true\n")
    return tmp_path


def write_request(root: Path, item: str, size: str = "3") -> Path:
    path = root / "requests" / item / "mine.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(REQUEST.format(item=item, size=size))
    return path


def test_a_valid_catalog_exits_0_with_a_summary(examples_dir: Path) -> None:
    result = run("catalog", "validate", str(examples_dir / "catalog-repo"))

    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.endswith(" items, 0 errors, 0 warnings\n")


def test_errors_print_one_per_line_and_exit_1(repo: Path) -> None:
    result = run("catalog", "validate", str(repo))

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "catalog/tools/broken.yaml:6:12: error: metadata.version: must be a semantic"
        " version (MAJOR.MINOR.PATCH) [bad-version]",
        "catalog/tools/noted.yml:1:1: warning: catalog items end in .yaml; this .yml"
        " file is ignored [ignored-file]",
    ]
    assert result.stderr == "2 items, 1 error, 1 warning\n"


def test_json_output_lists_every_diagnostic(repo: Path) -> None:
    result = run("catalog", "validate", str(repo / "catalog"), "--format", "json")

    assert result.exit_code == 1
    assert json.loads(result.stdout) == [
        {
            "file": "catalog/tools/broken.yaml",
            "line": 6,
            "column": 12,
            "severity": "error",
            "code": "bad-version",
            "message": "metadata.version: must be a semantic version"
            " (MAJOR.MINOR.PATCH)",
        },
        {
            "file": "catalog/tools/noted.yml",
            "line": 1,
            "column": 1,
            "severity": "warning",
            "code": "ignored-file",
            "message": "catalog items end in .yaml; this .yml file is ignored",
        },
    ]


def test_warnings_alone_exit_0(repo: Path) -> None:
    (repo / "catalog" / "tools" / "broken.yaml").unlink()

    result = run("catalog", "validate", str(repo))

    assert result.exit_code == 0
    assert result.stderr == "1 item, 0 errors, 1 warning\n"


def test_one_item_file_can_be_validated(repo: Path) -> None:
    result = run("catalog", "validate", str(repo / "catalog/tools/broken.yaml"))

    assert result.exit_code == 1
    assert result.stdout.startswith("catalog/tools/broken.yaml:6:12: error:")


@pytest.mark.parametrize(
    "args",
    [
        ["catalog", "validate"],
        ["catalog", "validate", "/nonexistent/path"],
        ["catalog", "validate", ".", "--format", "xml"],
        ["request", "validate", "x.yaml"],
        ["form", "demo"],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = run(*args)

    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_a_folder_that_is_no_catalog_is_a_usage_error(tmp_path: Path) -> None:
    result = run("catalog", "validate", str(tmp_path))

    assert result.exit_code == 2
    assert "neither a catalog repo" in result.stderr


def test_requests_validate_against_the_valid_part_of_a_catalog(repo: Path) -> None:
    good = write_request(repo, "demo")

    result = run("request", "validate", "--catalog", str(repo), str(good))

    assert result.exit_code == 0, result.output
    assert result.stderr == "1 request, 0 errors, 0 warnings\n"


def test_request_errors_name_the_file_as_given(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_request(repo, "demo", size="0")
    write_request(repo, "broken")
    monkeypatch.chdir(repo)

    result = run("request", "validate", "--catalog", ".", "requests/demo/mine.yaml")
    folder = run("request", "validate", "--catalog", ".", "--format", "json", ".")

    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        "requests/demo/mine.yaml:6:9: error: fields.size: must be at least 1"
        " [invalid-field]",
    ]
    assert folder.exit_code == 1
    assert [(d["file"], d["code"]) for d in json.loads(folder.stdout)] == [
        ("./requests/broken/mine.yaml", "invalid-item"),
        ("./requests/demo/mine.yaml", "invalid-field"),
    ]
    assert folder.stderr == "2 requests, 2 errors, 0 warnings\n"


def test_the_example_requests_validate(examples_dir: Path) -> None:
    catalog = str(examples_dir / "catalog-repo")

    good = run(
        "request", "validate", "--catalog", catalog, str(examples_dir / "requests-repo")
    )
    bad = run(
        "request", "validate", "--catalog", catalog, str(examples_dir / "invalid")
    )

    assert good.exit_code == 0, good.output
    assert bad.exit_code == 1
    assert "Traceback" not in bad.output


def test_form_prints_the_form_json(repo: Path) -> None:
    result = run("form", "demo", "--catalog", str(repo))

    form = json.loads(result.stdout)
    assert result.exit_code == 0
    assert form["item_id"] == "demo"
    assert form["groups"][0]["fields"][0]["component"] == "number-input"


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ("nope", "pao: unknown catalog item 'nope'\n"),
        (
            "broken",
            "pao: catalog item 'broken' is invalid: fix catalog/tools/broken.yaml\n",
        ),
    ],
)
def test_form_of_an_unavailable_item_exits_1(
    repo: Path, item: str, message: str
) -> None:
    result = run("form", item, "--catalog", str(repo))

    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == message


def test_schemas_print_as_json(repo: Path) -> None:
    item_schema = run("schema", "catalog-item")
    request_schema = run("schema", "request", "demo", "--catalog", str(repo))
    unknown = run("schema", "request", "nope", "--catalog", str(repo))

    assert item_schema.exit_code == 0
    assert json.loads(item_schema.stdout)["$id"].endswith("/catalog-item.json")
    assert request_schema.exit_code == 0
    assert json.loads(request_schema.stdout)["$id"].endswith("/requests/demo.json")
    assert unknown.exit_code == 1


def test_the_installed_command_has_the_document_commands(examples_dir: Path) -> None:
    command = [sys.executable, "-m", "pao", "catalog", "validate"]

    done = subprocess.run(
        [*command, str(examples_dir / "catalog-repo")],
        capture_output=True,
        text=True,
        check=False,
    )

    assert done.returncode == 0, done.stderr
    assert done.stderr.endswith("0 errors, 0 warnings\n")
