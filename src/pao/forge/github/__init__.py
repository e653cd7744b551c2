"""GitHub's REST API as pao uses it: pull requests, checks, comments, files.

``connect(settings.github)`` gives a :class:`GitHub`; ``.repo("org/name")``
gives a :class:`GitHubRepo` with the calls of the pull-request reconciler.
See :mod:`pao.forge.github.transport` for rate limits and conditional
requests, :mod:`pao.forge.github.errors` for what the calls raise.
"""

from __future__ import annotations

from pao.forge.github.auth import AppCredentials, TokenCredentials
from pao.forge.github.checks import CHECK_NAME
from pao.forge.github.client import GitHub, GitHubRepo, connect
from pao.forge.github.comments import fit_comment
from pao.forge.github.errors import (
    GitHubConflict,
    GitHubError,
    GitHubForbidden,
    GitHubNotFound,
    GitHubRateLimited,
    GitHubUnavailable,
    GitHubValidation,
)
from pao.forge.github.etag import ETagCache
from pao.forge.github.limits import (
    ANNOTATIONS_PER_CALL,
    CHECK_TEXT_LIMIT,
    COMMENT_LIMIT,
)
from pao.forge.github.models import (
    Annotation,
    CheckOutput,
    CheckRun,
    Comment,
    FileContent,
    FileStatus,
    PullFile,
    PullRequest,
    RepoName,
    Review,
    ReviewState,
)
from pao.forge.github.transport import Transport

__all__ = [
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
