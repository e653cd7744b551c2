"""Files and branches: read a file at a ref, propose a change as a PR.

A proposal is one commit on a branch of pao's (``pao/codeowners``) on top
of the base branch, and one open pull request from it. Proposing again
rebuilds the branch on the current base and force-moves it, so the open
pull request is updated rather than a second one opened; a branch that
already holds the wanted content is left alone.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any

from pao.forge.github._base import quoted
from pao.forge.github.errors import GitHubNotFound, GitHubValidation
from pao.forge.github.models import FileContent, PullRequest
from pao.forge.github.pulls import PullCalls

__all__ = ["ContentCalls"]

_FILE_MODE = "100644"


class ContentCalls(PullCalls):
    def default_branch(self) -> str:
        data = self.transport.get(self.path, conditional=True).data
        return str(data["default_branch"])

    def read_file(self, path: str, *, ref: str) -> FileContent | None:
        """The file at *path* in *ref* (a branch, tag or sha), or ``None``
        when it does not exist there or is a directory."""
        try:
            data = self.transport.get(
                f"{self.path}/contents/{quoted(path)}", params={"ref": ref}
            ).data
        except GitHubNotFound:
            return None
        if not isinstance(data, Mapping) or data.get("type") != "file":
            return None
        if data.get("encoding") == "base64" and data.get("content") is not None:
            return FileContent(path, str(data["sha"]), _unbase64(data["content"]))
        # Over 1 MB the contents API leaves the content out; the blob has it.
        return FileContent(path, str(data["sha"]), self._blob(str(data["sha"])))

    def read_text(self, path: str, *, ref: str) -> str | None:
        found = self.read_file(path, ref=ref)
        return None if found is None else found.text

    def propose_change(
        self,
        *,
        branch: str,
        files: Mapping[str, str],
        commit_message: str,
        title: str,
        body: str,
        base: str | None = None,
    ) -> PullRequest:
        """Put *files* (path → text) on *branch* over *base* (default: the
        default branch) and return the open pull request for it."""
        base = base or self.default_branch()
        base_sha = self._ref_sha(base)
        current = self._ref_sha_or_none(branch)
        if current is None or not self._holds(current, files):
            commit = self._commit(base_sha, files, commit_message)
            self._move_branch(branch, commit, exists=current is not None)
        found = self.find_open_pull(head_branch=branch)
        if found is not None:
            return found
        return self.open_pull(head=branch, base=base, title=title, body=body)

    # -- steps -------------------------------------------------------------

    def _blob(self, sha: str) -> bytes:
        data = self.transport.get(f"{self.path}/git/blobs/{sha}").data
        return _unbase64(data["content"])

    def _ref_sha(self, branch: str) -> str:
        data = self.transport.get(f"{self.path}/git/ref/heads/{quoted(branch)}").data
        return str(data["object"]["sha"])

    def _ref_sha_or_none(self, branch: str) -> str | None:
        try:
            return self._ref_sha(branch)
        except GitHubNotFound:
            return None

    def _holds(self, sha: str, files: Mapping[str, str]) -> bool:
        return all(
            self.read_text(path, ref=sha) == text for path, text in files.items()
        )

    def _commit(self, parent: str, files: Mapping[str, str], message: str) -> str:
        tree = self.transport.get(f"{self.path}/git/commits/{parent}").data["tree"]
        entries = [
            {"path": path, "mode": _FILE_MODE, "type": "blob", "content": text}
            for path, text in sorted(files.items())
        ]
        new_tree = self._post("git/trees", {"base_tree": tree["sha"], "tree": entries})
        commit = self._post(
            "git/commits",
            {"message": message, "tree": new_tree["sha"], "parents": [parent]},
        )
        return str(commit["sha"])

    def _move_branch(self, branch: str, sha: str, *, exists: bool) -> None:
        if not exists:
            try:
                self._post("git/refs", {"ref": f"refs/heads/{branch}", "sha": sha})
                return
            except GitHubValidation:
                # Another replica created it meanwhile: move it instead.
                pass
        path = f"{self.path}/git/refs/heads/{quoted(branch)}"
        self.transport.request("PATCH", path, body={"sha": sha, "force": True})

    def _post(self, endpoint: str, body: Mapping[str, Any]) -> Any:
        return self.transport.request("POST", f"{self.path}/{endpoint}", body=body).data


def _unbase64(content: str) -> bytes:
    return base64.b64decode("".join(content.split()))
