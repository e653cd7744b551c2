"""Escalation incidents: every section, Cloud and DC formatting, filed once."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from actions.jira.conftest import API_TOKEN, EMAIL, instance_of
from pao.actions.errors import PermanentActionError
from pao.actions.jira import SECTION_HEADINGS, JiraService, file_escalation
from pao.actions.jira.adf import Node
from pao.core.settings import Settings
from pao.standins import JiraStandin
from pao.standins.jira_model import is_adf_document

REQUEST_DATA = {
    "apiVersion": "pao/v1",
    "kind": "Request",
    "catalogItem": "postgres-database",
    "team": "acme/payments",
    "fields": {"instanceName": "orders-db", "note": "uses {code} and {noformat}"},
}


def failure(request_id: str) -> dict[str, Any]:
    return {
        "requestId": request_id,
        "requestPath": "requests/postgres-database/orders-db.yaml",
        "catalogItem": {"id": "postgres-database", "version": "1.4.0"},
        "requester": "alice@acme.example",
        "team": "acme/payments",
        "at": "2025-03-01T10:00:00+00:00",
        "action": "create-dns",
        "error": "POST https://dns.acme.example/v1/records answered 500",
        "reason": "DNS team must look",
        "escalatedBy": "bob@acme.example",
        "actions": [
            {
                "id": "create-db",
                "name": "Create the database",
                "status": "succeeded",
                "outputs": {"databaseId": "db-123"},
                "resources": {"url": "https://db.acme.example/v1/databases/db-123"},
                "cleanup": "Delete database db-123.",
            },
            {"id": "create-dns", "name": "Create DNS", "status": "failed"},
        ],
        "request": REQUEST_DATA,
    }


def headings(description: Node) -> list[str]:
    return [
        node["content"][0]["text"]
        for node in description["content"]
        if node["type"] == "heading"
    ]


def after(description: Node, heading: str) -> list[Node]:
    content = description["content"]
    start = next(
        i
        for i, n in enumerate(content)
        if n["type"] == "heading" and n["content"][0]["text"] == heading
    )
    end = next(
        (i for i in range(start + 1, len(content)) if content[i]["type"] == "heading"),
        len(content),
    )
    return content[start + 1 : end]


def text_of(node: Any) -> str:
    if isinstance(node, dict):
        own = node.get("text", "")
        return own + "".join(text_of(child) for child in node.get("content", []))
    return ""


def test_cloud_incident_has_every_section(
    cloud: JiraStandin, make_service: Any
) -> None:
    service: JiraService = make_service(instance_of(cloud))
    request_id = str(uuid.uuid4())

    filed = file_escalation(service, failure(request_id))

    issue = cloud.issue(filed["key"])
    assert filed == {
        "key": issue.key,
        "url": f"{cloud.url}/browse/{issue.key}",
        "instance": "platform",
        "project": "ORCHESTRATION",
    }
    assert issue.issue_type == "Incident"
    assert issue.priority == "High"
    assert request_id in issue.summary
    description = issue.description
    assert is_adf_document(description)
    assert headings(description) == list(SECTION_HEADINGS)
    assert headings(description) == [
        "Summary",
        "Error",
        "Actions",
        "Cleanup guidance",
        "Request data",
    ]
    summary = text_of(after(description, "Summary")[0])
    for expected in (
        f"Request: {request_id}",
        "Catalog item: postgres-database 1.4.0",
        "Requester: alice@acme.example",
        "Team: acme/payments",
        "Failed at: 2025-03-01T10:00:00+00:00",
        "Failed action: create-dns",
        "Escalated by: bob@acme.example",
        "Reason: DNS team must look",
    ):
        assert expected in summary
    (error,) = after(description, "Error")
    assert error["type"] == "codeBlock"
    assert text_of(error) == failure(request_id)["error"]
    actions = after(description, "Actions")
    assert text_of(actions[0]) == "create-db (Create the database): succeeded"
    assert json.loads(text_of(actions[1])) == {
        "outputs": {"databaseId": "db-123"},
        "resources": {"url": "https://db.acme.example/v1/databases/db-123"},
    }
    assert text_of(actions[2]) == "create-dns (Create DNS): failed"
    (cleanup,) = after(description, "Cleanup guidance")
    assert text_of(cleanup) == "create-db: Delete database db-123."
    (data,) = after(description, "Request data")
    assert data["attrs"] == {"language": "json"}
    assert json.loads(text_of(data)) == REQUEST_DATA


def test_datacenter_incident_is_wiki_markup(
    datacenter: JiraStandin, make_service: Any
) -> None:
    service: JiraService = make_service(instance_of(datacenter))
    request_id = str(uuid.uuid4())

    filed = file_escalation(service, failure(request_id))

    text = datacenter.issue(filed["key"]).description
    assert isinstance(text, str)
    lines = text.splitlines()
    assert [line for line in lines if line.startswith("h3. ")] == [
        f"h3. {heading}" for heading in SECTION_HEADINGS
    ]
    assert f"* *Request:* {request_id.replace('-', chr(92) + '-')}" in lines
    assert "* *Team:* acme/payments" in lines
    assert "{noformat}" in lines
    assert "*create\\-db (Create the database)*: succeeded" in lines
    assert "* *create\\-db:* Delete database db\\-123." in lines
    start = lines.index("h3. Request data") + 2
    end = lines.index("{code}", start)
    assert lines[start - 1] == "{code:json}"
    assert json.loads("\n".join(lines[start:end])) == REQUEST_DATA


def test_escalating_twice_files_one_incident(
    jira: JiraStandin, make_service: Any
) -> None:
    service: JiraService = make_service(instance_of(jira))
    request_id = str(uuid.uuid4())

    first = file_escalation(service, failure(request_id))
    again = file_escalation(service, failure(request_id) | {"reason": "again"})

    assert again == first
    with jira.state.lock:
        incidents = [i for i in jira.state.issues.values() if request_id in i.summary]
    assert [i.key for i in incidents] == [first["key"]]
    assert "pao-escalation" in incidents[0].labels


def test_the_engine_failure_context_is_read_as_it_is(
    cloud: JiraStandin, make_service: Any
) -> None:
    service: JiraService = make_service(instance_of(cloud))
    engine_failure = {
        "requestId": str(uuid.uuid4()),
        "action": "create-dns",
        "error": "boom",
        "at": "2025-03-01T10:00:00+00:00",
        "catalogItem": {"id": "postgres-database", "version": "1.4.0"},
        "succeeded": [
            {
                "id": "create-db",
                "name": "Create the database",
                "outputs": {},
                "resources": {},
                "cleanup": None,
            }
        ],
    }

    filed = file_escalation(service, engine_failure)

    description = cloud.issue(filed["key"]).description
    assert text_of(after(description, "Actions")[0]) == (
        "create-db (Create the database): succeeded"
    )
    assert text_of(after(description, "Cleanup guidance")[0]) == (
        "create-db: no cleanup instructions"
    )
    assert "Requester: (not recorded)" in text_of(after(description, "Summary")[0])


def test_the_controller_s_nested_context_and_settings_are_accepted(
    datacenter: JiraStandin, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PAO_TEST_JIRA_TOKEN", API_TOKEN)
    settings = Settings.model_validate(
        {
            "jira": {
                "instances": {
                    "legacy": {
                        "baseUrl": datacenter.url,
                        "flavor": "datacenter",
                        "auth": {"username": EMAIL, "token": "env:PAO_TEST_JIRA_TOKEN"},
                    }
                },
                "escalation": {"project": "ORCHESTRATION", "priority": "Highest"},
            }
        }
    )
    request_id = str(uuid.uuid4())
    nested = {
        "request": {
            "id": request_id,
            "path": "requests/postgres-database/orders-db.yaml",
            "team": "acme/payments",
            "requester": "alice@acme.example",
        },
        "item": {"id": "postgres-database", "version": "1.4.0"},
        "reason": "stuck",
        "failedAt": "2025-03-01T10:00:00+00:00",
        "error": "boom",
        "failedAction": "create-dns",
        "actions": [
            {"id": "create-db", "run": 1, "status": "succeeded", "outputs": {"id": 1}},
            {"id": "create-dns", "run": 1, "status": "failed", "error": "boom"},
        ],
        "cleanup": [{"action": "create-db", "instructions": "Drop db 1."}],
        "requestData": REQUEST_DATA,
    }

    filed = file_escalation(settings, nested)

    issue = datacenter.issue(filed["key"])
    assert filed["instance"] == "legacy"
    assert issue.priority == "Highest"
    lines = issue.description.splitlines()
    assert "* *Requester:* alice@acme.example" in lines
    assert "* *Failed action:* create\\-dns" in lines
    assert "* *create\\-db:* Drop db 1." in lines
    assert "*create\\-dns*: failed" in lines
    assert file_escalation(settings, nested) == filed


def test_a_context_without_request_id_is_refused(service: JiraService) -> None:
    with pytest.raises(PermanentActionError, match="has no request id"):
        file_escalation(service, {"error": "boom"})
