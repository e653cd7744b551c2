"""The GitHub stand-in's webhooks: GitHub's shapes, signatures and misbehaviour."""

from __future__ import annotations

import hashlib
import hmac
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from github_driver import (
    WebhookSender,
    app_jwt,
    app_private_key,
    load_example,
    merged_pull_request,
    pull_request_comment,
)
from pao.standins import GithubStandin, RestTarget

SECRET = "hook-secret"
REPO = "acme/platform-requests"


def new_github(root: Path) -> GithubStandin:
    standin = GithubStandin(
        root, app_private_key_pem=app_private_key(), webhook_secret=SECRET
    )
    standin.add_org("acme", members=["alice", "bob"])
    standin.install_app("acme")
    standin.add_repo(REPO)
    return standin


@pytest.fixture
def github(tmp_path: Path, receiver: RestTarget) -> Iterator[GithubStandin]:
    standin = new_github(tmp_path / "github")
    with standin.serve():
        standin.webhooks.url = receiver.url + "/hooks/github"
        yield standin


@pytest.fixture(scope="module")
def worked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GithubStandin]:
    """A stand-in after a pull request was opened, pushed to, reviewed and
    commented on (deliveries are recorded, nobody receives them)."""
    standin = new_github(tmp_path_factory.mktemp("github"))
    with standin.serve():
        open_and_work(standin)
        yield standin


