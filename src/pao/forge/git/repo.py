"""One git remote, mirrored into a local bare clone.

The controller keeps a :class:`GitRepo` for the catalog repo and one for the
requests repo. It fetches to learn the new head of the default branch, asks
which files changed since the revision it indexed, reads them at that
revision, and writes status files back with :meth:`GitRepo.commit_files`.

Calls are thread-safe. Those that move refs (fetch, commit) hold a lock per
clone directory; reads of a given revision need none.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Collection, Mapping
from pathlib import Path

import git
import structlog

from pao.forge.git import _clone, _commit, _group, _history
from pao.forge.git._command import GitCommand
from pao.forge.git.errors import (
    GitCorrupt,
    GitError,
    GitUnavailable,
    PushRejected,
)
from pao.forge.git.models import Change, ChangeKind, Changes, CommitInfo, Identity
from pao.forge.git.redact import mask_url, url_secrets

__all__ = ["GitRepo"]

logger = structlog.get_logger(__name__)

DEFAULT_TIMEOUT = 60.0
PUSH_ATTEMPTS = 16
# Up to this many paths go to git log as pathspecs; beyond, their top-level
# directories do, which keeps the command line short.
_MAX_PATHSPECS = 64

_SHA = re.compile(r"[0-9a-fA-F]{4,64}")
# git treats "host:path" as an ssh URL when no slash precedes the colon.
_SCP_LIKE = re.compile(r"[^/:]+:")

# One lock and one write queue per clone directory, shared by every GitRepo
# opened on it in this process.
_locks: dict[Path, threading.RLock] = {}
_queues: dict[Path, _group.CommitQueue] = {}
_registry_guard = threading.Lock()


def _lock_for(workdir: Path) -> threading.RLock:
    with _registry_guard:
        return _locks.setdefault(workdir, threading.RLock())


def _queue_for(workdir: Path) -> _group.CommitQueue:
    with _registry_guard:
        return _queues.setdefault(workdir, _group.CommitQueue())


def _remote_location(url_or_path: str | os.PathLike[str]) -> str:
    text = os.fspath(url_or_path)
    if "://" in text or _SCP_LIKE.match(text):
        return text
    return str(Path(text).expanduser().resolve())


def _check_sha(sha: str) -> str:
    if not _SHA.fullmatch(sha):
        raise ValueError(f"expected a commit sha (hex), got {sha!r}")
    return sha


class GitRepo:
    """A remote's default branch, mirrored into the bare clone *workdir*.

    Build one with :meth:`clone_or_open`.
    """

    def __init__(self, cmd: GitCommand, *, url: str, branch: str) -> None:
        self._cmd = cmd
        self._url = url
        self._branch = branch
        self._lock = _lock_for(cmd.git_dir)
        self._queue = _queue_for(cmd.git_dir)
        self._log = logger.bind(repo=cmd.label)

    @classmethod
    def clone_or_open(
        cls,
        url_or_path: str | os.PathLike[str],
        *,
        workdir: Path,
        branch: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> GitRepo:
        """Open the clone of *url_or_path* in *workdir*, cloning it first if
        it is missing, damaged, of another remote or of another branch.

        *branch* defaults to the remote's default branch (its HEAD, else
        ``main`` or ``master``). Network steps are killed after *timeout*
        seconds. Raises :class:`GitUnavailable` when a clone is needed and
        the remote cannot be reached.
        """
        url = _remote_location(url_or_path)
        cmd = GitCommand(
            Path(workdir).resolve(),
            secrets=url_secrets(url),
            timeout=timeout,
            label=mask_url(url),
        )
        with _lock_for(cmd.git_dir):
            found, reason = _clone.check_clone(cmd, url)
            if found is None or (branch is not None and branch != found):
                if cmd.git_dir.exists():
                    logger.warning("git.reclone", repo=cmd.label, reason=reason)
                found = _clone.build_clone(cmd, url=url, branch=branch)
        return cls(cmd, url=url, branch=found)

    # -- identity ---------------------------------------------------------

    @property
    def url(self) -> str:
        """The remote, with any credential masked."""
        return self._cmd.label

    @property
    def default_branch(self) -> str:
        return self._branch

    @property
    def workdir(self) -> Path:
        return self._cmd.git_dir

    def __repr__(self) -> str:
        return f"GitRepo({self.url!r}, branch={self._branch!r})"

    def __str__(self) -> str:
        return f"{self.url}#{self._branch}"

    # -- remote -----------------------------------------------------------

    def fetch(self) -> str:
        """Fetch the default branch; return its new head sha.

        Raises :class:`GitUnavailable` when the remote cannot be reached in
        time; the clone then stays as it was. A clone found damaged is cloned
        again.
        """
        with self._lock:
            try:
                self._fetch()
            except GitCorrupt as exc:
                self._log.warning("git.reclone", reason=str(exc))
                self._branch = _clone.build_clone(
                    self._cmd, url=self._url, branch=self._branch
                )
            return self.head_sha()

    def _fetch(self) -> None:
        self._cmd.remote("fetch", *_clone.fetch_args(self._branch))

    def fetch_ref(self, ref: str) -> str:
        """Fetch one more ref of the remote (``refs/pull/7/head``, a sha)
        and return the commit it points to, now readable locally."""
        if not ref or ref.startswith("-"):
            raise ValueError(f"expected a ref or sha to fetch, got {ref!r}")
        with self._lock:
            self._cmd.remote("fetch", "--no-tags", "--quiet", "origin", ref)
            return self._cmd.text("rev-parse", "--verify", "FETCH_HEAD^{commit}")

    def head_sha(self) -> str:
        """The head of the default branch as last fetched or pushed."""
        return self._cmd.text(
            "rev-parse", "--verify", _clone.tracking_ref(self._branch)
        )

    # -- reading a revision -------------------------------------------------

    def changes(
        self,
        old_sha: str | None,
        new_sha: str,
        *,
        prefix: str | None = None,
    ) -> Changes:
        """The files under *prefix* that differ between *old_sha* and
        *new_sha*, or all of *new_sha*'s files with ``full=True`` when
        *old_sha* is none, unknown here (gone after a force push) or from an
        unrelated history."""
        _check_sha(new_sha)
        spec = ["--", prefix] if prefix else []
        if old_sha is None or not self._comparable(_check_sha(old_sha), new_sha):
            listed = self._cmd.run("ls-tree", "-r", "-z", "--name-only", new_sha, *spec)
            added = (Change(p, ChangeKind.ADDED) for p in _history.parse_names(listed))
            return Changes(base=old_sha, head=new_sha, full=True, changes=tuple(added))
        diff = self._cmd.run(
            "diff-tree", "-r", "-z", "--no-renames", "--name-status",
            old_sha, new_sha, *spec,
        )  # fmt: skip
        found = tuple(_history.parse_name_status(diff))
        return Changes(base=old_sha, head=new_sha, full=False, changes=found)

    def _comparable(self, old_sha: str, new_sha: str) -> bool:
        # merge-base exits 1 for unrelated histories and 128 when old_sha is
        # not a commit here (never fetched, or pruned after a force push).
        outcome = self._cmd.attempt("merge-base", old_sha, new_sha)
        if outcome.status in (0, 1, 128):
            return outcome.status == 0
        raise self._cmd.failure(("merge-base", old_sha, new_sha), outcome)

    def read(self, path: str, sha: str) -> bytes | None:
        """The content of *path* at *sha*, or ``None`` if it has no such
        file."""
        outcome = self._cmd.attempt("cat-file", "blob", f"{_check_sha(sha)}:{path}")
        if outcome.status == 0:
            return outcome.stdout
        if not self.has_commit(sha):
            raise self._cmd.failure(("cat-file", "blob", f"{sha}:{path}"), outcome)
        return None

    def read_many(self, paths: Collection[str], sha: str) -> dict[str, bytes]:
        """The content of each of *paths* at *sha* that is a file there,
        read through one ``git cat-file --batch``."""
        if not self.has_commit(_check_sha(sha)):
            raise GitError(f"commit {sha} is not in the clone of {self.url}")
        batch = git.Git()
        batch.update_environment(**self._cmd.env)
        found: dict[str, bytes] = {}
        try:
            for path in paths:
                content = self._read_batched(batch, path, sha)
                if content is not None:
                    found[path] = content
        finally:
            batch.clear_cache()
        return found

    def _read_batched(self, batch: git.Git, path: str, sha: str) -> bytes | None:
        # The batch protocol is line-based UTF-8; other names go one by one.
        if "\n" in path or not path.isprintable() or not _history.is_utf8(path):
            return self.read(path, sha)
        try:
            _sha, kind, _size, data = batch.get_object_data(f"{sha}:{path}")
        except ValueError:  # "missing": no such path
            return None
        # GitPython hands the object type over as bytes, whatever its hints say.
        return data if kind in ("blob", b"blob") else None

    def list_files(self, prefix: str, sha: str) -> list[str]:
        """Paths of the files under *prefix* (``""`` for all) at *sha*."""
        spec = ["--", prefix] if prefix else []
        out = self._cmd.run(
            "ls-tree", "-r", "-z", "--name-only", _check_sha(sha), *spec
        )
        return _history.parse_names(out)

    def list_blobs(self, prefix: str, sha: str) -> dict[str, str]:
        """Blob ids of the files under *prefix* at *sha*, by path."""
        spec = ["--", prefix] if prefix else []
        out = self._cmd.run("ls-tree", "-r", "-z", _check_sha(sha), *spec)
        return _history.parse_entries(out)

    def blob_sha(self, path: str, sha: str) -> str | None:
        """The blob id of *path* at *sha*, or ``None`` if it is no file."""
        out = self._cmd.run("ls-tree", "-z", _check_sha(sha), "--", path)
        return _history.parse_entries(out).get(path)

    def has_commit(self, sha: str) -> bool:
        return self._cmd.succeeds("cat-file", "-e", f"{_check_sha(sha)}^{{commit}}")

    # -- history ----------------------------------------------------------

    def last_change(self, path: str, sha: str) -> CommitInfo | None:
        """The commit, up to *sha*, that last added or changed *path*."""
        out = self._cmd.text(
            "log", "-1", "--no-show-signature", f"--format={_history.COMMIT_FORMAT}",
            _check_sha(sha), "--", path,
        )  # fmt: skip
        return _history.parse_commit(out) if out else None

    def last_changes(self, paths: Collection[str], sha: str) -> dict[str, CommitInfo]:
        """:meth:`last_change` for many paths in one walk of the history.

        Paths never touched up to *sha* are left out. Git skips merges that
        only bring in their parents' changes, here as in
        :meth:`last_change`, so both name the commit that made a change.
        """
        wanted = set(paths)
        found: dict[str, CommitInfo] = {}
        if not wanted:
            return found
        walk = self._cmd.stream(
            "log", "-z", "--name-only", "--no-renames", "--no-show-signature",
            f"--format={_history.WALK_FORMAT}", _check_sha(sha),
            "--", *_history.pathspecs(wanted, limit=_MAX_PATHSPECS),
        )  # fmt: skip
        try:
            for commit, names in _history.walk_names(walk):
                for name in wanted.intersection(names).difference(found):
                    found[name] = commit
                if len(found) == len(wanted):
                    break
        finally:
            walk.close()
        return found

    # -- writing ----------------------------------------------------------

    def commit_files(
        self,
        files: Mapping[str, bytes | None],
        *,
        message: str,
        author: Identity,
        allowed_prefix: str = "status/",
    ) -> str | None:
        """Commit *files* (``None`` deletes) on the default branch and push.

        Only the given paths change, each under *allowed_prefix*
        (:class:`PathNotAllowed` otherwise). Returns the sha of the commit
        that holds them, or ``None`` when they are already as given. Writes
        other threads queue meanwhile by the same author share the commit.
        When someone else pushed first, the files are committed again on the
        new head (never force-pushed), up to a few times; then
        :class:`PushRejected`.
        """
        _commit.check_paths(files, allowed_prefix)
        if not message.strip():
            raise ValueError("commit_files: message must not be empty")
        write = _group.Write(dict(files), message, author)
        batch = self._queue.claim(write)
        if batch is not None:
            try:
                with self._lock:
                    self._write(batch)
            except BaseException as exc:
                for pending in batch:
                    pending.fail(exc)
            finally:
                self._queue.release()
        return write.outcome()

    def _write(self, batch: list[_group.Write]) -> None:
        """Commit and push *batch*, replaying it on newer heads if needed."""
        paths = {path for write in batch for path in write.files}
        for attempt in range(PUSH_ATTEMPTS):
            if attempt:
                time.sleep(_commit.backoff(attempt))
                self._fetch()
            head = self.head_sha()
            current = _commit.current_entries(self._cmd, head=head, paths=paths)
            changed = []
            for write in batch:
                if _commit.is_unchanged(write.files, current, hex_length=len(head)):
                    write.finish(None)
                else:
                    changed.append(write)
            if not changed:
                return
            commit = _commit.make_commit(
                self._cmd,
                head=head,
                files={p: d for write in changed for p, d in write.files.items()},
                message=_group.batch_message(changed),
                author=batch[0].author,
            )
            if self._push(commit, head):
                for write in changed:
                    write.finish(commit)
                return
        message = f"push to {self} rejected {PUSH_ATTEMPTS} times; others keep pushing"
        raise PushRejected(message)

    def _push(self, commit: str, head: str) -> bool:
        """Push *commit* as the new head; ``False`` if someone pushed first."""
        ref = f"refs/heads/{self._branch}"
        args = ("push", "--porcelain", "--no-verify", "origin", f"{commit}:{ref}")
        outcome = self._cmd.attempt(*args, network=True)
        if outcome.status == 0:
            tracking = _clone.tracking_ref(self._branch)
            self._cmd.run("update-ref", tracking, commit, head)
            return True
        verdict = _commit.judge_push(
            (outcome.stdout + outcome.stderr).decode("utf-8", "replace")
        )
        if verdict is _commit.PushVerdict.RETRY:
            self._log.debug("git.push.retry", commit=commit)
            return False
        if verdict is _commit.PushVerdict.CHECKED_OUT:
            raise PushRejected(_commit.checked_out_message(self.url, self._branch))
        error = self._cmd.failure(args, outcome, default=GitUnavailable)
        if verdict is _commit.PushVerdict.REFUSED:
            raise PushRejected(
                error.message, command=error.command, stderr=error.stderr
            )
        raise error
