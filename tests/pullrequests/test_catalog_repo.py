"""The catalog repo on GitHub: checks on pull requests, statuses on pushes,
and CODEOWNERS proposals when ownership changes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pr_world import CATALOG, REQUESTS, WIDGET, World, running_world, wait_for

from pao.forge.codeowners import rewrite_block
from pao.standins.github_state import CheckRun, Pull

ITEM = "catalog/things/widget.yaml"
GADGET = "catalog/things/gadget.yaml"


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    with running_world(tmp_path, monkeypatch) as running:
        yield running


def catalog_runs(world: World, sha: str) -> list[CheckRun]:
    with world.github.state.lock:
        return [
            run
            for run in world.github.state.check_runs.values()
            if run.head_sha == sha and run.repo.full_name == CATALOG
        ]


def statuses(world: World, sha: str) -> list[tuple[str, str]]:
    with world.github.state.lock:
        return [
            (status.state, status.context)
            for status in world.github.state.statuses
            if status.sha == sha
        ]


def test_a_pull_request_breaking_an_item_fails_its_check_at_the_line(
    world: World,
) -> None:
    broken = WIDGET.replace("{{fields.name}}", "{{fields.nmae}}")
    world.github.push(CATALOG, "typo", {ITEM: broken}, user="alice")
    pull = world.github.open_pull(CATALOG, head="typo", user="alice")

    [run] = wait_for(lambda: catalog_runs(world, pull.head_sha))

    line = broken.splitlines().index(
        next(x for x in broken.splitlines() if "fields.nmae" in x)
    )
    assert run.name == "pao/validate"
    assert run.conclusion == "failure"
    annotations = run.annotations
    assert [(a.path, a.start_line) for a in annotations] == [(ITEM, line + 1)]
    assert "fields.nmae" in annotations[0].message


def test_a_duplicate_id_in_another_file_fails_the_new_file(world: World) -> None:
    world.github.push(CATALOG, "dup", {GADGET: WIDGET}, user="alice")
    pull = world.github.open_pull(CATALOG, head="dup", user="alice")

    [run] = wait_for(lambda: catalog_runs(world, pull.head_sha))

    assert run.conclusion == "failure"
    paths = {a.path for a in run.annotations}
    assert paths == {GADGET}


def test_pushes_to_the_default_branch_get_a_catalog_status(world: World) -> None:
    bad = world.github.push(
        CATALOG,
        "main",
        {ITEM: WIDGET.replace("version: 1.2.0", "version: one")},
        user="alice",
    )
    wait_for(lambda: statuses(world, bad))

    assert statuses(world, bad) == [("failure", "pao/catalog")]
    served = world.controller.catalog().get("widget")
    assert served is not None
    assert served.item.metadata.version == "1.2.0"

    good = world.github.push(
        CATALOG, "main", {ITEM: WIDGET.replace("1.2.0", "1.3.0")}, user="alice"
    )
    wait_for(lambda: statuses(world, good))

    assert statuses(world, good) == [("success", "pao/catalog")]


def test_an_owner_change_is_proposed_as_one_codeowners_pull_request(
    world: World,
) -> None:
    world.github.add_team("acme", "gadgets", members=["dave"])
    moved = WIDGET.replace("team: acme/widgets", "team: acme/gadgets")

    world.github.push(CATALOG, "main", {ITEM: moved}, user="alice")
    pull = wait_for(lambda: _codeowners_pull(world))

    git = world.github.repo(REQUESTS).git
    entry = git.entry(f"refs/heads/{pull.head_ref}", "CODEOWNERS")
    assert entry is not None
    assert git.read_blob(entry.sha).decode() == rewrite_block(
        "* @acme/platform-admins\n", {"widget": "acme/gadgets"}
    )


def _codeowners_pull(world: World) -> Pull | None:
    with world.github.state.lock:
        return next(
            (
                issue
                for issue in world.github.state.issues.values()
                if isinstance(issue, Pull)
                and issue.repo.full_name == REQUESTS
                and issue.head_ref == "pao/codeowners"
            ),
            None,
        )
