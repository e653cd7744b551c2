"""Webhook deliveries wake the requests whose actions wait on them."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from gitutil import RemoteRepo, make_remote
from pao.actions import (
    ActionContext,
    ActionResult,
    BaseExecutor,
    Waiting,
    executor_for,
    register,
)
from pao.controller import Controller, ControllerOptions
from pao.controller.deliveries import identifiers_of
from pao.core.settings import Settings
from pao.reconcilers.plan import request_id_for
from pao.store import ActionRunStatus, DeliveryStatus, RequestStatus

TICKET_ITEM = """\
apiVersion: pao/v1
kind: CatalogItem
metadata:
  id: gadget
  name: Gadget
  version: 1.0.0
  category: things
  owner: {team: acme/gadgets}
presentation:
  form:
    groups:
      - id: g
        name: G
        fields:
          - {id: name, name: Name, type: string, required: true}
fulfillment:
  actions:
    - id: ticket
      type: jira-ticket
      name: Ask a human
      config:
        project: GAD
        issueType: Task
        summary: "Make {{fields.name}}"
        waitForResolution: true
"""

REQUEST = """\
apiVersion: pao/v1
kind: Request
catalogItem: gadget
team: acme/payments
fields: {name: blue}
"""


class TicketExecutor(BaseExecutor):
    """Opens GAD-1 and reports it resolved once told to."""

    type_name = "jira-ticket"

    def __init__(self) -> None:
        self.resolved = threading.Event()
        self.polls = 0

    def execute(self, config: Mapping[str, Any], ctx: ActionContext) -> ActionResult:
        waiting = Waiting(
            kind="jira-resolution", ref={"key": "GAD-1"}, poll_after_seconds=3600
        )
        return ActionResult(
            outputs={"key": "GAD-1"}, external_ref={"key": "GAD-1"}, waiting=waiting
        )

    def poll(self, waiting: Waiting, ctx: ActionContext) -> ActionResult | Waiting:
        self.polls += 1
        if self.resolved.is_set():
            return ActionResult(outputs={"key": "GAD-1", "resolution": "Done"})
        return waiting


@pytest.fixture
def controller(tmp_path: Path) -> Iterator[Controller]:
    catalog = make_remote(
        tmp_path, {"catalog/things/gadget.yaml": TICKET_ITEM}, name="catalog"
    )
    requests: RemoteRepo = make_remote(
        tmp_path, {"requests/gadget/blue.yaml": REQUEST}, name="requests"
    )
    settings = Settings(
        catalog_repo=catalog.url,
        requests_repo=requests.url,
        data_dir=tmp_path / "data",
    )
    made = Controller(settings, options=ControllerOptions(lease_seconds=5))
    yield made
    made.close()


@pytest.fixture
def tickets() -> Iterator[TicketExecutor]:
    previous = executor_for("jira-ticket")
    executor = TicketExecutor()
    register(executor, replace=True)
    yield executor
    register(previous, replace=True)


def test_jira_delivery_wakes_the_waiting_request_early(
    controller: Controller, tickets: TicketExecutor
) -> None:
    assert controller.run_until_settled(timeout=30)
    request_id = request_id_for("gadget", "blue")
    waiting = controller.store.get_request(request_id)
    assert waiting.status is RequestStatus.IN_PROGRESS
    [run] = controller.store.list_action_runs(request_id=request_id)
    assert run.status is ActionRunStatus.WAITING
    assert run.outputs == {"key": "GAD-1"}

    tickets.resolved.set()
    controller.store.record_delivery(
        source="jira",
        delivery_id="d-1",
        event="jira:issue_updated",
        payload={"webhookEvent": "jira:issue_updated", "issue": {"key": "GAD-1"}},
    )
    handled = controller.deliveries.process_pending()
    assert controller.run_until_settled(timeout=30)

    assert handled == 1
    assert controller.store.get_request(request_id).status is RequestStatus.COMPLETED
    delivery = controller.store.get_delivery(source="jira", delivery_id="d-1")
    assert delivery is not None
    assert delivery.status is DeliveryStatus.DONE


def test_unrelated_delivery_wakes_nothing(
    controller: Controller, tickets: TicketExecutor
) -> None:
    assert controller.run_until_settled(timeout=30)
    polls = tickets.polls
    controller.store.record_delivery(
        source="jira",
        delivery_id="d-2",
        event="jira:issue_updated",
        payload={"issue": {"key": "OTHER-9"}},
    )

    controller.deliveries.process_pending()
    assert controller.run_until_settled(timeout=30)

    assert tickets.polls == polls
    request = controller.store.get_request(request_id_for("gadget", "blue"))
    assert request.status is RequestStatus.IN_PROGRESS


@pytest.mark.parametrize(
    ("source", "payload", "expected"),
    [
        ("jira", {"issue": {"key": "DBA-7", "id": "10001"}}, {"DBA-7", "10001"}),
        (
            "terraform",
            {"run_id": "run-abc", "workspace_id": "ws-1"},
            {"run-abc", "ws-1"},
        ),
        (
            "github",
            {"workflow_run": {"id": 42, "display_title": "provision pao-x-1"}},
            {"42", "provision", "pao-x-1"},
        ),
        ("github", {"zen": "hi"}, set()),
    ],
)
def test_identifiers_are_read_from_each_vendor_payload(
    source: str, payload: dict[str, Any], expected: set[str]
) -> None:
    from datetime import UTC, datetime

    from pao.store import WebhookDelivery

    delivery = WebhookDelivery(
        id=1,
        source=source,
        delivery_id="x",
        event="e",
        received_at=datetime.now(UTC),
        payload=payload,
        status=DeliveryStatus.PENDING,
        attempts=0,
        processed_at=None,
        error=None,
        meaning_key=None,
    )

    assert identifiers_of(delivery) == expected
