"""The GitHub stand-in's limits: rate limits, conditional requests, sizes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from github_driver import app_jwt, app_private_key
from pao.standins import GithubStandin

PAT = "ghp_limits"
REPO = "acme/platform-requests"


@pytest.fixture(scope="module")
def github(tmp_path_factory: pytest.TempPathFactory) -> Iterator[GithubStandin]:
    standin = GithubStandin(
        tmp_path_factory.mktemp("github"),
        app_private_key_pem=app_private_key(),
        tokens={PAT: "alice"},
        rate_limit=30,
    )
    standin.add_org("acme", members=["alice", "bob"])
    standin.add_repo(REPO, files={"requests/db/a.yaml": "size: 1\n"})
    standin.push(REPO, "feature", {"requests/db/a.yaml": "size: 2\n"}, user="alice")
    standin.open_pull(REPO, head="feature", user="alice")
    standin.install_app("acme")
    with standin.serve():
        yield standin


@pytest.fixture
def api(github: GithubStandin) -> Iterator[httpx.Client]:
    github.reset_rate_limits()
    headers = {"Authorization": f"token {PAT}"}
    with httpx.Client(base_url=github.url, headers=headers) as client:
        yield client


@pytest.fixture
def app_api(github: GithubStandin) -> Iterator[httpx.Client]:
    installation = github.state.installation_for("acme")
    assert installation is not None
    token = httpx.post(
        f"{github.url}/app/installations/{installation.id}/access_tokens",
        headers={"Authorization": f"Bearer {app_jwt(github.github_app.id)}"},
    ).json()["token"]
    headers = {"Authorization": f"token {token}"}
    with httpx.Client(base_url=github.url, headers=headers) as client:
        yield client


def remaining(answer: httpx.Response) -> int:
    return int(answer.headers["x-ratelimit-remaining"])


def test_every_answer_reports_the_rate_limit(api: httpx.Client) -> None:
    first = api.get(f"/repos/{REPO}")
    second = api.get(f"/repos/{REPO}/pulls")

    assert first.headers["x-ratelimit-limit"] == "30"
    assert first.headers["x-ratelimit-resource"] == "core"
    assert remaining(first) - remaining(second) == 1
    assert int(second.headers["x-ratelimit-used"]) == 2
    assert int(second.headers["x-ratelimit-reset"]) > 0


def test_a_spent_limit_is_refused_with_403(
    github: GithubStandin, api: httpx.Client
) -> None:
    github.exhaust_rate_limit()

    answer = api.get(f"/repos/{REPO}")

    assert answer.status_code == 403
    assert answer.headers["x-ratelimit-remaining"] == "0"
    assert answer.json()["message"].startswith("API rate limit exceeded")


def test_using_up_the_limit_refuses_the_next_request(api: httpx.Client) -> None:
    for _ in range(30):
        assert api.get(f"/repos/{REPO}").status_code == 200

    answer = api.get(f"/repos/{REPO}")

    assert answer.status_code == 403


def test_rate_limit_endpoint_is_free(api: httpx.Client) -> None:
    api.get(f"/repos/{REPO}")

    first = api.get("/rate_limit").json()
    second = api.get("/rate_limit").json()

    assert first["resources"]["core"]["used"] == 1
    assert second["rate"] == first["rate"]


@pytest.mark.parametrize("status", [403, 429])
def test_a_secondary_limit_answers_with_retry_after(
    github: GithubStandin, api: httpx.Client, status: int
) -> None:
    github.trigger_secondary_limit(status=status, retry_after=30)

    refused = api.get(f"/repos/{REPO}")
    after = api.get(f"/repos/{REPO}")

    assert refused.status_code == status
    assert refused.headers["retry-after"] == "30"
    assert "secondary rate limit" in refused.json()["message"]
    assert after.status_code == 200


def test_a_matching_etag_gets_304_without_spending_the_limit(
    api: httpx.Client,
) -> None:
    first = api.get(f"/repos/{REPO}/pulls/1")
    etag = first.headers["etag"]

    again = api.get(f"/repos/{REPO}/pulls/1", headers={"If-None-Match": etag})

    assert again.status_code == 304
    assert again.content == b""
    assert remaining(again) == remaining(first)
    assert again.headers["etag"] == etag


def test_a_change_invalidates_the_etag(
    github: GithubStandin, api: httpx.Client
) -> None:
    etag = api.get(f"/repos/{REPO}/pulls/1").headers["etag"]
    github.push(REPO, "feature", {"requests/db/b.yaml": "x: 1\n"}, user="alice")

    again = api.get(f"/repos/{REPO}/pulls/1", headers={"If-None-Match": etag})

    assert again.status_code == 200
    assert again.headers["etag"] != etag


def annotation(line: int) -> dict[str, Any]:
    return {
        "path": "requests/db/a.yaml",
        "start_line": line,
        "end_line": line,
        "annotation_level": "failure",
        "message": f"problem on line {line}",
    }


def create_run(app_api: httpx.Client, output: dict[str, Any]) -> httpx.Response:
    return app_api.post(
        f"/repos/{REPO}/check-runs",
        json={"name": "pao/validate", "head_sha": "feature", "output": output},
    )


def test_fifty_annotations_per_request_and_all_of_them_listed(
    app_api: httpx.Client,
) -> None:
    first = [annotation(n) for n in range(1, 51)]
    run = create_run(app_api, {"title": "t", "summary": "s", "annotations": first})
    run_id = run.json()["id"]
    more = {"summary": "s", "annotations": [annotation(51), annotation(52)]}
    app_api.patch(f"/repos/{REPO}/check-runs/{run_id}", json={"output": more})

    listed = app_api.get(
        f"/repos/{REPO}/check-runs/{run_id}/annotations", params={"per_page": 100}
    ).json()

    assert run.status_code == 201
    assert len(listed) == 52
    shown = app_api.get(f"/repos/{REPO}/check-runs/{run_id}").json()
    assert shown["output"]["annotations_count"] == 52


def test_fifty_one_annotations_are_refused(app_api: httpx.Client) -> None:
    annotations = [annotation(n) for n in range(1, 52)]

    answer = create_run(
        app_api, {"title": "t", "summary": "s", "annotations": annotations}
    )

    assert answer.status_code == 422


@pytest.mark.parametrize("field", ["summary", "text"])
def test_output_longer_than_65535_characters_is_refused(
    app_api: httpx.Client, field: str
) -> None:
    output = {"title": "t", "summary": "s", field: "x" * 65_536}

    refused = create_run(app_api, output)
    accepted = create_run(app_api, output | {field: "x" * 65_535})

    assert refused.status_code == 422
    assert accepted.status_code == 201


def test_a_comment_of_65536_characters_is_refused(api: httpx.Client) -> None:
    url = f"/repos/{REPO}/issues/1/comments"

    refused = api.post(url, json={"body": "x" * 65_536})
    accepted = api.post(url, json={"body": "x" * 65_535})

    assert refused.status_code == 422
    assert refused.json()["errors"][0]["message"].startswith("Body is too long")
    assert accepted.status_code == 201


def test_an_edit_to_an_oversized_body_is_refused_and_keeps_the_comment(
    api: httpx.Client,
) -> None:
    created = api.post(f"/repos/{REPO}/issues/1/comments", json={"body": "plan"})
    url = f"/repos/{REPO}/issues/comments/{created.json()['id']}"

    refused = api.patch(url, json={"body": "y" * 70_000})

    assert refused.status_code == 422
    assert api.get(url).json()["body"] == "plan"


def test_reactions_are_from_githubs_list(api: httpx.Client) -> None:
    created = api.post(f"/repos/{REPO}/issues/1/comments", json={"body": "/retry"})
    url = f"/repos/{REPO}/issues/comments/{created.json()['id']}/reactions"

    first = api.post(url, json={"content": "eyes"})
    repeated = api.post(url, json={"content": "eyes"})
    unknown = api.post(url, json={"content": "thumbsup"})

    assert (first.status_code, repeated.status_code) == (201, 200)
    assert repeated.json()["id"] == first.json()["id"]
    assert unknown.status_code == 422
    assert [r["content"] for r in api.get(url).json()] == ["eyes"]
