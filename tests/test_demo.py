"""``pao demo --once``: the README's first command, run as a user would."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

import pao
from gitutil import git
from pao.cli.demo_repos import (
    ExamplesNotFound,
    RepoSetupError,
    create_repos,
    locate_examples,
)
from pao.cli.demo_world import TicketDesk, bind_api_socket, patched_environ
from pao.reconcilers.plan import request_id_for
from pao.standins import JiraStandin

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
BROKEN = ("artifact-repository", "search-maven")


def example_requests() -> list[tuple[str, str]]:
    files = sorted((EXAMPLES / "requests-repo" / "requests").glob("*/*.yaml"))
    return [(path.parent.name, path.stem) for path in files]


def clean_environment(home: Path) -> dict[str, str]:
    # A fresh machine: no pao configuration, no service URLs or secrets,
    # no git identity.
    kept = ("PATH", "LANG", "LC_ALL", "SYSTEMROOT", "TMPDIR")
    env = {name: os.environ[name] for name in kept if name in os.environ}
    return env | {"HOME": str(home), "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}


@pytest.fixture(scope="module")
def demo_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("demo")
    home = tmp_path_factory.mktemp("home")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pao",
            "demo",
            "--once",
            "--data-dir",
            str(root / "world"),
            "--port",
            "0",
            "--timeout",
            "90",
        ],
        env=clean_environment(home),
        capture_output=True,
        text=True,
        timeout=150,
        check=False,
    )
    return {"root": root / "world", "done": done}


def status_files(bare: Path) -> dict[tuple[str, str], dict[str, Any]]:
    names = git("ls-tree", "-r", "--name-only", "main", "status", cwd=bare)
    found = {}
    for name in names.splitlines():
        _, item, file_name = name.split("/")
        text = git("show", f"main:{name}", cwd=bare)
        found[(item, file_name.removesuffix(".yaml"))] = yaml.safe_load(text)
    return found


@pytest.mark.slow
def test_the_demo_settles_with_only_the_planted_failure(
    demo_run: dict[str, Any],
) -> None:
    done = demo_run["done"]

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


@pytest.mark.slow
def test_the_demo_creates_the_repos_and_a_working_clone(
    demo_run: dict[str, Any],
) -> None:
    root = demo_run["root"]

    assert (root / "catalog.git" / "HEAD").is_file()
    assert (root / "requests.git" / "HEAD").is_file()
    assert (root / "requests" / ".git").is_dir()
    catalog_files = git(
        "ls-tree", "-r", "--name-only", "main", cwd=root / "catalog.git"
    )
    assert "catalog/caches/redis-cache.yaml" in catalog_files.splitlines()


@pytest.mark.slow
def test_every_example_request_has_a_committed_status_in_its_final_phase(
    demo_run: dict[str, Any],
) -> None:
    statuses = status_files(demo_run["root"] / "requests.git")

    phases = {key: status["phase"] for key, status in statuses.items()}
    expected = {
        key: "failed" if key == BROKEN else "completed" for key in example_requests()
    }
    assert phases == expected
    assert "409" in str(statuses[BROKEN]["failure"])


@pytest.mark.slow
def test_the_vendor_actions_ran_against_their_standins(
    demo_run: dict[str, Any],
) -> None:
    statuses = status_files(demo_run["root"] / "requests.git")

    succeeded = {
        action["id"]
        for status in statuses.values()
        for action in status["actions"]
        if action["status"] == "succeeded"
    }
    # One item of each: Jira (waiting for a resolution), Terraform, GitHub.
    assert {"approval", "apply-schema", "create-namespace"} <= succeeded


@pytest.mark.slow
def test_the_next_steps_name_the_clone_and_a_retry_command(
    demo_run: dict[str, Any],
) -> None:
    out = demo_run["done"].stdout
    data_dir = demo_run["root"] / "pao"

    assert f"cd {demo_run['root'] / 'requests'}" in out
    assert f"pao request retry {request_id_for(*BROKEN)} --data-dir {data_dir}" in out
    assert "/api/v1/health" in out
    assert "git add requests/redis-cache/demo-cache.yaml" in out


def test_the_api_port_falls_back_to_a_free_one_when_taken() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        sock, as_asked = bind_api_socket(port)

    with sock:
        assert not as_asked
        assert sock.getsockname()[0] == "127.0.0.1"
        assert sock.getsockname()[1] != port


def test_a_folder_that_already_holds_a_demo_is_refused(tmp_path: Path) -> None:
    create_repos(tmp_path, EXAMPLES)

    with pytest.raises(RepoSetupError, match="already holds a demo"):
        create_repos(tmp_path, EXAMPLES)


def test_missing_examples_are_explained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pao, "__file__", str(tmp_path / "site" / "pao" / "x.py"))
    monkeypatch.chdir(tmp_path)

    with pytest.raises(ExamplesNotFound, match="examples/catalog-repo"):
        locate_examples()


def test_the_environment_is_restored_after_the_demo(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PAO_DEMO_KEPT", "before")
    monkeypatch.delenv("PAO_DEMO_NEW", raising=False)

    with patched_environ({"PAO_DEMO_KEPT": None, "PAO_DEMO_NEW": "during"}):
        inside = (os.environ.get("PAO_DEMO_KEPT"), os.environ.get("PAO_DEMO_NEW"))

    assert inside == (None, "during")
    assert os.environ["PAO_DEMO_KEPT"] == "before"
    assert "PAO_DEMO_NEW" not in os.environ


def test_the_ticket_desk_resolves_open_tickets_after_a_while() -> None:
    jira = JiraStandin(projects=("SEC",), api_token="t")
    with jira.state.lock:
        issue = jira.state.new_issue(
            jira.state.projects["SEC"], issue_type="Task", summary="grant"
        )
    desk = TicketDesk(jira, after=0.3)

    with jira.serve():
        desk.start()
        try:
            early = jira.issue(issue.key).resolution
            deadline = time.monotonic() + 5
            while jira.issue(issue.key).resolution is None:
                assert time.monotonic() < deadline, "the ticket was never resolved"
                time.sleep(0.05)
        finally:
            desk.stop()

    assert early is None
    assert jira.issue(issue.key).resolution == "Done"
    assert desk.resolved == [issue.key]


@pytest.mark.slow
def test_the_demo_logs_no_errors(demo_run: dict[str, Any]) -> None:
    lines = (demo_run["root"] / "pao.log").read_text(encoding="utf-8").splitlines()

    records = [json.loads(line) for line in lines]
    errors = [r for r in records if r.get("level") in ("error", "critical")]
    failed = [r["request_id"] for r in records if r.get("event") == "action_failed"]
    assert errors == []
    assert failed == [request_id_for(*BROKEN)]
