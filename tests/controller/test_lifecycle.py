"""Each request state transition the controller drives, seen from outside:
the index, the status file in git, and the calls the target received."""

from __future__ import annotations

from collections.abc import Callable

import pytest
import yaml

from controller.widgets import WIDGET, request_file
from gitutil import ALICE, RemoteRepo
from pao.catalog import CatalogItem
from pao.controller import Controller
from pao.reconcilers import commands
from pao.reconcilers.plan import request_id_for
from pao.standins import RestTarget
from pao.store import ActionRunStatus, RequestStatus

MakeController = Callable[..., Controller]
S = RequestStatus


def _status(remote: RemoteRepo, name: str) -> dict[str, object]:
    content = remote.read(f"status/widget/{name}.yaml")
    assert content is not None, f"no status file for {name}"
    loaded = yaml.safe_load(content)
    assert isinstance(loaded, dict)
    return loaded


def _item() -> CatalogItem:
    return CatalogItem.model_validate(yaml.safe_load(WIDGET))


@pytest.fixture
def settled(
    make_controller: MakeController,
    target: RestTarget,
    requests_remote: RemoteRepo,
) -> Callable[[], Controller]:
    controller = make_controller()

    def settle() -> Controller:
        assert controller.run_until_settled(timeout=30)
        return controller

    return settle


def test_invalid_request_fails_with_located_errors_and_runs_nothing(
    settled: Callable[[], Controller], target: RestTarget, requests_remote: RemoteRepo
) -> None:
    requests_remote.commit({"requests/widget/bad.yaml": request_file("bad", size="x")})

    controller = settled()

    request = controller.store.get_request(request_id_for("widget", "bad"))
    assert request.status is S.FAILED
    status = _status(requests_remote, "bad")
    assert status["phase"] == "failed"
    assert status["actions"] == []
    [problem] = status["validation"]  # type: ignore[misc]
    assert problem["file"] == "requests/widget/bad.yaml"
    assert problem["line"] == 7
    assert target.requests.all() == []


def test_failed_action_stops_the_request_with_its_context(
    settled: Callable[[], Controller], target: RestTarget, requests_remote: RemoteRepo
) -> None:
    target.fail_next(400, path="/v1/registrations")
    requests_remote.commit({"requests/widget/red.yaml": request_file("red")})

    controller = settled()

    request = controller.store.get_request(request_id_for("widget", "red"))
    assert request.status is S.FAILED
    failure = _status(requests_remote, "red")["failure"]
    assert isinstance(failure, dict)
    assert failure["action"] == "register"
    assert "400" in failure["error"]
    [created] = failure["succeeded"]
    widget = target.resources("widgets")[0]["id"]
    assert created["id"] == "create"
    assert created["cleanup"] == f"Delete widget {widget}."


def test_retry_runs_the_failed_action_again_and_completes(
    settled: Callable[[], Controller], target: RestTarget, requests_remote: RemoteRepo
) -> None:
    target.fail_next(400, path="/v1/registrations")
    requests_remote.commit({"requests/widget/red.yaml": request_file("red")})
    controller = settled()
    request = controller.store.get_request(request_id_for("widget", "red"))

    outcome = commands.retry(controller.store, request, _item(), actor="alice")
    controller = settled()

    assert outcome.ok, outcome.message
    assert outcome.message == "retrying from action register"
    final = controller.store.get_request(request.id)
    assert final.status is S.COMPLETED
    runs = controller.store.list_action_runs(request_id=request.id)
    assert [(r.action_id, r.run_number, r.status) for r in runs] == [
        ("create", 1, ActionRunStatus.SUCCEEDED),
        ("polish", 1, ActionRunStatus.SKIPPED),
        ("register", 1, ActionRunStatus.FAILED),
        ("register", 2, ActionRunStatus.SUCCEEDED),
    ]
    assert len(target.resources("widgets")) == 1
    assert target.repeated_keys() == []
    assert _status(requests_remote, "red")["phase"] == "completed"


def test_retry_from_an_earlier_action_reruns_it_and_what_follows(
    settled: Callable[[], Controller], target: RestTarget, requests_remote: RemoteRepo
) -> None:
    target.fail_next(400, path="/v1/registrations")
    requests_remote.commit({"requests/widget/red.yaml": request_file("red")})
    controller = settled()
    request = controller.store.get_request(request_id_for("widget", "red"))

    outcome = commands.retry(
        controller.store, request, _item(), actor="alice", action_id="create"
    )
    settled()

    assert outcome.ok
    assert len(target.resources("widgets")) == 2


def test_retry_when_nothing_failed_is_explained(
    settled: Callable[[], Controller], requests_remote: RemoteRepo
) -> None:
    requests_remote.commit({"requests/widget/ok.yaml": request_file("ok")})
    controller = settled()
    request = controller.store.get_request(request_id_for("widget", "ok"))

    outcome = commands.retry(controller.store, request, _item(), actor="alice")

    assert not outcome.ok
    assert outcome.message == (
        f"nothing to retry: request {request.id} is completed, not failed"
    )


