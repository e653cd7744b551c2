"""The transport: rate limits, retries, conditional requests and errors."""

from __future__ import annotations

import time
from typing import Any

import pytest

from forge.github.conftest import TOKEN, Sleeps
from forge.github.fake_github import FakeGitHub, Fault
from pao.forge.github import (
    GitHubConflict,
    GitHubError,
    GitHubForbidden,
    GitHubNotFound,
    GitHubRateLimited,
    GitHubRepo,
    GitHubUnavailable,
    GitHubValidation,
    TokenCredentials,
    Transport,
)
from pao.forge.github.transport import next_link

PULL = r"/repos/acme/platform-requests/pulls/1"


def _limited(reset_in: float, status: int = 403) -> Fault:
    headers = {
        "x-ratelimit-limit": "5000",
        "x-ratelimit-remaining": "0",
        "x-ratelimit-reset": str(int(time.time() + reset_in)),
    }
    body = {"message": "API rate limit exceeded for installation ID 77."}
    return Fault("GET", PULL, status, body, headers)


@pytest.mark.parametrize("status", [403, 429])
def test_a_spent_primary_limit_waits_until_the_reset_then_retries(
    fake: FakeGitHub, repo: GitHubRepo, sleeps: Sleeps, status: int
) -> None:
    fake.add_pull(1)
    fake.faults.append(_limited(reset_in=20, status=status))

    assert repo.get_pull(1).number == 1

    assert len(sleeps) == 1
    assert 19 <= sleeps[0] <= 22


def test_a_reset_further_away_than_the_bound_raises_rate_limited(
    fake: FakeGitHub, repo: GitHubRepo, sleeps: Sleeps
) -> None:
    fake.add_pull(1)
    fake.faults.append(_limited(reset_in=1800))

    with pytest.raises(GitHubRateLimited) as caught:
        repo.get_pull(1)

    assert sleeps == []
    assert caught.value.retry_after is not None
    assert caught.value.retry_after > 1700
    assert caught.value.status == 403


def test_a_secondary_limit_honours_retry_after(
    fake: FakeGitHub, repo: GitHubRepo, sleeps: Sleeps
) -> None:
    fake.add_pull(1)
    body = {"message": "You have exceeded a secondary rate limit."}
    fake.faults.append(Fault("POST", r".*/comments", 403, body, {"retry-after": "7"}))

    repo.create_comment(1, "hello")

    assert sleeps == [7.0]
    assert [c.status for c in fake.calls] == [403, 201]


def test_rate_limit_waits_are_bounded_in_number(
    fake: FakeGitHub, repo: GitHubRepo, sleeps: Sleeps
) -> None:
    fake.add_pull(1)
    fake.faults.append(Fault("GET", PULL, 429, {"message": "slow down"}, times=5))

    with pytest.raises(GitHubRateLimited):
        repo.get_pull(1)

    assert sleeps == [60.0, 60.0]


def test_a_forbidden_without_limit_headers_is_not_retried(
    fake: FakeGitHub, repo: GitHubRepo, sleeps: Sleeps
) -> None:
    body = {"message": "Resource not accessible by integration"}
    fake.faults.append(Fault("GET", PULL, 403, body))

    with pytest.raises(GitHubForbidden, match="not accessible"):
        repo.get_pull(1)

    assert sleeps == []


def test_gets_are_retried_after_a_bad_gateway(
    fake: FakeGitHub, repo: GitHubRepo, sleeps: Sleeps
) -> None:
    fake.add_pull(1)
    fake.faults.append(Fault("GET", PULL, 502, {"message": "Server Error"}, times=2))

    assert repo.get_pull(1).number == 1
    assert sleeps == [0.5, 1.0]


def test_writes_are_never_resent_after_a_server_error(
    fake: FakeGitHub, repo: GitHubRepo, sleeps: Sleeps
) -> None:
    fake.faults.append(Fault("POST", r".*/comments", 502, {"message": "Bad"}))

    with pytest.raises(GitHubUnavailable):
        repo.create_comment(1, "hello")

    assert len(fake.comments) == 0
    assert sum(c.method == "POST" for c in fake.calls) == 1


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (404, GitHubNotFound),
        (409, GitHubConflict),
        (401, GitHubForbidden),
        (500, GitHubUnavailable),
        (418, GitHubError),
    ],
)
def test_statuses_become_specific_errors(
    fake: FakeGitHub, repo: GitHubRepo, status: int, error: type[GitHubError]
) -> None:
    fake.faults.append(Fault("POST", r".*/comments", status, {"message": "no"}))

    with pytest.raises(error) as caught:
        repo.create_comment(1, "hello")

    assert type(caught.value) is error
    assert caught.value.status == status
    assert str(caught.value).startswith(
        "GitHub POST /repos/acme/platform-requests/issues/1/comments: HTTP"
    )
    assert caught.value.request_id is not None


def test_validation_errors_carry_githubs_errors(
    fake: FakeGitHub, repo: GitHubRepo
) -> None:
    body = {
        "message": "Validation Failed",
        "errors": [{"resource": "Team", "field": "team_reviewers", "code": "invalid"}],
    }
    fake.faults.append(Fault("POST", r".*/requested_reviewers", 422, body))

    with pytest.raises(GitHubValidation) as caught:
        repo.request_reviewers(1, teams=["acme/ghost"])

    assert caught.value.errors[0]["field"] == "team_reviewers"
    assert "team_reviewers: invalid" in str(caught.value)


def test_an_unreachable_server_is_unavailable_after_retries(sleeps: Sleeps) -> None:
    # Port 9 (discard) on the loopback: nothing listens, the connection is
    # refused at once.
    closed = Transport(
        api_url="http://127.0.0.1:9",
        credentials=TokenCredentials(TOKEN),
        sleep=sleeps,
        timeout=2,
    )

    with pytest.raises(GitHubUnavailable, match="GET /user"):
        closed.get("/user")

    assert sleeps == [0.5, 1.0]


def test_the_token_never_appears_in_errors_or_reprs(
    fake: FakeGitHub, repo: GitHubRepo, caplog: pytest.LogCaptureFixture
) -> None:
    fake.faults.append(Fault("GET", PULL, 401, {"message": f"bad {TOKEN[:3]}"}))

    with pytest.raises(GitHubForbidden) as caught:
        repo.get_pull(1)

    seen = [str(caught.value), repr(caught.value), repr(repo.transport.credentials)]
    assert all(TOKEN not in text for text in seen)
    assert TOKEN not in caplog.text
    assert fake.calls[0].headers["authorization"] == f"token {TOKEN}"


def test_quota_is_tracked_from_headers(fake: FakeGitHub, transport: Transport) -> None:
    transport.get("/user")
    transport.get("/user")

    assert transport.quota is not None
    assert transport.quota.limit == 5000
    assert transport.quota.remaining == 4999


def test_requests_carry_the_api_version_and_accept_headers(
    fake: FakeGitHub, transport: Transport
) -> None:
    transport.get("/user")

    headers: dict[str, Any] = fake.calls[0].headers
    assert headers["x-github-api-version"] == "2022-11-28"
    assert headers["accept"] == "application/vnd.github+json"
    assert headers["user-agent"] == "pao"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            '<https://x/a?page=2>; rel="next", <https://x/a?page=5>; rel="last"',
            "https://x/a?page=2",
        ),
        ('<https://x/a?page=1>; rel="prev"', None),
        (None, None),
    ],
)
def test_next_link(header: str | None, expected: str | None) -> None:
    assert next_link(header) == expected
