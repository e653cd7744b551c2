"""Faults the poll loop must ride out: they are logged and retried next pass."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from controller.widgets import request_file
from gitutil import RemoteRepo
from pao.controller import Controller
from pao.reconcilers.plan import request_id_for
from pao.standins import RestTarget
from pao.store import RequestStatus

MakeController = Callable[..., Controller]


def test_an_unreachable_requests_repo_is_retried_without_losing_anything(
    make_controller: MakeController,
    target: RestTarget,
    requests_remote: RemoteRepo,
    tmp_path: Path,
) -> None:
    requests_remote.commit({"requests/widget/a.yaml": request_file("a")})
    controller = make_controller()
    assert controller.run_until_settled(timeout=30)
    hidden = tmp_path / "hidden.git"
    shutil.move(requests_remote.path, hidden)

    requests_remote_path = requests_remote.path
    controller.reconcile()  # the fetch fails; logged, nothing changes

    state = controller.store.get_repo_state("requests")
    assert state is not None
    assert state.last_error is not None
    a = controller.store.get_request(request_id_for("widget", "a"))
    assert a.status is RequestStatus.COMPLETED

    shutil.move(hidden, requests_remote_path)
    requests_remote.commit({"requests/widget/b.yaml": request_file("b")})
    assert controller.run_until_settled(timeout=30)

    b = controller.store.get_request(request_id_for("widget", "b"))
    assert b.status is RequestStatus.COMPLETED
    recovered = controller.store.get_repo_state("requests")
    assert recovered is not None
    assert recovered.last_error is None
    assert len(target.resources("widgets")) == 2


def test_a_deleted_clone_is_cloned_again(
    make_controller: MakeController,
    target: RestTarget,
    requests_remote: RemoteRepo,
    tmp_path: Path,
) -> None:
    controller = make_controller()
    assert controller.run_until_settled(timeout=30)
    clone = tmp_path / "data" / "repos" / "requests"
    for child in clone.iterdir():
        if child.name in {"HEAD", "config"}:
            child.unlink()

    requests_remote.commit({"requests/widget/c.yaml": request_file("c")})
    assert controller.run_until_settled(timeout=30)

    c = controller.store.get_request(request_id_for("widget", "c"))
    assert c.status is RequestStatus.COMPLETED
