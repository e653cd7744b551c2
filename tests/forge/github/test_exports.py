"""The package's public names."""

from __future__ import annotations

import pao.forge.github as package


def test_public_names() -> None:
    assert sorted(package.__all__) == sorted(
        [
            "ANNOTATIONS_PER_CALL",
            "CHECK_NAME",
            "CHECK_TEXT_LIMIT",
            "COMMENT_LIMIT",
            "Annotation",
            "AppCredentials",
            "CheckOutput",
            "CheckRun",
            "Comment",
            "ETagCache",
            "FileContent",
            "FileStatus",
            "GitHub",
            "GitHubConflict",
            "GitHubError",
            "GitHubForbidden",
            "GitHubNotFound",
            "GitHubRateLimited",
            "GitHubRepo",
            "GitHubUnavailable",
            "GitHubValidation",
            "PullFile",
            "PullRequest",
            "RepoName",
            "Review",
            "ReviewState",
            "TokenCredentials",
            "Transport",
            "connect",
            "fit_comment",
        ]
    )
    for name in package.__all__:
        assert getattr(package, name) is not None
