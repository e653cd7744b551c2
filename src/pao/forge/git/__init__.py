"""Plain git repositories: clone, fetch, diff, read, blame and commit status.

Every git call pao makes goes through :class:`GitRepo`; see
:mod:`pao.forge.git.repo` for how the controller uses it and
:mod:`pao.forge.git.errors` for what it raises.
"""

from __future__ import annotations

from pao.forge.git.errors import (
    BranchNotFound,
    GitCorrupt,
    GitError,
    GitUnavailable,
    PathNotAllowed,
    PushRejected,
)
from pao.forge.git.models import Change, ChangeKind, Changes, CommitInfo, Identity
from pao.forge.git.redact import mask_text, mask_url
from pao.forge.git.repo import GitRepo

__all__ = [
    "BranchNotFound",
    "Change",
    "ChangeKind",
    "Changes",
    "CommitInfo",
    "GitCorrupt",
    "GitError",
    "GitRepo",
    "GitUnavailable",
    "Identity",
    "PathNotAllowed",
    "PushRejected",
    "mask_text",
    "mask_url",
]
