"""jira-ticket actions against the Jira stand-ins, Cloud and Data Center."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from actions.jira.conftest import PAT, basic_auth, instance_of
from actions.scripted import Reply, ScriptedTarget
from pao.actions import (
    ActionAuthError,
    ActionContext,
    ActionResult,
    ActionTimeout,
    PermanentActionError,
    TransientActionError,
    Waiting,
)
from pao.actions.jira import JiraService, JiraTicketExecutor, idempotency_label
from pao.actions.vendor_config import JiraAuthConfig, JiraInstanceConfig
from pao.standins import JiraStandin
from pao.standins.jira_model import adf_text, is_adf_document

Ctx = Callable[..., ActionContext]


def ticket(**overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "project": "DBA",
        "issueType": "Task",
        "priority": "High",
        "summary": "Create orders-db for acme/payments",
        "description": (
            "Please create it.\nSize: 20 GB\n\n- engine: postgres\n- team: payments"
        ),
        "labels": ["pao"],
        "customFields": {"customfield_10010": "orders-db"},
    }
    config.update(overrides)
    return config


def fresh(make_ctx: Ctx, **overrides: Any) -> ActionContext:
    return make_ctx(idempotency_key=f"pao-{uuid.uuid4()}-create-db-1", **overrides)


def labelled(jira: JiraStandin, label: str) -> list[str]:
    with jira.state.lock:
        return [key for key, i in jira.state.issues.items() if label in i.labels]


def test_create_records_key_and_browse_url(
    jira: JiraStandin, executor: JiraTicketExecutor, make_ctx: Ctx
) -> None:
    ctx = fresh(make_ctx)

    result = executor.execute(ticket(), ctx)

    key = result.outputs["key"]
    assert result.outputs == {"key": key, "url": f"{jira.url}/browse/{key}"}
    assert result.waiting is None
    assert result.attempts == 1
    issue = jira.issue(key)
    assert issue.summary == "Create orders-db for acme/payments"
    assert issue.priority == "High"
    assert issue.labels == ["pao", idempotency_label(ctx.idempotency_key)]
    assert issue.custom_fields == {"customfield_10010": "orders-db"}


def test_cloud_gets_adf_and_datacenter_gets_text(
    jira: JiraStandin, executor: JiraTicketExecutor, make_ctx: Ctx
) -> None:
    result = executor.execute(ticket(), fresh(make_ctx))

    description = jira.issue(result.outputs["key"]).description
    if jira.flavor == "datacenter":
        assert description == ticket()["description"]
        return
    assert is_adf_document(description)
    first, bullets = description["content"]
    assert [n["type"] for n in first["content"]] == ["text", "hardBreak", "text"]
    assert bullets["type"] == "bulletList"
    assert adf_text(bullets) == "engine: postgresteam: payments"


def test_waits_for_done_then_succeeds(
    jira: JiraStandin, executor: JiraTicketExecutor, make_ctx: Ctx
) -> None:
    ctx = fresh(make_ctx)
    started = executor.execute(ticket(waitForResolution=True), ctx)
    assert started.waiting is not None
    key = started.outputs["key"]
    waiting = Waiting.from_dict(started.waiting.to_dict())

    assert waiting.kind == "jira-resolution"
    assert dict(waiting.ref) == {"instance": "platform", "key": key}
    assert waiting.poll_after_seconds == 300
    assert isinstance(executor.poll(waiting, ctx), Waiting)
    jira.transition(key, "In Progress", wait=False)
    assert isinstance(executor.poll(waiting, ctx), Waiting)

    jira.resolve(key, "Done", wait=False)
    done = executor.poll(waiting, ctx)

    assert isinstance(done, ActionResult)
    assert done.outputs["key"] == key
    assert done.outputs["url"] == f"{jira.url}/browse/{key}"
    assert done.outputs["resolution"] == "Done"


@pytest.mark.parametrize("resolution", ["Won't Do", "Duplicate"])
def test_a_refusing_resolution_fails(
    jira: JiraStandin, executor: JiraTicketExecutor, make_ctx: Ctx, resolution: str
) -> None:
    ctx = fresh(make_ctx)
    started = executor.execute(ticket(waitForResolution=True), ctx)
    assert started.waiting is not None
    key = started.outputs["key"]
    jira.resolve(key, resolution, wait=False)

    with pytest.raises(PermanentActionError) as caught:
        executor.poll(started.waiting, ctx)

    message = str(caught.value)
    assert f"{key} was closed as {resolution!r}" in message
    assert f"{jira.url}/browse/{key}" in message


def test_failure_resolutions_can_be_configured(
    jira: JiraStandin, executor: JiraTicketExecutor, make_ctx: Ctx
) -> None:
    ctx = fresh(make_ctx)
    config = ticket(waitForResolution=True, failureResolutions=["Won't Do"])
    started = executor.execute(config, ctx)
    assert started.waiting is not None
    jira.resolve(started.outputs["key"], "Duplicate", wait=False)

    done = executor.poll(started.waiting, ctx)

    assert isinstance(done, ActionResult)
    assert done.outputs["resolution"] == "Duplicate"


def test_repeated_execute_opens_one_ticket(
    jira: JiraStandin, executor: JiraTicketExecutor, make_ctx: Ctx
) -> None:
    ctx = fresh(make_ctx)

    first = executor.execute(ticket(), ctx)
    second = executor.execute(ticket(), ctx)

    assert second.outputs == first.outputs
    assert labelled(jira, idempotency_label(ctx.idempotency_key)) == [
        first.outputs["key"]
    ]


def test_a_lost_create_answer_is_found_not_repeated(
    jira: JiraStandin, executor: JiraTicketExecutor, make_ctx: Ctx
) -> None:
    ctx = fresh(make_ctx)
    jira.drop_next(after_effect=True, method="POST", path=r"/issue$")

    result = executor.execute(ticket(), ctx)

    assert result.attempts == 2
    label = idempotency_label(ctx.idempotency_key)
    assert labelled(jira, label) == [result.outputs["key"]]


def test_a_malformed_create_answer_is_found_not_repeated(
    jira: JiraStandin, executor: JiraTicketExecutor, make_ctx: Ctx
) -> None:
    ctx = fresh(make_ctx)
    jira.malform_next(after_effect=True, method="POST", path=r"/issue$")

    result = executor.execute(ticket(), ctx)

    assert result.attempts == 2
    assert labelled(jira, idempotency_label(ctx.idempotency_key)) == [
        result.outputs["key"]
    ]


def test_find_existing_asks_jira(
    jira: JiraStandin, executor: JiraTicketExecutor, make_ctx: Ctx
) -> None:
    ctx = fresh(make_ctx)
    created = executor.execute(ticket(waitForResolution=True), ctx)

    found = executor.find_existing(ticket(waitForResolution=True), ctx)
    missing = executor.find_existing(ticket(), fresh(make_ctx))

    assert found is not None
    assert found.outputs == created.outputs
    assert found.waiting == created.waiting
    assert missing is None


@pytest.mark.parametrize(
    ("override", "expected"),
    [
        ({"summary": "   "}, "summary: You must specify a summary of the issue."),
        ({"issueType": "Epic"}, "issuetype: "),
        ({"priority": "Urgent"}, "priority: Specify a valid priority"),
    ],
)
def test_field_errors_name_the_field(
    jira: JiraStandin,
    executor: JiraTicketExecutor,
    make_ctx: Ctx,
    override: dict[str, Any],
    expected: str,
) -> None:
    with pytest.raises(PermanentActionError) as caught:
        executor.execute(ticket(**override), fresh(make_ctx))

    message = str(caught.value)
    assert message.startswith("Jira (platform) could not create the issue (400 Bad")
    assert expected in message
    assert caught.value.attempts == 1
    assert "response body" not in message


def test_wrong_credentials_fail_at_once_without_showing_them(
    jira: JiraStandin, make_service: Callable[..., JiraService], make_ctx: Ctx
) -> None:
    wrong = "wrong-token-9f3e"
    executor = JiraTicketExecutor(
        make_service(instance_of(jira, auth=basic_auth(wrong)))
    )

    with pytest.raises(ActionAuthError) as caught:
        executor.execute(ticket(), fresh(make_ctx))

    message = str(caught.value)
    assert "rejected pao's credentials" in message
    assert "check jira.instances.platform.auth" in message
    assert caught.value.attempts == 1
    assert wrong not in message + repr(caught.value)


def test_forbidden_is_an_auth_failure(
    jira: JiraStandin, executor: JiraTicketExecutor, make_ctx: Ctx
) -> None:
    jira.fail_next(403, path="search")

    with pytest.raises(ActionAuthError) as caught:
        executor.execute(ticket(), fresh(make_ctx))

    assert "refused access when trying to search issues (403 Forbidden)" in str(
        caught.value
    )


def test_a_missing_issue_fails_the_poll(
    jira: JiraStandin, executor: JiraTicketExecutor, make_ctx: Ctx
) -> None:
    waiting = Waiting(
        kind="jira-resolution",
        ref={"instance": "platform", "key": "DBA-99999"},
        poll_after_seconds=300,
    )

    with pytest.raises(PermanentActionError) as caught:
        executor.poll(waiting, fresh(make_ctx))

    assert "could not read DBA-99999 (404 Not Found): Issue does not exist" in str(
        caught.value
    )


def test_rate_limit_is_waited_out(
    jira: JiraStandin, executor: JiraTicketExecutor, make_ctx: Ctx
) -> None:
    jira.fail_next(429, retry_after=0.2, path="search")
    started = time.monotonic()

    result = executor.execute(ticket(), fresh(make_ctx))

    assert result.attempts == 2
    assert time.monotonic() - started >= 0.2


def test_a_server_outage_ends_after_the_attempts_allowed(
    jira: JiraStandin, executor: JiraTicketExecutor, make_ctx: Ctx
) -> None:
    jira.fail_next(503, count=10)
    before = len(jira.state.issues)

    with pytest.raises(TransientActionError) as caught:
        executor.execute(ticket(), fresh(make_ctx))

    assert caught.value.attempts == 3
    assert "503" in str(caught.value)
    assert len(jira.requests.all()) == 3
    assert len(jira.state.issues) == before


def test_a_hanging_jira_times_out(
    jira: JiraStandin, executor: JiraTicketExecutor, make_ctx: Ctx
) -> None:
    jira.delay_next(2.0, count=5, path="search")

    with pytest.raises(ActionTimeout) as caught:
        executor.execute(ticket(), fresh(make_ctx, timeout=0.6))

    assert 1 <= caught.value.attempts <= 3


def test_a_poll_during_an_outage_keeps_waiting(
    jira: JiraStandin, executor: JiraTicketExecutor, make_ctx: Ctx
) -> None:
    ctx = fresh(make_ctx)
    started = executor.execute(ticket(waitForResolution=True), ctx)
    assert started.waiting is not None
    jira.fail_next(502, count=3)

    answer = executor.poll(started.waiting, ctx)

    assert isinstance(answer, Waiting)
    assert answer.ref == started.waiting.ref
    assert "last poll failed" in answer.description


def test_bearer_token_auth(
    jira: JiraStandin, make_service: Callable[..., JiraService], make_ctx: Ctx
) -> None:
    auth = JiraAuthConfig(type="bearer", token=lambda: PAT)
    executor = JiraTicketExecutor(make_service(instance_of(jira, auth=auth)))

    result = executor.execute(ticket(), fresh(make_ctx))

    assert result.outputs["key"].startswith("DBA-")
    sent = jira.requests.matching("POST", r"/issue$")[-1]
    assert sent.headers["authorization"] == f"Bearer {PAT}"


def test_oauth2_client_credentials(
    cloud: JiraStandin,
    target: ScriptedTarget,
    make_service: Callable[..., JiraService],
    make_ctx: Ctx,
) -> None:
    token = {"access_token": PAT, "token_type": "Bearer", "expires_in": 3600}
    target.script("/oauth/token", Reply(json=token))
    auth = JiraAuthConfig(
        type="oauth2",
        client_id="pao",
        client_secret=lambda: "client-secret-xyz",
        token_url=target.url + "/oauth/token",
    )
    executor = JiraTicketExecutor(make_service(instance_of(cloud, auth=auth)))

    result = executor.execute(ticket(), fresh(make_ctx))

    assert result.outputs["key"].startswith("DBA-")
    assert len(target.requests_to("/oauth/token")) == 1


def test_the_action_picks_its_instance(
    cloud: JiraStandin,
    datacenter: JiraStandin,
    make_service: Callable[..., JiraService],
    make_ctx: Ctx,
) -> None:
    service = make_service(
        instance_of(cloud, name="platform"), instance_of(datacenter, name="legacy")
    )
    executor = JiraTicketExecutor(service)

    default = executor.execute(ticket(), fresh(make_ctx))
    legacy = executor.execute(ticket(instance="legacy"), fresh(make_ctx))

    assert default.outputs["url"].startswith(cloud.url)
    assert legacy.outputs["url"].startswith(datacenter.url)
    assert legacy.external_ref["instance"] == "legacy"
    with pytest.raises(PermanentActionError, match="unknown Jira instance 'nope'"):
        executor.execute(ticket(instance="nope"), fresh(make_ctx))


def test_comments_follow_the_flavour(
    jira: JiraStandin, service: JiraService, make_ctx: Ctx
) -> None:
    executor = JiraTicketExecutor(service)
    key = executor.execute(ticket(), fresh(make_ctx)).outputs["key"]

    comment_id = service.add_comment("platform", key, "Request completed.\nAll done.")

    (comment,) = jira.issue(key).comments
    assert comment.id == comment_id
    if jira.flavor == "cloud":
        assert is_adf_document(comment.body)
        assert adf_text(comment.body) == "Request completed.All done."
    else:
        assert comment.body == "Request completed.\nAll done."


def test_vendor_echoes_of_the_token_are_masked(
    target: ScriptedTarget, make_service: Callable[..., JiraService], make_ctx: Ctx
) -> None:
    token = "echoed-token-1a2b"
    body = {"errorMessages": [f"token {token} is not valid for this JQL"], "errors": {}}
    target.script("/rest/api/3/search/jql", Reply(status=400, json=body))
    instance = JiraInstanceConfig(
        name="platform", base_url=target.url, auth=basic_auth(token)
    )
    executor = JiraTicketExecutor(make_service(instance))

    with pytest.raises(PermanentActionError) as caught:
        executor.execute(ticket(), fresh(make_ctx))

    assert "token *** is not valid" in str(caught.value)
    assert token not in str(caught.value) + repr(caught.value)


def test_validate_config_names_keys_and_instances(executor: JiraTicketExecutor) -> None:
    problems = executor.validate_config(
        {"project": "DBA", "sumary": "x", "instance": "nope", "labels": ["a b"]}
    )

    assert (("summary",), "required key is missing") in problems
    assert (("sumary",), "unknown key") in problems
    assert (("labels",), "a Jira label may not be empty or contain spaces") in problems
    assert (("instance",), "no Jira instance 'nope' (known: platform)") in problems
    assert executor.validate_config(ticket(summary="{{fields.name}}")) == []
    assert executor.validate_config(ticket(waitForResolution="{{fields.wait}}")) == []
