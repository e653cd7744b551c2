"""Runs git for one local clone, with a fixed environment and masked errors."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Generator, Mapping, Sequence
from contextlib import ExitStack, suppress
from pathlib import Path
from typing import NamedTuple

import git
from git.exc import GitCommandNotFound

from pao.forge.git.errors import GitError, GitUnavailable, convert

__all__ = ["GitCommand", "Outcome"]

_CHUNK = 1 << 16


class Outcome(NamedTuple):
    """What a git command printed and how it exited."""

    status: int
    stdout: bytes
    stderr: bytes


def _base_environment(git_dir: Path) -> dict[str, str]:
    env = {
        # Name the clone explicitly: if it is damaged, git must fail rather
        # than discover some repository further up the directory tree.
        "GIT_DIR": str(git_dir),
        # A daemon has nobody to answer a credential prompt.
        "GIT_TERMINAL_PROMPT": "0",
        "GCM_INTERACTIVE": "never",
        # Paths are data, never glob patterns.
        "GIT_LITERAL_PATHSPECS": "1",
    }
    if "GIT_SSH_COMMAND" not in os.environ and "GIT_SSH" not in os.environ:
        env["GIT_SSH_COMMAND"] = "ssh -o BatchMode=yes"
    return env


class GitCommand:
    """Runs ``git`` against the bare clone at *git_dir*.

    Every failure becomes a :class:`GitError` whose message and chained cause
    are masked with *secrets*. Network commands are killed after *timeout*
    seconds. *label* names the repository in messages (a masked URL).
    """

    def __init__(
        self,
        git_dir: Path,
        *,
        secrets: Sequence[str],
        timeout: float,
        label: str,
    ) -> None:
        self.git_dir = git_dir
        self.secrets = tuple(secrets)
        self.timeout = timeout
        self.label = label
        self.env = _base_environment(git_dir)
        self._git = git.Git()

    def attempt(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        network: bool = False,
        stdin: bytes | None = None,
    ) -> Outcome:
        """Run ``git ARGS`` and report how it went, without raising."""
        with ExitStack() as stack:
            source = None
            if stdin is not None:
                # GitPython takes standard input as a file with a descriptor.
                source = stack.enter_context(tempfile.TemporaryFile())
                source.write(stdin)
                source.seek(0)
            try:
                status, out, err = self._git.execute(
                    ["git", *args],
                    istream=source,
                    env={**self.env, **(env or {})},
                    with_extended_output=True,
                    with_exceptions=False,
                    stdout_as_string=False,
                    strip_newline_in_stdout=False,
                    kill_after_timeout=self.timeout if network else None,
                )
            except GitCommandNotFound:
                raise GitError("the git executable was not found on PATH") from None
        return Outcome(int(status), out, err.encode("utf-8", "surrogateescape"))

    def failure(
        self,
        args: Sequence[str],
        outcome: Outcome,
        *,
        default: type[GitError] | None = None,
    ) -> GitError:
        """The masked error for a failed ``git ARGS``."""
        return convert(
            argv=["git", *args],
            status=outcome.status,
            stdout=outcome.stdout,
            stderr=outcome.stderr,
            action=f"git {args[0]} in {self.label}",
            secrets=self.secrets,
            default=default,
        )

    def run(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        network: bool = False,
        default: type[GitError] | None = None,
        stdin: bytes | None = None,
    ) -> bytes:
        """Run ``git ARGS`` (fed *stdin*) and return its raw standard output."""
        outcome = self.attempt(*args, env=env, network=network, stdin=stdin)
        if outcome.status != 0:
            raise self.failure(args, outcome, default=default)
        return outcome.stdout

    def text(
        self,
        *args: str,
        env: Mapping[str, str] | None = None,
        network: bool = False,
        default: type[GitError] | None = None,
    ) -> str:
        """Run ``git ARGS``; return its output decoded, less the last newline."""
        out = self.run(*args, env=env, network=network, default=default)
        return out.decode("utf-8", "surrogateescape").removesuffix("\n")

    def remote(self, *args: str) -> str:
        """Run ``git ARGS`` that talk to the remote, bounded by the timeout.

        Failures not recognised as something else are transient.
        """
        return self.text(*args, network=True, default=GitUnavailable)

    def succeeds(self, *args: str) -> bool:
        """Whether ``git ARGS`` exits with status 0."""
        return self.attempt(*args).status == 0

    def stream(self, *args: str) -> Generator[bytes, None, None]:
        """Yield the output of ``git ARGS`` in chunks.

        Closing the generator early kills git, so a walk over a long history
        costs only as much of it as the caller reads.
        """
        handle = self._git.execute(["git", *args], env=self.env, as_process=True)
        process = handle.proc
        assert process is not None
        assert process.stdout is not None
        finished = False
        try:
            while chunk := process.stdout.read1(_CHUNK):  # type: ignore[attr-defined]
                yield chunk
            finished = True
        finally:
            if not finished:
                with suppress(OSError):
                    process.kill()
            err = process.stderr.read() if process.stderr else b""
            status = process.wait()
            process.stdout.close()
            if process.stderr:
                process.stderr.close()
        if status != 0:
            raise self.failure(args, Outcome(status, b"", err))
