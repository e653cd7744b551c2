"""The demo's repos: bare catalog and requests repos made from ``examples/``,
and a working clone of the requests repo for the user to commit into."""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pao

__all__ = [
    "DEMO_USER",
    "DemoPaths",
    "ExamplesNotFound",
    "RepoSetupError",
    "create_repos",
    "locate_examples",
]

DEMO_USER = ("Dana Developer", "dana@acme.example")


class ExamplesNotFound(FileNotFoundError):
    """The ``examples/`` folder with the catalog and requests repos is missing."""


class RepoSetupError(Exception):
    """The demo's repos could not be made (no git, a used folder, a git error)."""


@dataclass(frozen=True)
class DemoPaths:
    """Where the demo keeps everything, under one throwaway folder."""

    root: Path

    @property
    def catalog_repo(self) -> Path:
        return self.root / "catalog.git"

    @property
    def requests_repo(self) -> Path:
        return self.root / "requests.git"

    @property
    def workdir(self) -> Path:
        """The working clone of the requests repo, for the user's commits."""
        return self.root / "requests"

    @property
    def data_dir(self) -> Path:
        """pao's own clones and SQLite index."""
        return self.root / "pao"

    @property
    def log_file(self) -> Path:
        return self.root / "pao.log"


def locate_examples() -> Path:
    """The ``examples/`` folder beside the installed source, else ``./examples``."""
    candidates = [Path(pao.__file__).resolve().parents[2] / "examples"]
    candidates.append(Path.cwd() / "examples")
    for candidate in candidates:
        if (candidate / "catalog-repo").is_dir() and (
            candidate / "requests-repo"
        ).is_dir():
            return candidate
    looked = ", ".join(str(c) for c in candidates)
    message = (
        f"cannot find examples/catalog-repo and examples/requests-repo (looked in"
        f" {looked}); run pao demo from a checkout of pao, or install it with"
        " pip install -e"
    )
    raise ExamplesNotFound(message)


# -- repos -----------------------------------------------------------------


def _git(*args: str, cwd: Path | None = None) -> None:
    name, email = DEMO_USER
    env = os.environ | {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "GIT_TERMINAL_PROMPT": "0",
    }
    try:
        subprocess.run(
            ["git", "-c", "commit.gpgsign=false", *args],
            cwd=cwd,
            env=env,
            check=True,
            capture_output=True,
        )
    except FileNotFoundError:
        raise RepoSetupError("pao demo needs git; install it and try again") from None
    except subprocess.CalledProcessError as exc:
        stderr = exc.stderr.decode(errors="replace").strip()
        raise RepoSetupError(f"git {args[0]} failed: {stderr}") from None


def _seed_bare_repo(source: Path, bare: Path, message: str) -> None:
    seed = bare.with_name(bare.stem + ".seed")
    shutil.copytree(source, seed)
    _git("init", "--quiet", str(bare), "--bare")
    _git("symbolic-ref", "HEAD", "refs/heads/main", cwd=bare)
    _git("init", "--quiet", cwd=seed)
    _git("checkout", "--quiet", "-b", "main", cwd=seed)
    _git("add", "--all", cwd=seed)
    _git("commit", "--quiet", "-m", message, cwd=seed)
    _git("push", "--quiet", str(bare), "main:main", cwd=seed)
    shutil.rmtree(seed)


def create_repos(root: Path, examples: Path) -> DemoPaths:
    """Bare catalog and requests repos from *examples*, and a working clone."""
    paths = DemoPaths(root)
    root.mkdir(parents=True, exist_ok=True)
    taken = [p for p in (paths.catalog_repo, paths.requests_repo) if p.exists()]
    if taken or paths.workdir.exists():
        message = f"{root} already holds a demo; pick an empty --data-dir"
        raise RepoSetupError(message)
    _seed_bare_repo(examples / "catalog-repo", paths.catalog_repo, "Add the catalog")
    _seed_bare_repo(
        examples / "requests-repo", paths.requests_repo, "Add the example requests"
    )
    _git("clone", "--quiet", str(paths.requests_repo), str(paths.workdir))
    # The user commits here, maybe on a machine with no git identity yet.
    _git("config", "user.name", DEMO_USER[0], cwd=paths.workdir)
    _git("config", "user.email", DEMO_USER[1], cwd=paths.workdir)
    return paths
