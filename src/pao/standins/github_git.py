"""The bare git repositories behind the GitHub stand-in, driven by the git binary.

Every repository is a real bare repository that clients clone, fetch and
push over ``file://``. A ``post-receive`` hook spools each accepted push
(old sha, new sha, ref, pusher) into ``<repo>/standin-pushes/``; the
stand-in absorbs the spool to send ``push`` and ``synchronize`` webhooks,
whether the push came from a test control or from the code under test.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from pao.standins.github_git_models import (
    CommitInfo,
    FileChange,
    GitError,
    MergeConflict,
    Person,
    PushRecord,
    TreeEntry,
)
from pao.standins.github_git_parse import (
    LOG_FORMAT,
    parse_log,
    parse_numstat,
    parse_raw,
    parse_tree,
    split_patches,
)

__all__ = [
    "ZERO_SHA",
    "BareRepo",
    "CommitInfo",
    "FileChange",
    "GitError",
    "MergeConflict",
    "Person",
    "PushRecord",
    "TreeEntry",
]

ZERO_SHA = "0" * 40
PUSHER_ENV = "PAO_STANDIN_PUSHER"
_SPOOL = "standin-pushes"

# Keep the host's git configuration out of the stand-in's repositories.
_ISOLATED = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
}

# Each push lands in its own file, named so that a directory listing sorts
# them in arrival order; the pusher comes from the pushing process.
_HOOK = """#!/bin/sh
spool="$GIT_DIR/standin-pushes"
name="$(date +%s%N)-$$"
{ printf '%s\\n' "${PAO_STANDIN_PUSHER:-}"; cat; } > "$spool/.$name"
mv "$spool/.$name" "$spool/$name"
"""


class BareRepo:
    """A bare repository on disk and the git operations the stand-in needs."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def create(cls, path: Path, *, default_branch: str) -> BareRepo:
        path.parent.mkdir(parents=True, exist_ok=True)
        repo = cls(path)
        _git("init", "--quiet", "--bare", f"--initial-branch={default_branch}", path)
        (path / _SPOOL).mkdir()
        hooks = path / "hooks"
        hooks.mkdir(exist_ok=True)
        hook = hooks / "post-receive"
        hook.write_text(_HOOK)
        hook.chmod(0o755)
        repo.run("config", "core.hooksPath", str(hooks))
        repo.run("config", "receive.denyDeleteCurrent", "warn")
        return repo

    @property
    def url(self) -> str:
        return self.path.as_uri()

    def run(
        self,
        *args: str,
        stdin: bytes | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path | None = None,
    ) -> str:
        git_dir = None if cwd else self.path
        out = _git(*args, git_dir=git_dir, stdin=stdin, env=env, cwd=cwd)
        return out.decode(errors="surrogateescape")

    # -- reading -------------------------------------------------------------

    def resolve(self, rev: str) -> str | None:
        """The commit *rev* names (a sha, branch, tag or ref), or None."""
        if rev.startswith("-"):
            return None
        try:
            out = self.run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}")
        except GitError:
            return None
        return out.strip() or None

    def object_type(self, sha: str) -> str | None:
        if sha.startswith("-"):
            return None
        try:
            return self.run("cat-file", "-t", sha).strip()
        except GitError:
            return None

    def refs(self, prefix: str = "refs/") -> dict[str, str]:
        out = self.run("for-each-ref", "--format=%(refname) %(objectname)", prefix)
        return dict(line.split(" ", 1) for line in out.splitlines())

    def commits(self, *revs: str, limit: int | None = None) -> list[CommitInfo]:
        """Commits reachable from *revs* (git rev-list syntax), newest first."""
        args = ["log", f"--format={LOG_FORMAT}"]
        if limit is not None:
            args.append(f"--max-count={limit}")
        return parse_log(self.run(*args, *revs, "--"))

    def commit(self, sha: str) -> CommitInfo:
        return self.commits("--no-walk", sha)[0]

    def count(self, rev_range: str) -> int:
        return int(self.run("rev-list", "--count", rev_range).strip())

    def merge_base(self, first: str, second: str) -> str | None:
        try:
            return self.run("merge-base", first, second).strip() or None
        except GitError:
            return None

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        done = subprocess.run(
            ["git", "merge-base", "--is-ancestor", ancestor, descendant],
            env=_env(self.path),
            capture_output=True,
            check=False,
        )
        return done.returncode == 0

    def read_blob(self, sha: str) -> bytes:
        return _git("cat-file", "blob", sha, git_dir=self.path)

    def entry(self, ref: str, path: str) -> TreeEntry | None:
        """The tree entry at *path* in commit *ref*, or None."""
        out = self.run("ls-tree", "-l", "-z", ref, "--", path.strip("/"))
        entries = parse_tree(out)
        return entries[0] if entries else None

    def tree(self, sha: str, *, recursive: bool = False) -> list[TreeEntry]:
        args = ["ls-tree", "-l", "-z", "--full-tree"]
        if recursive:
            args.append("-r")
            args.append("-t")
        return parse_tree(self.run(*args, sha))

    def tree_of(self, sha: str) -> str:
        return self.run("rev-parse", f"{sha}^{{tree}}").strip()

    def diff(self, base: str, head: str) -> list[FileChange]:
        """Files changed from *base* to *head*, renames detected."""
        raw = self.run("diff", "--raw", "-z", "-M", "--no-abbrev", base, head)
        counts = self.run("diff", "--numstat", "-z", "-M", base, head)
        patches = split_patches(self.run("diff", "-M", "--no-color", base, head))
        changes = []
        for (status, path, old, sha), (added, deleted), patch in zip(
            parse_raw(raw), parse_numstat(counts), patches, strict=False
        ):
            changes.append(
                FileChange(
                    filename=path,
                    status=status,
                    sha=None if status == "removed" else sha,
                    additions=added,
                    deletions=deleted,
                    patch=patch,
                    previous_filename=old,
                )
            )
        return changes

    def changed_paths(self, commit: CommitInfo) -> dict[str, list[str]]:
        """The ``added``/``removed``/``modified`` lists of a push commit."""
        parent = commit.parents[0] if commit.parents else _empty_tree(self)
        lists: dict[str, list[str]] = {"added": [], "removed": [], "modified": []}
        raw = self.run("diff", "--raw", "-z", "--no-abbrev", parent, commit.sha)
        for status, path, _old, _sha in parse_raw(raw):
            key = status if status in lists else "modified"
            lists[key].append(path)
        return lists

    # -- writing -------------------------------------------------------------

    def write_commit(
        self,
        *,
        parent: str | None,
        files: Mapping[str, bytes | None],
        message: str,
        author: Person,
        committer: Person | None = None,
    ) -> str:
        """Create a commit on *parent* changing *files* (None deletes)."""
        entries: dict[str, tuple[str, str] | None] = {}
        for path, content in files.items():
            if content is None:
                entries[path] = None
                continue
            blob = self.run("hash-object", "-w", "--stdin", stdin=content).strip()
            entries[path] = ("100644", blob)
        tree = self.write_tree(base=parent, entries=entries)
        return self.commit_tree(
            tree,
            parents=[parent] if parent else [],
            message=message,
            author=author,
            committer=committer or author,
        )

    def write_tree(
        self, *, base: str | None, entries: Mapping[str, tuple[str, str] | None]
    ) -> str:
        """A tree: *base*'s with *entries* set to ``(mode, sha)`` or removed.

        ``update-index --index-info`` works without a work tree, which a
        bare repository does not have.
        """
        lines = [
            f"0 {ZERO_SHA}\t{path}"
            if entry is None
            else f"{entry[0]} {entry[1]}\t{path}"
            for path, entry in entries.items()
        ]
        with tempfile.TemporaryDirectory(prefix="standin-index-") as scratch:
            env = {"GIT_INDEX_FILE": str(Path(scratch) / "index")}
            if base is not None:
                self.run("read-tree", base, env=env)
            if lines:
                info = "".join(f"{line}\n" for line in lines).encode()
                self.run("update-index", "--index-info", stdin=info, env=env)
            return self.run("write-tree", env=env).strip()

    def commit_tree(
        self,
        tree: str,
        *,
        parents: Sequence[str],
        message: str,
        author: Person,
        committer: Person,
    ) -> str:
        args = ["commit-tree", tree]
        for parent in parents:
            args += ["-p", parent]
        env = author.env("AUTHOR") | committer.env("COMMITTER")
        return self.run(*args, stdin=message.encode(), env=env).strip()

    def push(self, updates: Mapping[str, str | None], *, pusher: str) -> None:
        """Move refs through receive-pack (so the hook sees them), forcing.

        *updates* maps a full ref name to a commit sha, or None to delete it.
        """
        specs = [f"+{sha}:{ref}" if sha else f":{ref}" for ref, sha in updates.items()]
        self.run("push", "--quiet", str(self.path), *specs, env={PUSHER_ENV: pusher})

    def take_pushes(self) -> list[PushRecord]:
        """Remove and return the pushes the hook spooled, oldest first."""
        spool = self.path / _SPOOL
        try:
            names = sorted(
                entry.name
                for entry in os.scandir(spool)
                if not entry.name.startswith(".")
            )
        except FileNotFoundError:
            return []
        records = []
        for name in names:
            lines = (spool / name).read_text().splitlines()
            (spool / name).unlink()
            pusher = lines[0] if lines else ""
            for line in lines[1:]:
                before, after, ref = line.split(" ", 2)
                records.append(PushRecord(ref, before, after, pusher))
        return records

    @contextmanager
    def scratch(self, start: str) -> Iterator[Path]:
        """A throwaway working clone checked out (detached) at *start*."""
        work = Path(tempfile.mkdtemp(prefix="standin-work-"))
        try:
            _git("clone", "--quiet", "--shared", "--no-checkout", self.path, work)
            _git("checkout", "--quiet", "--detach", start, cwd=work)
            yield work
        finally:
            shutil.rmtree(work, ignore_errors=True)


def _env(git_dir: Path | None) -> dict[str, str]:
    env = {**os.environ, **_ISOLATED}
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(name, None)
    if git_dir is not None:
        env["GIT_DIR"] = str(git_dir)
    return env


def _git(
    *args: str | Path,
    git_dir: Path | None = None,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> bytes:
    done = subprocess.run(
        ["git", *map(str, args)],
        input=stdin,
        env={**_env(git_dir), **(env or {})},
        cwd=cwd,
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        stderr = done.stderr.decode(errors="replace").strip()
        message = f"git {args[0]} failed ({done.returncode}): {stderr}"
        if b"CONFLICT" in done.stdout or "conflict" in stderr.lower():
            raise MergeConflict(message)
        raise GitError(message)
    return done.stdout


def _empty_tree(repo: BareRepo) -> str:
    return repo.run("hash-object", "-t", "tree", "--stdin", stdin=b"").strip()
