"""Errors raised by pao's git layer, converted from GitPython at the edge.

Exception tree::

    GitError                 any failed git operation (permanent by default)
    ├── GitUnavailable       transient: remote unreachable, timeout, lock held
    ├── GitCorrupt           the local clone is damaged and must be re-cloned
    ├── BranchNotFound       the remote has no such branch
    ├── PushRejected         the remote refused a push, or kept refusing it
    └── PathNotAllowed       a commit would touch a path outside its prefix

Messages never carry credentials: command lines and git's output are masked
before they reach an exception, and so is the GitPython error chained to it.
"""

from __future__ import annotations

from collections.abc import Sequence

from git.exc import GitCommandError

from pao.forge.git.redact import mask_text

__all__ = [
    "BranchNotFound",
    "GitCorrupt",
    "GitError",
    "GitUnavailable",
    "PathNotAllowed",
    "PushRejected",
    "convert",
]

# Enough of git's stderr to see the cause, never a whole transcript.
STDERR_LIMIT = 600

_UNAVAILABLE_HINTS = (
    "could not resolve host",
    "connection refused",
    "connection timed out",
    "connection reset",
    "operation timed out",
    "timeout: the command",
    "timed out",
    "unable to access",
    "could not read from remote repository",
    "does not appear to be a git repository",
    "the remote end hung up",
    "early eof",
    "failed to connect",
    "unable to connect",
    "network is unreachable",
    "ssl",
    "http 5",
    "the requested url returned error: 5",
    ".lock': file exists",
    "cannot lock ref",
    "unable to create",
)
_CORRUPT_HINTS = (
    "not a git repository",
    "bad object",
    "corrupt",
    "bad config",
    "invalid head",
    "unable to read",
    "missing object",
    "loose object",
    "bad signature",
    "index file smaller",
)
_BRANCH_HINTS = ("couldn't find remote ref",)


class GitError(Exception):
    """A git operation failed."""

    def __init__(
        self,
        message: str,
        *,
        command: str | None = None,
        stderr: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.command = command
        self.stderr = stderr

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.message!r})"


class GitUnavailable(GitError):
    """A transient failure: the remote is unreachable, slow or locked."""


class GitCorrupt(GitError):
    """The local clone is damaged and has to be cloned again."""


class BranchNotFound(GitError):
    """The remote has no branch of the expected name."""


class PushRejected(GitError):
    """The remote refused a push, or kept refusing it after retries."""


class PathNotAllowed(GitError, ValueError):
    """A commit would write a path outside the prefix it may touch."""


def truncate(text: str, limit: int = STDERR_LIMIT) -> str:
    text = text.strip()
    return text if len(text) <= limit else f"{text[:limit]}… (truncated)"


def _decode(value: bytes | str | None) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value or ""


def classify(text: str) -> type[GitError]:
    """The most specific error class for git output *text*."""
    lowered = text.lower()
    if any(hint in lowered for hint in _BRANCH_HINTS):
        return BranchNotFound
    if any(hint in lowered for hint in _CORRUPT_HINTS):
        return GitCorrupt
    if any(hint in lowered for hint in _UNAVAILABLE_HINTS):
        return GitUnavailable
    return GitError


def convert(
    *,
    argv: Sequence[str],
    status: int | str | None,
    stdout: bytes | str | None,
    stderr: bytes | str | None,
    action: str,
    secrets: Sequence[str],
    default: type[GitError] | None = None,
) -> GitError:
    """Build the masked :class:`GitError` for a failed git command.

    *action* says what pao was doing ("git fetch in https://host/repo.git");
    the class follows git's output, or is *default* when the output names no
    known cause.
    """
    command = mask_text(" ".join(argv), secrets)
    err = truncate(mask_text(_decode(stderr), secrets))
    out = truncate(mask_text(_decode(stdout), secrets))
    cls = classify(f"{err}\n{out}")
    if cls is GitError and default is not None:
        cls = default
    detail = err or out or f"exit status {status}"
    error = cls(f"{action} failed: {detail}", command=command, stderr=err)
    # Chain a masked GitPython error, never the unmasked original, so that a
    # logged traceback carries no credential either.
    error.__cause__ = GitCommandError(command, status, err)
    return error
