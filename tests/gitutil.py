"""Real git repositories for tests.

``make_remote`` creates a bare repository standing in for a hosted remote,
plus a private working clone through which tests commit to it as any author,
rewrite its history, or delete branches. Everything runs the git binary
directly, independent of the code under test.

    remote = make_remote(tmp_path, {"catalog/a.yaml": "x: 1\\n"})
    sha = remote.commit({"catalog/b.yaml": "y: 2\\n"}, author=ALICE)
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ALICE",
    "BOB",
    "Author",
    "RemoteRepo",
    "git",
    "make_remote",
]

FileContent = bytes | str | None


@dataclass(frozen=True)
class Author:
    name: str
    email: str


ALICE = Author("Alice Example", "alice@acme.example")
BOB = Author("Bob Example", "bob@acme.example")

# Keep the host's git configuration out of the tests' repositories.
_ISOLATED = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_TERMINAL_PROMPT": "0",
}


def git(*args: str, cwd: Path | None = None, author: Author = ALICE) -> str:
    """Run git in *cwd* as *author*; return stdout without the last newline."""
    env = {
        **os.environ,
        **_ISOLATED,
        "GIT_AUTHOR_NAME": author.name,
        "GIT_AUTHOR_EMAIL": author.email,
        "GIT_COMMITTER_NAME": author.name,
        "GIT_COMMITTER_EMAIL": author.email,
    }
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        env.pop(name, None)
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, check=False
    )
    if done.returncode != 0:
        stderr = done.stderr.decode(errors="replace")
        raise AssertionError(f"git {' '.join(args)} failed: {stderr}")
    return done.stdout.decode(errors="surrogateescape").removesuffix("\n")


@dataclass
class RemoteRepo:
    """A bare repository and the working clone used to change it."""

    path: Path
    work: Path
    branch: str

    @property
    def url(self) -> str:
        """The bare repository as a plain path."""
        return str(self.path)

    @property
    def file_url(self) -> str:
        return self.path.as_uri()

    def head(self, branch: str | None = None) -> str:
        return git("rev-parse", f"refs/heads/{branch or self.branch}", cwd=self.path)

    def read(self, path: str, ref: str | None = None) -> bytes | None:
        done = subprocess.run(
            ["git", "cat-file", "blob", f"{ref or self.head()}:{path}"],
            cwd=self.path,
            env={**os.environ, **_ISOLATED},
            capture_output=True,
            check=False,
        )
        return done.stdout if done.returncode == 0 else None

    def files(self, ref: str | None = None) -> list[str]:
        out = git("ls-tree", "-r", "--name-only", ref or self.head(), cwd=self.path)
        return out.splitlines()

    def history(self) -> list[str]:
        """Shas of the branch, newest first."""
        return git("rev-list", self.head(), cwd=self.path).splitlines()

    def parents(self, sha: str) -> list[str]:
        return git("rev-list", "--parents", "-n1", sha, cwd=self.path).split()[1:]

    def commit(
        self,
        files: Mapping[str, FileContent],
        *,
        message: str = "Change files",
        author: Author = ALICE,
    ) -> str:
        """Write (or with ``None`` delete) *files*, commit as *author* and
        push; return the new head."""
        self._sync()
        _write(self.work, files)
        git("add", "--all", cwd=self.work)
        git(
            "commit",
            "--quiet",
            "--allow-empty",
            "-m",
            message,
            cwd=self.work,
            author=author,
        )
        git(
            "push", "--quiet", "origin", f"HEAD:refs/heads/{self.branch}", cwd=self.work
        )
        return self.head()

    def rename(self, old: str, new: str, *, author: Author = ALICE) -> str:
        self._sync()
        (self.work / new).parent.mkdir(parents=True, exist_ok=True)
        git("mv", old, new, cwd=self.work)
        git("commit", "--quiet", "-m", f"Rename {old}", cwd=self.work, author=author)
        git(
            "push", "--quiet", "origin", f"HEAD:refs/heads/{self.branch}", cwd=self.work
        )
        return self.head()

    def force_push(
        self,
        files: Mapping[str, FileContent],
        *,
        onto: str | None = None,
        message: str = "Rewrite history",
        author: Author = ALICE,
    ) -> str:
        """Replace the branch by one new commit with *files* on top of
        *onto* (``None``: a new root, unrelated to the old history); the
        working tree starts from *onto*'s files. Return the new head."""
        self._sync()
        if onto is None:
            git("checkout", "--quiet", "--orphan", "pao-rewrite", cwd=self.work)
            git(
                "rm",
                "-r",
                "--quiet",
                "--cached",
                "--ignore-unmatch",
                ".",
                cwd=self.work,
            )
            git("clean", "-fdq", cwd=self.work)
        else:
            git("reset", "--quiet", "--hard", onto, cwd=self.work)
        _write(self.work, files)
        git("add", "--all", cwd=self.work)
        git(
            "commit",
            "--quiet",
            "--allow-empty",
            "-m",
            message,
            cwd=self.work,
            author=author,
        )
        git(
            "push",
            "--quiet",
            "--force",
            "origin",
            f"HEAD:refs/heads/{self.branch}",
            cwd=self.work,
        )
        if onto is None:
            git("checkout", "--quiet", "-B", self.branch, cwd=self.work)
            git("branch", "--quiet", "-D", "pao-rewrite", cwd=self.work)
        return self.head()

    def create_branch(self, name: str, at: str | None = None) -> None:
        git("update-ref", f"refs/heads/{name}", at or self.head(), cwd=self.path)

    def delete_branch(self, name: str) -> None:
        git("update-ref", "-d", f"refs/heads/{name}", cwd=self.path)

    def set_default_branch(self, name: str) -> None:
        git("symbolic-ref", "HEAD", f"refs/heads/{name}", cwd=self.path)

    def prune(self) -> None:
        """Drop every object no branch reaches, as a server's gc would."""
        git("reflog", "expire", "--expire=now", "--all", cwd=self.path)
        git("gc", "--quiet", "--prune=now", cwd=self.path)

    def _sync(self) -> None:
        git("fetch", "--quiet", "--force", "origin", cwd=self.work)
        git(
            "checkout",
            "--quiet",
            "-B",
            self.branch,
            f"origin/{self.branch}",
            cwd=self.work,
        )
        git("reset", "--quiet", "--hard", f"origin/{self.branch}", cwd=self.work)
        git("clean", "-fdq", cwd=self.work)


def _write(root: Path, files: Mapping[str, FileContent]) -> None:
    for name, content in files.items():
        target = root / name
        if content is None:
            target.unlink()
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        data = content.encode() if isinstance(content, str) else content
        target.write_bytes(data)


def make_remote(
    root: Path,
    files: Mapping[str, FileContent] | None = None,
    *,
    branch: str = "main",
    name: str = "remote",
    author: Author = ALICE,
) -> RemoteRepo:
    """A bare repository at ``root/<name>.git`` whose *branch* (also its
    HEAD) holds one commit with *files* (a README when none are given)."""
    bare = root / f"{name}.git"
    work = root / f"{name}-work"
    git("init", "--quiet", "--bare", f"--initial-branch={branch}", str(bare))
    git("init", "--quiet", f"--initial-branch={branch}", str(work))
    git("remote", "add", "origin", str(bare), cwd=work)
    _write(work, files or {"README.md": "# test repository\n"})
    git("add", "--all", cwd=work)
    git("commit", "--quiet", "-m", "Initial commit", cwd=work, author=author)
    git("push", "--quiet", "origin", f"HEAD:refs/heads/{branch}", cwd=work)
    return RemoteRepo(path=bare, work=work, branch=branch)
