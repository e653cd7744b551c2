"""The Git Database API of the GitHub stand-in: refs, commits, trees, blobs.

Reads and writes go to the bare repository; ref changes go through
receive-pack, so they fire the same ``push`` webhooks as a ``git push``.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

from starlette.routing import BaseRoute, Route

from pao.standins.github_git import GitError
from pao.standins.github_http import ApiError, Call, Reply, endpoint, not_found
from pao.standins.github_hub import Hub, person_from
from pao.standins.github_objects import node_id
from pao.standins.github_render_git import git_commit_json, git_ref_json
from pao.standins.github_state import Repo

__all__ = ["GitDataEndpoints"]

_MODES = {"100644", "100755", "040000", "160000", "120000"}


def _required(body: dict[str, Any], name: str) -> Any:
    if name not in body:
        raise ApiError(f'Invalid request.\n\n"{name}" wasn\'t supplied.', 422)
    return body[name]


class GitDataEndpoints:
    """Routes under ``/repos/{owner}/{repo}/git``."""

    def __init__(self, hub: Hub) -> None:
        self.hub = hub

    def routes(self) -> list[BaseRoute]:
        git = "/repos/{owner}/{repo}/git"
        return [
            Route(f"{git}/ref/{{ref:path}}", endpoint(self.get_ref)),
            Route(f"{git}/refs", endpoint(self.create_ref), methods=["POST"]),
            Route(
                f"{git}/refs/{{ref:path}}", endpoint(self.update_ref), methods=["PATCH"]
            ),
            Route(f"{git}/commits", endpoint(self.create_commit), methods=["POST"]),
            Route(f"{git}/commits/{{sha}}", endpoint(self.get_commit)),
            Route(f"{git}/trees", endpoint(self.create_tree), methods=["POST"]),
            Route(f"{git}/trees/{{sha:path}}", endpoint(self.get_tree)),
            Route(f"{git}/blobs", endpoint(self.create_blob), methods=["POST"]),
            Route(f"{git}/blobs/{{sha}}", endpoint(self.get_blob)),
        ]

    def _repo(self, call: Call) -> Repo:
        with self.hub.state.lock:
            return self.hub.repo(call)

    # -- refs ------------------------------------------------------------------------

    def get_ref(self, call: Call) -> Reply:
        repo = self._repo(call)
        ref = "refs/" + call.params["ref"].removeprefix("refs/")
        sha = repo.git.refs(ref).get(ref)
        if sha is None:
            raise not_found()
        return Reply(git_ref_json(self.hub.site, repo, ref, sha))

    def create_ref(self, call: Call) -> Reply:
        body = call.json()
        repo, actor = self._repo(call), self.hub.actor(call)
        ref, sha = str(_required(body, "ref")), str(_required(body, "sha"))
        if not ref.startswith("refs/") or ref.count("/") < 2:
            raise ApiError(
                "Reference name must start with 'refs/' and have at least two slashes.",
                422,
            )
        if repo.git.object_type(sha) != "commit":
            raise ApiError("Object does not exist", 422)
        if ref in repo.git.refs(ref):
            raise ApiError("Reference already exists", 422)
        repo.git.push({ref: sha}, pusher=actor.login)
        return Reply(git_ref_json(self.hub.site, repo, ref, sha), status=201)

    def update_ref(self, call: Call) -> Reply:
        body = call.json()
        repo, actor = self._repo(call), self.hub.actor(call)
        ref = "refs/" + call.params["ref"].removeprefix("refs/")
        sha = str(_required(body, "sha"))
        current = repo.git.refs(ref).get(ref)
        if current is None:
            raise ApiError("Reference does not exist", 422)
        if repo.git.object_type(sha) != "commit":
            raise ApiError("Object does not exist", 422)
        if not body.get("force") and not repo.git.is_ancestor(current, sha):
            raise ApiError("Update is not a fast forward", 422)
        repo.git.push({ref: sha}, pusher=actor.login)
        return Reply(git_ref_json(self.hub.site, repo, ref, sha))

    # -- commits ---------------------------------------------------------------------

    def get_commit(self, call: Call) -> Reply:
        repo = self._repo(call)
        sha = call.params["sha"]
        if repo.git.object_type(sha) != "commit":
            raise not_found()
        return Reply(git_commit_json(self.hub.site, repo, repo.git.commit(sha)))

    def create_commit(self, call: Call) -> Reply:
        body = call.json()
        repo, actor = self._repo(call), self.hub.actor(call)
        message, tree = str(_required(body, "message")), str(_required(body, "tree"))
        parents = [str(parent) for parent in body.get("parents", [])]
        if repo.git.object_type(tree) != "tree":
            raise ApiError("Tree SHA does not exist", 422)
        if any(repo.git.object_type(parent) != "commit" for parent in parents):
            raise ApiError("Parent SHA does not exist or is not a commit object", 422)
        author = person_from(body.get("author")) or actor.person
        committer = person_from(body.get("committer")) or author
        sha = repo.git.commit_tree(
            tree, parents=parents, message=message, author=author, committer=committer
        )
        return Reply(
            git_commit_json(self.hub.site, repo, repo.git.commit(sha)), status=201
        )

    # -- trees -----------------------------------------------------------------------

    def get_tree(self, call: Call) -> Reply:
        repo = self._repo(call)
        name = call.params["sha"]
        try:
            tree = repo.git.tree_of(name)
        except GitError:
            raise not_found() from None
        recursive = call.query.get("recursive") not in (None, "", "0", "false")
        return Reply(self._tree_json(repo, tree, recursive=recursive))

    def _tree_json(self, repo: Repo, tree: str, *, recursive: bool) -> dict[str, Any]:
        api = f"{self.hub.site.api}/repos/{repo.full_name}/git"
        entries = []
        for entry in repo.git.tree(tree, recursive=recursive):
            item: dict[str, Any] = {
                "path": entry.path,
                "mode": entry.mode,
                "type": entry.type,
                "sha": entry.sha,
            }
            if entry.type == "blob":
                item |= {"size": entry.size, "url": f"{api}/blobs/{entry.sha}"}
            elif entry.type == "tree":
                item["url"] = f"{api}/trees/{entry.sha}"
            entries.append(item)
        return {
            "sha": tree,
            "url": f"{api}/trees/{tree}",
            "tree": entries,
            "truncated": False,
        }

    def create_tree(self, call: Call) -> Reply:
        body = call.json()
        repo = self._repo(call)
        raw = _required(body, "tree")
        if not isinstance(raw, list):
            raise ApiError('Invalid request.\n\n"tree" must be an array.', 422)
        base = body.get("base_tree")
        if base is not None and repo.git.object_type(str(base)) != "tree":
            raise ApiError("base_tree is not a valid tree oid", 422)
        entries = dict(self._entry(repo, item) for item in raw)
        tree = repo.git.write_tree(
            base=None if base is None else str(base), entries=entries
        )
        return Reply(self._tree_json(repo, tree, recursive=False), status=201)

    def _entry(self, repo: Repo, item: Any) -> tuple[str, tuple[str, str] | None]:
        if not isinstance(item, dict) or "path" not in item:
            raise ApiError('Invalid request.\n\n"path" wasn\'t supplied.', 422)
        path, mode = str(item["path"]), str(item.get("mode", "100644"))
        if mode not in _MODES:
            raise ApiError(f"Invalid tree mode {mode}", 422)
        if "content" in item:
            data = str(item["content"]).encode()
            sha = repo.git.run("hash-object", "-w", "--stdin", stdin=data).strip()
        elif item.get("sha") is None:
            return path, None
        else:
            sha = str(item["sha"])
            if repo.git.object_type(sha) is None:
                raise ApiError(f"tree.sha {sha} is not a valid object", 422)
        return path, (mode, sha)

    # -- blobs -----------------------------------------------------------------------

    def get_blob(self, call: Call) -> Reply:
        repo = self._repo(call)
        sha = call.params["sha"]
        if repo.git.object_type(sha) != "blob":
            raise not_found()
        data = repo.git.read_blob(sha)
        return Reply(
            {
                "sha": sha,
                "node_id": node_id("Blob", int(sha[:7], 16)),
                "url": f"{self.hub.site.api}/repos/{repo.full_name}/git/blobs/{sha}",
                "size": len(data),
                "content": base64.encodebytes(data).decode(),
                "encoding": "base64",
            }
        )

    def create_blob(self, call: Call) -> Reply:
        body = call.json()
        repo = self._repo(call)
        content = str(_required(body, "content"))
        encoding = body.get("encoding", "utf-8")
        if encoding not in ("utf-8", "base64"):
            raise ApiError(f"encoding must be utf-8 or base64, not {encoding}", 422)
        try:
            data = (
                base64.b64decode(content) if encoding == "base64" else content.encode()
            )
        except binascii.Error:
            raise ApiError("content is not valid Base64", 422) from None
        sha = repo.git.run("hash-object", "-w", "--stdin", stdin=data).strip()
        url = f"{self.hub.site.api}/repos/{repo.full_name}/git/blobs/{sha}"
        return Reply({"sha": sha, "url": url}, status=201)
