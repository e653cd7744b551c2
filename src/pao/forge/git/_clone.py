"""Creating, checking and replacing pao's bare clone of a remote.

A clone is a bare repository whose ``origin`` is the remote and which holds
one remote-tracking ref, ``refs/remotes/origin/<branch>``, with
``refs/remotes/origin/HEAD`` naming the branch. A new clone is built beside
the old one and moved into place only once complete, so a failure (remote
unreachable, disk full) leaves the previous clone as it was.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from git.config import GitConfigParser

from pao.forge.git._command import GitCommand
from pao.forge.git.errors import BranchNotFound, GitError

__all__ = ["TRACKING_HEAD", "build_clone", "check_clone", "tracking_ref"]

TRACKING_HEAD = "refs/remotes/origin/HEAD"
_FALLBACK_BRANCHES = ("main", "master")
_GIT_DIR_ENTRIES = ("HEAD", "config", "objects", "refs")


def tracking_ref(branch: str) -> str:
    return f"refs/remotes/origin/{branch}"


def _configured_url(workdir: Path) -> str | None:
    config = workdir / "config"
    if not config.is_file():
        return None
    try:
        with GitConfigParser(str(config), read_only=True) as parser:
            return str(parser.get_value('remote "origin"', "url", default=""))
    except Exception:  # any parse failure means "damaged"
        return None


def check_clone(cmd: GitCommand, url: str) -> tuple[str | None, str]:
    """The branch of the clone at ``cmd.git_dir``, or ``None`` and why it
    cannot be used as it is."""
    workdir = cmd.git_dir
    if not workdir.exists():
        return None, "no clone yet"
    if any(workdir.iterdir()) and not any(
        (workdir / entry).exists() for entry in _GIT_DIR_ENTRIES
    ):
        message = f"{workdir} holds files but no git clone; refusing to replace it"
        raise GitError(message)
    if _configured_url(workdir) != url:
        return None, "clone missing, damaged or of another remote"

    head = cmd.attempt("symbolic-ref", "--quiet", TRACKING_HEAD)
    branch = head.stdout.decode().strip().removeprefix("refs/remotes/origin/")
    if head.status != 0 or not branch:
        return None, f"{TRACKING_HEAD} is unreadable"
    # Reading every tree of the head catches objects lost to a crash.
    if not cmd.succeeds("ls-tree", "-r", "--name-only", tracking_ref(branch)):
        return None, f"{tracking_ref(branch)} or its objects are unreadable"
    return branch, "ok"


def _detect_branch(cmd: GitCommand) -> str:
    # The remote's HEAD names its default branch ...
    out = cmd.remote("ls-remote", "--symref", "origin", "HEAD")
    for line in out.splitlines():
        target, _tab, name = line.partition("\t")
        if name == "HEAD" and target.startswith("ref: refs/heads/"):
            return target.removeprefix("ref: refs/heads/")
    # ... unless the server hides it; then take the usual names.
    out = cmd.remote("ls-remote", "--heads", "origin")
    heads = [line.partition("\trefs/heads/")[2] for line in out.splitlines()]
    for candidate in _FALLBACK_BRANCHES:
        if candidate in heads:
            return candidate
    if len(heads) == 1:
        return heads[0]
    message = (
        f"{cmd.label} names no default branch and has no main or master branch "
        f"(branches: {', '.join(heads) or 'none'}); configure the branch to use"
    )
    raise BranchNotFound(message)


def _check_branch_name(cmd: GitCommand, branch: str) -> None:
    if branch.startswith("-") or not cmd.succeeds(
        "check-ref-format", f"refs/heads/{branch}"
    ):
        raise GitError(f"branch {branch!r} is not a valid git branch name")


def build_clone(
    cmd: GitCommand,
    *,
    url: str,
    branch: str | None,
) -> str:
    """Clone *url* into ``cmd.git_dir`` (replacing whatever is there) and
    return the branch it tracks."""
    target = cmd.git_dir
    staging = target.with_name(f".{target.name}.clone-{uuid.uuid4().hex[:8]}")
    staged = GitCommand(
        staging, secrets=cmd.secrets, timeout=cmd.timeout, label=cmd.label
    )
    try:
        branch = _fill_clone(staged, url=url, branch=branch)
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return branch


def _fill_clone(cmd: GitCommand, *, url: str, branch: str | None) -> str:
    cmd.git_dir.parent.mkdir(parents=True, exist_ok=True)
    cmd.run("init", "--bare", "--quiet")
    # Written through the config parser, never on a command line, so a URL
    # with a token never shows in the process list.
    with GitConfigParser(str(cmd.git_dir / "config"), read_only=False) as config:
        config.set_value('remote "origin"', "url", url)

    branch = branch or _detect_branch(cmd)
    _check_branch_name(cmd, branch)
    cmd.remote("fetch", *fetch_args(branch))
    cmd.run("symbolic-ref", TRACKING_HEAD, tracking_ref(branch))
    return branch


def fetch_args(branch: str) -> list[str]:
    # "+": a force push on the remote must replace our copy, not fail.
    return [
        "--no-tags",
        "--quiet",
        "origin",
        f"+refs/heads/{branch}:{tracking_ref(branch)}",
    ]