def test_abort_and_escalate_end_a_failed_request(
    settled: Callable[[], Controller], target: RestTarget, requests_remote: RemoteRepo
) -> None:
    target.fail_next(400, path="/v1/widgets", count=2)
    requests_remote.commit(
        {
            "requests/widget/a.yaml": request_file("a"),
            "requests/widget/b.yaml": request_file("b"),
        }
    )
    controller = settled()
    a = controller.store.get_request(request_id_for("widget", "a"))
    b = controller.store.get_request(request_id_for("widget", "b"))

    aborted = commands.abort(controller.store, a, actor="alice", reason="not needed")
    first = commands.escalate(controller.store, b, actor="bob", reason="help")
    second = commands.escalate(controller.store, b, actor="bob", reason="again")
    settled()

    assert aborted.request.status is S.ABORTED
    assert first.request.status is S.ESCALATED
    assert second.ok
    assert second.message == "already escalated"
    assert _status(requests_remote, "a")["phase"] == "aborted"
    escalated = _status(requests_remote, "b")
    assert escalated["phase"] == "escalated"
    assert escalated["escalation"]["reason"] == "help"  # type: ignore[index]


def test_a_change_to_a_completed_request_without_update_actions_fails_it(
    settled: Callable[[], Controller], target: RestTarget, requests_remote: RemoteRepo
) -> None:
    requests_remote.commit({"requests/widget/c.yaml": request_file("c")})
    controller = settled()
    request = controller.store.get_request(request_id_for("widget", "c"))
    requests_remote.commit({"requests/widget/c.yaml": request_file("c", size=2)})
    controller.reconcile()
    revised = controller.store.get_request(request.id)
    assert revised.status is S.FAILED
    assert revised.failure is not None
    assert revised.failure["error"] == (
        "catalog item widget defines no fulfillment.update actions:"
        " this change cannot be applied automatically"
    )
    assert revised.revision == 2


def test_interrupted_action_fails_with_outcome_unknown(
    make_controller: MakeController, target: RestTarget, requests_remote: RemoteRepo
) -> None:
    requests_remote.commit({"requests/widget/d.yaml": request_file("d")})
    first = make_controller()
    first.reconcile()
    [claimed] = first.store.claim_requests(owner="dead", limit=1, lease_seconds=0.01)
    first.store.transition_request(
        request_id=claimed.id, to_status=S.IN_PROGRESS, actor="dead"
    )
    first.store.record_intent(
        request_id=claimed.id,
        revision=claimed.revision,
        action_id="create",
        run_number=1,
        idempotency_key=f"pao-{claimed.id}-r1-create-1",
        worker="dead",
    )

    assert first.run_until_settled(timeout=30)

    request = first.store.get_request(claimed.id)
    assert request.status is S.FAILED
    assert request.failure is not None
    assert request.failure["error"] == "interrupted, outcome unknown"
    assert target.requests.all() == []
    status = _status(requests_remote, "d")
    assert status["actions"][0]["status"] == "interrupted"  # type: ignore[index]


def test_deleting_a_queued_request_cancels_it(
    make_controller: MakeController, requests_remote: RemoteRepo
) -> None:
    requests_remote.commit({"requests/widget/e.yaml": request_file("e")})
    controller = make_controller()
    controller.reconcile()  # indexed and queued, no worker ran yet
    requests_remote.commit({"requests/widget/e.yaml": None})

    controller.reconcile()

    request = controller.store.get_request(request_id_for("widget", "e"))
    assert request.status is S.CANCELLED


def test_requester_is_the_author_of_the_last_change(
    settled: Callable[[], Controller], requests_remote: RemoteRepo
) -> None:
    requests_remote.commit({"requests/widget/f.yaml": request_file("f")}, author=ALICE)
    controller = settled()

    request = controller.store.get_request(request_id_for("widget", "f"))

    assert request.requester == ALICE.email
    assert request.team == "acme/payments"


def test_status_commits_touch_only_status_files(
    settled: Callable[[], Controller], requests_remote: RemoteRepo
) -> None:
    requests_remote.commit({"requests/widget/g.yaml": request_file("g")})
    before = requests_remote.head()

    settled()

    from gitutil import git

    changed = git(
        "diff", "--name-only", before, requests_remote.head(), cwd=requests_remote.path
    ).splitlines()
    assert changed == ["status/widget/g.yaml"]
    parents = requests_remote.parents(requests_remote.head())
    assert len(parents) == 1


def test_nothing_is_committed_when_nothing_changed(
    settled: Callable[[], Controller], requests_remote: RemoteRepo
) -> None:
    requests_remote.commit({"requests/widget/h.yaml": request_file("h")})
    controller = settled()
    head = requests_remote.head()

    controller.reconcile()
    controller.write_status()

    assert requests_remote.head() == head


def test_reindex_from_an_empty_index_restores_every_state(
    make_controller: MakeController,
    target: RestTarget,
    requests_remote: RemoteRepo,
    tmp_path: object,
) -> None:
    target.fail_next(400, path="/v1/registrations")
    requests_remote.commit(
        {
            "requests/widget/i.yaml": request_file("i"),
            "requests/widget/j.yaml": request_file("j", size="oops"),
        }
    )
    first = make_controller()
    assert first.run_until_settled(timeout=30)
    k = request_id_for("widget", "i")
    before = {r.id: r.status for r in first.store.list_requests().items}
    calls = len(target.requests.all())
    first.close()

    from pathlib import Path

    data = Path(str(tmp_path)) / "fresh"
    second = make_controller(data_dir=data)
    assert second.run_until_settled(timeout=30)

    after = {r.id: r.status for r in second.store.list_requests().items}
    assert after == before
    assert after[k] is S.FAILED
    assert len(target.requests.all()) == calls
