"""Git's output mapped onto pao's error classes."""

from __future__ import annotations

import pytest

from pao.forge.git import BranchNotFound, GitCorrupt, GitError, GitUnavailable
from pao.forge.git._commit import PushVerdict, judge_push
from pao.forge.git.errors import classify, convert


@pytest.mark.parametrize(
    ("stderr", "expected"),
    [
        (
            "fatal: unable to access 'https://h/r/': Could not resolve host: h",
            GitUnavailable,
        ),
        ("fatal: '/x' does not appear to be a git repository", GitUnavailable),
        (
            "fatal: unable to access 'https://h/': Failed to connect to h port 443",
            GitUnavailable,
        ),
        ("fatal: Unable to create '/c/index.lock': File exists.", GitUnavailable),
        ("fatal: not a git repository: '/data/requests'", GitCorrupt),
        (
            "error: object file /o/ab/cd is empty\nfatal: loose object abcd is corrupt",
            GitCorrupt,
        ),
        ("fatal: couldn't find remote ref refs/heads/main", BranchNotFound),
        ("fatal: Authentication failed for 'https://h/r/'", GitError),
    ],
)
def test_classify(stderr: str, expected: type[GitError]) -> None:
    assert classify(stderr) is expected


def test_convert_masks_truncates_and_chains() -> None:
    secret = "tok3n"
    error = convert(
        argv=["git", "fetch", f"https://u:{secret}@h/r"],
        status=128,
        stdout=b"",
        stderr=(f"fatal: https://u:{secret}@h/r unreachable " + "x" * 2000).encode(),
        action="git fetch in https://u:***@h/r",
        secrets=[secret],
        default=GitUnavailable,
    )

    assert isinstance(error, GitUnavailable)
    assert secret not in str(error) + repr(error) + str(error.command)
    assert secret not in str(error.__cause__)
    assert "(truncated)" in str(error)
    assert len(str(error)) < 800


@pytest.mark.parametrize(
    ("output", "verdict"),
    [
        ("!\ta:b\t[rejected] (fetch first)\nDone", PushVerdict.RETRY),
        ("!\ta:b\t[rejected] (non-fast-forward)", PushVerdict.RETRY),
        (
            "!\ta:b\t[remote rejected] (failed to update ref)",
            PushVerdict.RETRY,
        ),
        (
            "remote: error: refusing to update checked out branch: refs/heads/main\n"
            "!\ta:b\t[remote rejected] (branch is currently checked out)",
            PushVerdict.CHECKED_OUT,
        ),
        (
            "!\ta:b\t[remote rejected] (protected branch hook declined)",
            PushVerdict.REFUSED,
        ),
        (
            "fatal: unable to access 'https://h/r/': Connection refused",
            PushVerdict.FAILED,
        ),
    ],
)
def test_judge_push(output: str, verdict: PushVerdict) -> None:
    assert judge_push(output) is verdict
