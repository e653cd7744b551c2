"""The Jira stand-in: Cloud (v3, ADF) and Data Center (v2, text)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pao.standins import JiraStandin, RestTarget, adf_paragraph

EMAIL = "pao-bot@acme.example"
TOKEN = "jira-token"
SECRET = "jira-hook-secret"


@pytest.fixture(scope="module", params=["cloud", "datacenter"])
def _served(request: pytest.FixtureRequest) -> Iterator[JiraStandin]:
    jira = JiraStandin(
        flavor=request.param, api_token=TOKEN, bearer_token="pat", webhook_secret=SECRET
    )
    with jira.serve():
        yield jira


@pytest.fixture
def jira(_served: JiraStandin, receiver: RestTarget) -> JiraStandin:
    _served.faults.clear()
    _served.webhook_url = receiver.url + "/hooks/jira"
    return _served


@pytest.fixture
def api(jira: JiraStandin) -> Iterator[httpx.Client]:
    version = "3" if jira.flavor == "cloud" else "2"
    base = f"{jira.url}/rest/api/{version}"
    with httpx.Client(base_url=base, auth=(EMAIL, TOKEN)) as client:
        yield client


def text(jira: JiraStandin, value: str) -> Any:
    return adf_paragraph(value) if jira.flavor == "cloud" else value


def create(jira: JiraStandin, api: httpx.Client, **fields: Any) -> httpx.Response:
    body = {
        "project": {"key": "DBA"},
        "issuetype": {"name": "Task"},
        "summary": "Create orders-db",
        "description": text(jira, "Please create it."),
        "labels": ["pao-req-1"],
        **fields,
    }
    return api.post("/issue", json={"fields": body})


def test_create_answers_201_with_id_key_and_self(
    jira: JiraStandin, api: httpx.Client
) -> None:
    answer = create(jira, api)

    assert answer.status_code == 201
    body = answer.json()
    assert set(body) == {"id", "key", "self"}
    assert body["key"].startswith("DBA-")
    assert body["self"] == f"{api.base_url}issue/{body['id']}"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"summary": ""}, "summary"),
        ({"project": {"key": "NOPE"}}, "project"),
        ({"issuetype": {"name": "Epic"}}, "issuetype"),
        ({"labels": ["has space"]}, "labels"),
        ({"priority": {"name": "Urgent"}}, "priority"),
        ({"sprint": "1"}, "sprint"),
    ],
)
def test_invalid_create_is_refused_like_jira(
    jira: JiraStandin, api: httpx.Client, fields: dict[str, Any], field: str
) -> None:
    answer = create(jira, api, **fields)

    assert answer.status_code == 400
    body = answer.json()
    assert body["errorMessages"] == []
    assert field in body["errors"]


def test_missing_summary_gets_jiras_message(
    jira: JiraStandin, api: httpx.Client
) -> None:
    answer = api.post("/issue", json={"fields": {"project": {"key": "DBA"}}})

    assert (
        answer.json()["errors"]["summary"] == "You must specify a summary of the issue."
    )


def test_description_format_depends_on_the_flavor(
    jira: JiraStandin, api: httpx.Client
) -> None:
    wrong = "plain text" if jira.flavor == "cloud" else adf_paragraph("adf")
    broken_adf = {"type": "doc", "version": 1, "content": [{"type": "text"}]}

    answer = create(jira, api, description=wrong)
    broken = create(jira, api, description=broken_adf)

    assert answer.status_code == 400
    assert "Operation value must be" in answer.json()["errors"]["description"]
    assert broken.status_code == 400


@pytest.mark.parametrize(
    "auth",
    [None, (EMAIL, "wrong"), ("someone@else", TOKEN)],
    ids=["none", "wrong-token", "wrong-user"],
)
def test_bad_credentials_get_401(
    jira: JiraStandin, api: httpx.Client, auth: tuple[str, str] | None
) -> None:
    answer = httpx.get(f"{api.base_url}myself", auth=auth)

    assert answer.status_code == 401
    assert answer.json()["errorMessages"]


def test_bearer_token_is_accepted(jira: JiraStandin, api: httpx.Client) -> None:
    answer = httpx.get(f"{api.base_url}myself", headers={"Authorization": "Bearer pat"})

    assert answer.status_code == 200
    assert answer.json()["emailAddress"] == EMAIL


def test_get_issue_shows_status_category_resolution_and_labels(
    jira: JiraStandin, api: httpx.Client
) -> None:
    key = create(jira, api).json()["key"]

    fields = api.get(f"/issue/{key}", params={"fields": "status,resolution,labels"})

    assert set(fields.json()["fields"]) == {"status", "resolution", "labels"}
    status = fields.json()["fields"]["status"]
    assert status["name"] == "To Do"
    assert status["statusCategory"]["key"] == "new"
    assert fields.json()["fields"]["resolution"] is None
    assert fields.json()["fields"]["labels"] == ["pao-req-1"]


def test_unknown_issue_is_404(api: httpx.Client) -> None:
    answer = api.get("/issue/DBA-9999")

    assert answer.status_code == 404
    assert answer.json()["errorMessages"] == [
        "Issue does not exist or you do not have permission to see it."
    ]


def test_transitions_follow_the_workflow_to_wont_do(
    jira: JiraStandin, api: httpx.Client
) -> None:
    key = create(jira, api).json()["key"]
    offered = api.get(f"/issue/{key}/transitions").json()["transitions"]
    done = next(t for t in offered if t["to"]["name"] == "Done")

    moved = api.post(
        f"/issue/{key}/transitions",
        json={
            "transition": {"id": done["id"]},
            "fields": {"resolution": {"name": "Won't Do"}},
        },
    )
    invalid = api.post(f"/issue/{key}/transitions", json={"transition": {"id": "31"}})

    assert {t["to"]["name"] for t in offered} == {"In Progress", "Done"}
    assert moved.status_code == 204
    fields = api.get(f"/issue/{key}").json()["fields"]
    assert fields["status"]["statusCategory"]["key"] == "done"
    assert fields["resolution"]["name"] == "Won't Do"
    assert invalid.status_code == 400


def test_comments_are_added_in_the_flavors_format(
    jira: JiraStandin, api: httpx.Client
) -> None:
    key = create(jira, api).json()["key"]

    added = api.post(f"/issue/{key}/comment", json={"body": text(jira, "Started.")})
    wrong = api.post(f"/issue/{key}/comment", json={"body": {"not": "a doc"}})

    assert added.status_code == 201
    assert added.json()["body"] == text(jira, "Started.")
    assert wrong.status_code == 400
    assert len(api.get(f"/issue/{key}/comment").json()["comments"]) == 1


def _search(jira: JiraStandin, api: httpx.Client, jql: str) -> httpx.Response:
    path = "/search/jql" if jira.flavor == "cloud" else "/search"
    return api.post(path, json={"jql": jql, "fields": ["status", "labels"]})


def test_search_by_label_finds_the_issue(jira: JiraStandin, api: httpx.Client) -> None:
    key = create(jira, api, labels=["pao-unique-7"]).json()["key"]

    found = _search(jira, api, 'project = DBA AND labels = "pao-unique-7"').json()
    missing = _search(jira, api, 'labels = "pao-nothing"').json()

    assert [issue["key"] for issue in found["issues"]] == [key]
    assert missing["issues"] == []


def test_search_pages_like_the_flavor(jira: JiraStandin, api: httpx.Client) -> None:
    for _ in range(3):
        create(jira, api, labels=["pao-paged"])
    jql = 'labels = "pao-paged"'

    if jira.flavor == "cloud":
        first = api.get("/search/jql", params={"jql": jql, "maxResults": 2}).json()
        rest = api.post(
            "/search/jql", json={"jql": jql, "nextPageToken": first["nextPageToken"]}
        ).json()
        assert [set(i) for i in first["issues"]] == [{"id"}, {"id"}]
        assert first["isLast"] is False
        assert (len(rest["issues"]), rest["isLast"]) == (1, True)
        assert api.get("/search", params={"jql": jql}).status_code == 410
    else:
        first = api.get("/search", params={"jql": jql, "maxResults": 2}).json()
        assert (first["total"], len(first["issues"]), first["startAt"]) == (3, 2, 0)


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        ("summary ~ x", "does not exist"),
        ("project = NOPE", "The value 'NOPE' does not exist for the field 'project'."),
        ("labels = ", "Expecting"),
    ],
)
def test_unsupported_or_wrong_jql_is_400(
    jira: JiraStandin, api: httpx.Client, jql: str, message: str
) -> None:
    answer = _search(jira, api, jql)

    assert answer.status_code == 400
    assert message in answer.json()["errorMessages"][0]


def test_resolving_sends_a_signed_issue_updated_webhook(
    jira: JiraStandin, api: httpx.Client, receiver: RestTarget
) -> None:
    key = create(jira, api).json()["key"]

    delivery = jira.resolve(key, "Won't Do")

    assert delivery is not None
    assert delivery.ok
    [hook] = [
        h
        for h in receiver.state.webhooks
        if h.json["webhookEvent"] != "jira:issue_created"
    ]
    expected = hmac.new(SECRET.encode(), hook.body, hashlib.sha256).hexdigest()
    assert hook.headers["x-hub-signature"] == f"sha256={expected}"
    payload = hook.json
    assert payload["webhookEvent"] == "jira:issue_updated"
    assert payload["issue"]["key"] == key
    assert payload["issue"]["fields"]["resolution"]["name"] == "Won't Do"
    items = {item["field"]: item["toString"] for item in payload["changelog"]["items"]}
    assert items == {"resolution": "Won't Do", "status": "Done"}


def test_scripted_rate_limit_answers_429_with_retry_after(
    jira: JiraStandin, api: httpx.Client
) -> None:
    jira.fail_next(429, retry_after=1, count=2, method="POST")

    first, second, third = (create(jira, api) for _ in range(3))

    assert (first.status_code, second.status_code, third.status_code) == (429, 429, 201)
    assert first.headers["retry-after"] == "1"
    assert first.json() == {"errorMessages": ["Rate limit exceeded."], "errors": {}}
