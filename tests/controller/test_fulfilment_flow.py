from __future__ import annotations

from collections.abc import Callable

import yaml

from controller.widgets import request_file
from gitutil import BOB, RemoteRepo
from pao.controller import Controller
from pao.reconcilers.plan import request_id_for
from pao.standins import RestTarget
from pao.store import CacheKeys, RequestStatus

MakeController = Callable[..., Controller]


def test_committed_request_is_fulfilled_and_its_status_committed(
    make_controller: MakeController, target: RestTarget, requests_remote: RemoteRepo
) -> None:
    requests_remote.commit(
        {"requests/widget/blue.yaml": request_file("blue", size=3)}, author=BOB
    )
    controller = make_controller()

    assert controller.run_until_settled(timeout=30)

    request = controller.store.get_request(request_id_for("widget", "blue"))
    assert request.status is RequestStatus.COMPLETED
    assert request.requester == BOB.email
    status = yaml.safe_load(requests_remote.read("status/widget/blue.yaml") or b"")
    assert status["phase"] == "completed"
    assert status["catalogItem"] == {"id": "widget", "version": "1.0.0"}
    assert [(a["id"], a["status"]) for a in status["actions"]] == [
        ("create", "succeeded"),
        ("polish", "skipped"),
        ("register", "succeeded"),
    ]
    created = target.resources("widgets")
    assert len(created) == 1
    assert status["actions"][0]["outputs"] == {
        "status": 201,
        "widgetId": created[0]["id"],
    }
    assert b"s3cr3t-token" not in (
        requests_remote.read("status/widget/blue.yaml") or b""
    )


def test_a_status_change_ends_the_apis_cached_status(
    make_controller: MakeController, target: RestTarget, requests_remote: RemoteRepo
) -> None:
    request_id = request_id_for("widget", "cached")
    controller = make_controller()
    key = CacheKeys.request_status(request_id)
    controller.cache.set(key, {"phase": "queued"}, ttl=30)
    requests_remote.commit({"requests/widget/cached.yaml": request_file("cached")})

    assert controller.run_until_settled(timeout=30)

    assert controller.cache.get(key) is None