def received(receiver: RestTarget, count: int, timeout: float = 5.0) -> list[Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with receiver.state.lock:
            hooks = list(receiver.state.webhooks)
        if len(hooks) >= count:
            return hooks
        time.sleep(0.02)
    raise AssertionError(f"expected {count} webhooks, got {len(hooks)}")


def sent(github: GithubStandin) -> list[Any]:
    return [d for d in github.webhooks.deliveries() if d.state == "sent"]


def missing_keys(example: Any, ours: Any, path: str = "") -> set[str]:
    """Keys of *example* absent from *ours*, recursing where both have objects
    (a null in ours, where the example has an object, is a nullable field)."""
    if not isinstance(example, dict) or not isinstance(ours, dict):
        return set()
    missing = set()
    for key, value in example.items():
        if key not in ours:
            missing.add(f"{path}{key}")
        else:
            missing |= missing_keys(value, ours[key], f"{path}{key}.")
    return missing


def open_and_work(github: GithubStandin) -> int:
    github.push(REPO, "feature", {"a.txt": "a\n"}, user="alice")
    pull = github.open_pull(REPO, head="feature", user="alice", title="Add a")
    github.push(REPO, "feature", {"a.txt": "b\n"}, user="alice")
    github.submit_review(REPO, pull.number, user="bob", state="APPROVED")
    github.comment(REPO, pull.number, "/plan", user="bob")
    return pull.number


def test_every_delivery_is_signed_over_its_raw_body(
    github: GithubStandin, receiver: RestTarget
) -> None:
    open_and_work(github)
    delivered = sent(github)

    hooks = received(receiver, len(delivered))

    for hook in hooks:
        expected = hmac.new(SECRET.encode(), hook.body, hashlib.sha256).hexdigest()
        assert hook.headers["x-hub-signature-256"] == f"sha256={expected}"
        assert hook.headers["user-agent"].startswith("GitHub-Hookshot/")
        assert hook.headers["x-github-hook-id"] == "1"
        uuid.UUID(hook.headers["x-github-delivery"])
    events = [h.headers["x-github-event"] for h in hooks]
    assert events == [d.event for d in delivered]


@pytest.mark.parametrize(
    ("event", "action", "example"),
    [
        ("pull_request", "opened", "opened.with-organization"),
        ("pull_request", "synchronize", "synchronize"),
        ("pull_request_review", "submitted", "submitted.with-organization"),
        ("issue_comment", "created", "created.with-organization"),
        ("push", None, "with-organization"),
    ],
)
def test_payloads_have_the_fields_of_githubs_examples(
    worked: GithubStandin,
    fixtures_dir: Path,
    event: str,
    action: str | None,
    example: str,
) -> None:
    ours = worked.webhooks.deliveries(event, action)[-1].payload

    assert missing_keys(load_example(fixtures_dir, event, example), ours) == set()


def test_review_state_is_lower_case_in_the_event(worked: GithubStandin) -> None:
    review = worked.webhooks.deliveries("pull_request_review")[-1].payload["review"]

    assert review["state"] == "approved"


def test_a_comment_on_a_pull_request_links_the_pull_request(
    github: GithubStandin, fixtures_dir: Path
) -> None:
    number = open_and_work(github)
    github.add_user("helper", bot=True)
    github.comment(REPO, number, "noted", user="helper[bot]")

    human, bot = [d.payload for d in github.webhooks.deliveries("issue_comment")]
    derived = pull_request_comment(
        load_example(fixtures_dir, "issue_comment", "created")
    )

    assert set(derived["issue"]["pull_request"]) <= set(human["issue"]["pull_request"])
    assert human["comment"]["author_association"] == "MEMBER"
    assert (bot["sender"]["type"], bot["sender"]["login"]) == ("Bot", "helper[bot]")


def test_merged_close_has_the_fields_of_the_derived_example(
    github: GithubStandin, fixtures_dir: Path
) -> None:
    number = open_and_work(github)
    sha = github.merge_pull(REPO, number, user="bob")
    closed = load_example(fixtures_dir, "pull_request", "closed.with-organization")
    derived = merged_pull_request(
        closed, merge_commit_sha=sha, merged_by=closed["sender"]
    )

    ours = github.webhooks.deliveries("pull_request", "closed")[-1].payload

    assert missing_keys(derived, ours) == set()
    for field in ("merged", "merge_commit_sha"):
        assert ours["pull_request"][field] == derived["pull_request"][field]


def test_check_run_rerequested_has_the_fields_of_githubs_example(
    github: GithubStandin, fixtures_dir: Path
) -> None:
    installation = github.state.installation_for("acme")
    token = httpx.post(
        f"{github.url}/app/installations/{installation.id}/access_tokens",
        headers={"Authorization": f"Bearer {app_jwt(github.github_app.id)}"},
    ).json()["token"]
    run = httpx.post(
        f"{github.url}/repos/{REPO}/check-runs",
        headers={"Authorization": f"token {token}"},
        json={"name": "pao/validate", "head_sha": "main"},
    ).json()

    github.rerequest_check_run(run["id"], user="alice")

    ours = github.webhooks.deliveries("check_run", "rerequested")[-1].payload
    example = load_example(fixtures_dir, "check_run", "rerequested.with-organization")
    assert missing_keys(example, ours) == set()
    assert ours["check_run"]["id"] == run["id"]


def test_redelivery_repeats_the_delivery_id_and_body(
    github: GithubStandin, receiver: RestTarget
) -> None:
    github.push(REPO, "main", {"x.txt": "x\n"}, user="alice")
    original = github.webhooks.deliveries("push")[-1]
    before = len(received(receiver, len(sent(github))))

    again = github.webhooks.redeliver(original.guid)

    hooks = received(receiver, before + 1)
    assert again.redelivery
    assert again.guid == original.guid
    assert hooks[-1].headers["x-github-delivery"] == original.guid
    assert hooks[-1].body == original.body


def test_a_dropped_delivery_never_arrives(
    github: GithubStandin, receiver: RestTarget
) -> None:
    github.webhooks.drop_next(event="pull_request")
    github.push(REPO, "feature", {"a.txt": "a\n"}, user="alice")
    github.open_pull(REPO, head="feature", user="alice")
    github.comment(REPO, 1, "hello", user="bob")
    assert github.webhooks.wait_sent()

    hooks = received(receiver, 2)

    events = [h.headers["x-github-event"] for h in hooks]
    assert events == ["push", "issue_comment"]
    assert github.webhooks.deliveries("pull_request")[0].state == "dropped"


def test_held_deliveries_can_arrive_in_reverse_order(
    github: GithubStandin, receiver: RestTarget
) -> None:
    start = len(received(receiver, len(sent(github))))
    github.webhooks.hold()
    github.push(REPO, "feature", {"a.txt": "a\n"}, user="alice")
    github.open_pull(REPO, head="feature", user="alice")

    released = github.webhooks.release("reverse")

    hooks = received(receiver, start + 2)[start:]
    assert [h.headers["x-github-event"] for h in hooks] == ["pull_request", "push"]
    assert [d.event for d in released] == ["pull_request", "push"]


def test_the_receivers_answer_is_recorded(
    github: GithubStandin, receiver: RestTarget
) -> None:
    receiver.fail_next(503, path="/hooks/")
    github.push(REPO, "main", {"x.txt": "x\n"}, user="alice")
    delivery = github.webhooks.deliveries("push")[-1]

    assert delivery.wait()

    assert delivery.status_code == 503


def test_the_driver_sends_signed_example_deliveries(
    receiver: RestTarget, fixtures_dir: Path
) -> None:
    sender = WebhookSender(receiver.url + "/hooks/pao", secret=SECRET)
    payload = pull_request_comment(
        load_example(fixtures_dir, "issue_comment", "created"), body="/retry"
    )

    first = sender.send("issue_comment", payload)
    second = sender.redeliver()

    hooks = received(receiver, 2)
    assert (first.status_code, second.status_code) == (200, 200)
    assert (
        hooks[0].headers["x-github-delivery"] == hooks[1].headers["x-github-delivery"]
    )
    body = hooks[0].body
    digest = hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
    assert hooks[0].headers["x-hub-signature-256"] == f"sha256={digest}"
    assert hooks[0].json["issue"]["pull_request"]["url"].endswith("/pulls/1")
