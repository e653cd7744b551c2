"""The pure parts: rate-limit waits, error conversion, limits, names."""

from __future__ import annotations

import pytest

from pao.forge.github import (
    GitHubConflict,
    GitHubNotFound,
    GitHubRateLimited,
    GitHubValidation,
    RepoName,
)
from pao.forge.github.errors import error_for_status
from pao.forge.github.etag import CachedResponse, ETagCache
from pao.forge.github.limits import truncate
from pao.forge.github.pulls import team_slug
from pao.forge.github.ratelimit import SECONDARY_DEFAULT_WAIT, wait_for

NOW = 1_700_000_000.0


@pytest.mark.parametrize(
    ("status", "headers", "body", "expected"),
    [
        (403, {"retry-after": "30"}, None, 30.0),
        (429, {"retry-after": "0"}, None, 0.0),
        (
            403,
            {
                "x-ratelimit-limit": "5000",
                "x-ratelimit-remaining": "0",
                "x-ratelimit-reset": str(int(NOW) + 100),
            },
            {"message": "API rate limit exceeded"},
            101.0,
        ),
        (
            403,
            {
                "x-ratelimit-limit": "5000",
                "x-ratelimit-remaining": "0",
                "x-ratelimit-reset": str(int(NOW) - 5),
            },
            None,
            1.0,
        ),
        (403, {}, {"message": "You have exceeded a secondary rate limit."}, 60.0),
        (429, {}, None, SECONDARY_DEFAULT_WAIT),
        (403, {"x-ratelimit-remaining": "12"}, {"message": "Forbidden"}, None),
        (404, {"retry-after": "5"}, None, None),
        (500, {}, None, None),
    ],
)
def test_wait_for(
    status: int, headers: dict[str, str], body: object, expected: float | None
) -> None:
    assert wait_for(status, headers, body, now=NOW) == expected


def test_errors_name_the_call_and_githubs_message() -> None:
    error = error_for_status(
        422,
        {
            "message": "Validation Failed",
            "errors": [{"field": "head", "code": "invalid"}],
        },
        action="POST /repos/acme/x/pulls",
        request_id="ABC",
    )

    assert isinstance(error, GitHubValidation)
    assert str(error) == (
        "GitHub POST /repos/acme/x/pulls: HTTP 422: Validation Failed; head: invalid"
    )
    assert error.request_id == "ABC"
    assert "GitHubValidation(" in repr(error)


def test_error_classes_by_status() -> None:
    assert isinstance(error_for_status(404, None, action="GET /x"), GitHubNotFound)
    assert isinstance(error_for_status(409, "", action="GET /x"), GitHubConflict)
    limited = error_for_status(403, None, action="GET /x", retry_after=3.0)
    assert isinstance(limited, GitHubRateLimited)
    assert limited.retry_after == 3.0


def test_long_remote_messages_are_truncated() -> None:
    error = error_for_status(500, {"message": "x" * 5000}, action="GET /x")

    assert len(str(error)) < 400
    assert str(error).endswith("… (truncated)")


def test_truncate_keeps_the_limit_and_the_marker() -> None:
    assert truncate("abcdef", 6) == "abcdef"
    assert truncate("abcdefg", 6, marker="…") == "abcde…"
    assert truncate("abcdefg", 2, marker="long marker") == "ab"


def test_etag_cache_drops_the_least_recently_used() -> None:
    cache = ETagCache(max_entries=2)
    cache.put("a", CachedResponse('"1"', "[]"))
    cache.put("b", CachedResponse('"2"', "[]"))
    cache.get("a")

    cache.put("c", CachedResponse('"3"', "[]"))

    assert cache.get("b") is None
    assert cache.get("a") is not None
    assert len(cache) == 2


def test_etag_cache_skips_large_bodies() -> None:
    cache = ETagCache(max_body=10)

    cache.put("a", CachedResponse('"1"', "x" * 11))

    assert cache.get("a") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("acme/platform-requests", RepoName("acme", "platform-requests")),
        (" acme/x.git ", RepoName("acme", "x")),
    ],
)
def test_repo_names(text: str, expected: RepoName) -> None:
    assert RepoName.parse(text) == expected
    assert expected.path == f"/repos/{expected}"


@pytest.mark.parametrize("text", ["acme", "acme/../x", "a b/c", "acme/"])
def test_bad_repo_names_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="owner/name"):
        RepoName.parse(text)


def test_team_slug() -> None:
    assert team_slug("@acme/dba") == "dba"
    assert team_slug("dba") == "dba"
