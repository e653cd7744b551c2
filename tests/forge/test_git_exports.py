"""The git layer's public surface."""

from __future__ import annotations

import pao.forge.git


def test_public_names() -> None:
    assert set(pao.forge.git.__all__) == {
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
    }
    for name in pao.forge.git.__all__:
        assert getattr(pao.forge.git, name).__module__.startswith("pao.forge.git")
