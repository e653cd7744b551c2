"""The reusable GitHub Actions and ``pao annotate``, which they rely on."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner

import pao.cli
import pao.cli.annotations  # registers the command
from pao.cli.annotations import escape_data, escape_property, workflow_command
from pao.cli.app import cli

ACTIONS = Path(__file__).resolve().parents[1] / "github-actions"
BIN = Path(sys.executable).parent


def _action(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((ACTIONS / name / "action.yml").read_text())
    return loaded


# -- escaping -----------------------------------------------------------------


def test_data_escapes_percent_cr_and_lf_only() -> None:
    assert escape_data("50% done\r\nnext: a,b") == "50%25 done%0D%0Anext: a,b"


def test_properties_also_escape_colon_and_comma() -> None:
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_a_diagnostic_becomes_one_workflow_command() -> None:
    diagnostic = {
        "file": "catalog/db/pg,v2.yaml",
        "line": 11,
        "column": 3,
        "severity": "error",
        "code": "yaml",
        "message": "duplicate key 'name'\n(first at line 7): 100%",
    }

    command = workflow_command(diagnostic, prefix="repo/")

    assert command == (
        "::error file=repo/catalog/db/pg%2Cv2.yaml,line=11,col=3,title=pao%3A yaml"
        "::duplicate key 'name'%0A(first at line 7): 100%25"
    )


def test_warnings_stay_warnings() -> None:
    diagnostic = {
        "file": "a.yaml",
        "line": 1,
        "column": 1,
        "severity": "warning",
        "code": "deprecated",
        "message": "m",
    }

    assert workflow_command(diagnostic).startswith("::warning file=a.yaml,")


# -- pao annotate ---------------------------------------------------------------


def _annotate(stdin: str, *args: str) -> Any:
    return CliRunner().invoke(cli, ["annotate", *args], input=stdin)


def test_annotate_reads_the_validators_json() -> None:
    diagnostics = [
        {
            "file": "a.yaml",
            "line": 2,
            "column": 5,
            "severity": "error",
            "code": "missing-field",
            "message": "missing 'size'",
        },
        {
            "file": "b.yaml",
            "line": 1,
            "column": 1,
            "severity": "warning",
            "code": "deprecated",
            "message": "use v2",
        },
    ]

    result = _annotate(json.dumps(diagnostics), "--path-prefix", "./sub/")

    assert result.exit_code == 0
    assert result.stdout.splitlines() == [
        "::error file=./sub/a.yaml,line=2,col=5,title=pao%3A missing-field"
        "::missing 'size'",
        "::warning file=./sub/b.yaml,line=1,col=1,title=pao%3A deprecated::use v2",
    ]


@pytest.mark.parametrize("prefix", ["", ".", "./"])
def test_a_root_prefix_adds_nothing(prefix: str) -> None:
    result = _annotate('[{"file": "a.yaml", "message": "m"}]', "--path-prefix", prefix)

    assert result.stdout.startswith("::notice file=a.yaml,")


def test_no_input_means_no_annotations() -> None:
    result = _annotate("")

    assert (result.exit_code, result.stdout) == (0, "")


@pytest.mark.parametrize("stdin", ["{", '{"file": "a"}', "[1]", '[{"line": 1}]'])
def test_bad_input_exits_1(stdin: str) -> None:
    result = _annotate(stdin)

    assert result.exit_code == 1
    assert result.stderr.startswith("pao: cannot read diagnostics on stdin:")


def test_annotate_is_registered_with_pao() -> None:
    assert "annotations" in pao.cli._COMMAND_MODULES


# -- the action files ---------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "inputs"),
    [
        ("validate-catalog", {"path", "pao-version", "pao-ref", "python-version"}),
        (
            "validate-requests",
            {"catalog-path", "files", "pao-version", "pao-ref", "python-version"},
        ),
    ],
)
def test_actions_are_composite_with_their_inputs(name: str, inputs: set[str]) -> None:
    action = _action(name)

    assert set(action["inputs"]) == inputs
    assert all("description" in spec for spec in action["inputs"].values())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    assert "install-pao.sh" in steps[1]["run"]
    assert "run-validation.sh" in steps[2]["run"]


@pytest.mark.parametrize("name", ["validate-catalog", "validate-requests"])
def test_run_steps_read_inputs_from_the_environment_only(name: str) -> None:
    # An input spliced into a script could inject shell code.
    for step in _action(name)["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"]
            assert step["shell"] == "bash"
            for script in re.findall(r"scripts/([\w-]+\.sh)", step["run"]):
                assert (ACTIONS / "scripts" / script).is_file()


@pytest.mark.parametrize("name", ["validate-catalog", "validate-requests"])
def test_required_inputs_have_no_default_and_others_do(name: str) -> None:
    for spec in _action(name)["inputs"].values():
        assert spec["required"] is ("default" not in spec)


# -- the scripts --------------------------------------------------------------


def _run(script: str, *args: str, env: dict[str, str], cwd: Path) -> Any:
    return subprocess.run(
        ["bash", str(ACTIONS / "scripts" / script), *args],
        env={"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **env},
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_validation_of_an_invalid_catalog_fails_with_annotations(
    examples_dir: Path,
) -> None:
    done = _run(
        "run-validation.sh",
        "pao",
        "catalog",
        "validate",
        "invalid/catalog-repo",
        env={"PAO_PATH_PREFIX": "invalid/catalog-repo"},
        cwd=examples_dir,
    )

    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert lines
    assert all(line.startswith(("::error file=", "::warning file=")) for line in lines)
    assert (
        "::error file=invalid/catalog-repo/catalog/access/ssh-access.yaml,"
        "line=11,col=3,title=pao%3A yaml::duplicate key 'name'"
    ) in done.stdout


@pytest.fixture
def stub_bin(tmp_path: Path) -> Path:
    """A ``pao`` that only tells its version, so nothing gets installed."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    stub = bin_dir / "pao"
    stub.write_text("#!/bin/sh\necho 'pao, version 0.1.0'\n")
    stub.chmod(0o755)
    return bin_dir


