"""Errors raised by pao's GitHub client, converted from HTTP at the edge.

Exception tree::

    GitHubError              any failed GitHub call (permanent by default)
    ├── GitHubUnavailable    transient: 5xx, timeout, connection refused
    │   └── GitHubRateLimited  quota spent; ``retry_after`` says how long
    ├── GitHubNotFound       404: no such repo, pull request, file, member
    ├── GitHubForbidden      401/403: credentials refused or not allowed
    ├── GitHubConflict       409: a ref moved, the repo is empty, a merge
    └── GitHubValidation     422: GitHub refused the request's content

Messages name the method, the API path and GitHub's own message, never a
header: the token travels in ``Authorization`` only and appears nowhere
here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

__all__ = [
    "GitHubConflict",
    "GitHubError",
    "GitHubForbidden",
    "GitHubNotFound",
    "GitHubRateLimited",
    "GitHubUnavailable",
    "GitHubValidation",
    "error_for_status",
]

# Enough of GitHub's message to see the cause, never a whole page.
MESSAGE_LIMIT = 300


class GitHubError(Exception):
    """A GitHub API call failed."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.request_id = request_id

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r}, status={self.status!r})"


class GitHubUnavailable(GitHubError):
    """A transient failure: GitHub is down, slow or unreachable."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, status=status, request_id=request_id)
        self.retry_after = retry_after


class GitHubRateLimited(GitHubUnavailable):
    """The rate limit is spent for longer than pao is willing to wait."""


class GitHubNotFound(GitHubError):
    """The repository, pull request, file or member does not exist."""


class GitHubForbidden(GitHubError):
    """GitHub refused the credentials or the permission for this call."""


class GitHubConflict(GitHubError):
    """The call conflicts with the repository's state (HTTP 409)."""


class GitHubValidation(GitHubError):
    """GitHub refused the request's content (HTTP 422)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        request_id: str | None = None,
        errors: tuple[Mapping[str, Any], ...] = (),
    ) -> None:
        super().__init__(message, status=status, request_id=request_id)
        self.errors = errors


def _truncate(text: str, limit: int = MESSAGE_LIMIT) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else f"{text[:limit]}… (truncated)"


def _detail(body: Any) -> str:
    """GitHub's ``message`` and its ``errors`` as one short line."""
    if isinstance(body, str):
        return _truncate(body)
    if not isinstance(body, Mapping):
        return ""
    parts = [str(body.get("message") or "")]
    for error in _errors(body):
        detail = error.get("message") or error.get("code") or ""
        parts.append(f"{error.get('field', 'error')}: {detail}")
    return _truncate("; ".join(part for part in parts if part))


def _errors(body: Any) -> tuple[Mapping[str, Any], ...]:
    if not isinstance(body, Mapping):
        return ()
    found = body.get("errors") or ()
    if not isinstance(found, list):
        return ()
    return tuple(
        error if isinstance(error, Mapping) else {"message": str(error)}
        for error in found
    )


def error_for_status(
    status: int,
    body: Any,
    *,
    action: str,
    request_id: str | None = None,
    retry_after: float | None = None,
) -> GitHubError:
    """The most specific error for an HTTP *status* GitHub answered.

    *action* names the call ("GET /repos/acme/x/pulls/7"); *body* is the
    decoded JSON (or text) of the response.
    """
    detail = _detail(body) or "no message"
    message = f"GitHub {action}: HTTP {status}: {detail}"
    common: dict[str, Any] = {"status": status, "request_id": request_id}
    if status == 404:
        return GitHubNotFound(message, **common)
    if status == 409:
        return GitHubConflict(message, **common)
    if status == 422:
        return GitHubValidation(message, errors=_errors(body), **common)
    if retry_after is not None:
        return GitHubRateLimited(message, retry_after=retry_after, **common)
    if status in (401, 403):
        return GitHubForbidden(message, **common)
    if status >= 500 or status == 429:
        return GitHubUnavailable(message, **common)
    return GitHubError(message, **common)