@pytest.fixture
def recording_pao(tmp_path: Path) -> Path:
    """A ``pao`` that records how it was called and reports no problem."""
    bin_dir = tmp_path / "rec-bin"
    bin_dir.mkdir()
    stub = bin_dir / "pao"
    stub.write_text(
        "#!/bin/bash\n"
        'if [ "$1" = annotate ]; then cat >/dev/null; exit 0; fi\n'
        'printf "%s\\n" "$@" > "$PAO_ARGS"\n'
        "echo '[]'\n"
    )
    stub.chmod(0o755)
    return bin_dir


@pytest.mark.parametrize(
    ("name", "env", "args"),
    [
        (
            "validate-catalog",
            {"PAO_CATALOG": "my catalog", "PAO_PATH_PREFIX": "my catalog"},
            ["catalog", "validate", "my catalog"],
        ),
        (
            "validate-requests",
            {
                "PAO_CATALOG": ".pao-catalog",
                "PAO_FILES": "requests/a.yaml\n  b\t*.yaml",
            },
            [
                "request",
                "validate",
                "--catalog",
                ".pao-catalog",
                "requests/a.yaml",
                "b",
                "*.yaml",
            ],
        ),
    ],
)
def test_the_validation_step_passes_inputs_as_whole_arguments(
    recording_pao: Path,
    tmp_path: Path,
    name: str,
    env: dict[str, str],
    args: list[str],
) -> None:
    step = _action(name)["runs"]["steps"][2]
    record = tmp_path / "args"

    done = subprocess.run(
        ["bash", "-c", step["run"]],
        env={
            "PATH": f"{recording_pao}{os.pathsep}/usr/bin:/bin",
            "GITHUB_ACTION_PATH": str(ACTIONS / name),
            "PAO_ARGS": str(record),
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )

    assert done.returncode == 0, done.stderr
    assert record.read_text().splitlines() == [*args, "--format", "json"]


@pytest.mark.parametrize(
    ("env", "spec"),
    [
        ({"PAO_VERSION": "0.2.0"}, "pao==0.2.0"),
        ({"PAO_VERSION": "pao[test]>=0.2"}, "pao[test]>=0.2"),
        (
            {"PAO_REF": "v1", "PAO_REPO_URL": "https://github.example/acme/pao.git"},
            "pao @ git+https://github.example/acme/pao.git@v1",
        ),
        (
            {"PAO_SOURCE": "/actions/pao/github-actions/x/../.."},
            "/actions/pao/github-actions/x/../..",
        ),
    ],
)
def test_install_picks_the_requirement(
    stub_bin: Path, tmp_path: Path, env: dict[str, str], spec: str
) -> None:
    done = subprocess.run(
        ["bash", str(ACTIONS / "scripts" / "install-pao.sh")],
        env={
            "PATH": f"{stub_bin}{os.pathsep}/usr/bin:/bin",
            "PAO_PIP": "echo pip",
            "PAO_SOURCE": "/src",
            **env,
        },
        capture_output=True,
        text=True,
        check=False,
        cwd=tmp_path,
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        f"pip install --disable-pip-version-check --quiet {spec}",
        "pao, version 0.1.0",
    ]


# -- the README ---------------------------------------------------------------


def test_the_readme_workflows_use_the_actions_as_declared() -> None:
    readme = (ACTIONS / "README.md").read_text()
    blocks = re.findall(r"```yaml\n(.*?)```", readme, flags=re.DOTALL)
    used: dict[str, dict[str, Any]] = {}

    for block in blocks:
        workflow = yaml.safe_load(block)
        for job in workflow["jobs"].values():
            for step in job["steps"]:
                match = re.search(r"github-actions/([\w-]+)@", step.get("uses", ""))
                if match:
                    used[match.group(1)] = step.get("with", {})

    assert set(used) == {"validate-catalog", "validate-requests"}
    for name, given in used.items():
        inputs = _action(name)["inputs"]
        assert set(given) <= set(inputs)
        required = {key for key, spec in inputs.items() if spec["required"]}
        assert required <= set(given)
