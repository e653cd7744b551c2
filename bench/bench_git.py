"""How long one status commit and push takes against a local bare repository.

    python bench/bench_git.py [--commits 200] [--threads 4] [--files 2000]

Builds a bare "remote" with --files request files, clones it the way the
controller does, then times commit_files (one status file per call): first
one after another, then from --threads threads sharing the clone (their
queued writes share commits), and from two clones (replicas) racing each
other. Throughput counts status writes, not commits.
"""

from __future__ import annotations

import argparse
import logging
import statistics
import subprocess
import tempfile
import threading
import time
from pathlib import Path

import structlog

from pao.forge.git import GitError, GitRepo, Identity

PAO = Identity("pao", "pao@acme.example")


def make_remote(root: Path, files: int) -> Path:
    work, bare = root / "work", root / "remote.git"
    subprocess.run(["git", "init", "-q", "-b", "main", str(work)], check=True)
    for n in range(files):
        path = work / "requests" / f"item{n % 50}" / f"req{n}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"kind: Request\nn: {n}\n")
    env = ["-c", "user.name=bench", "-c", "user.email=bench@example"]
    subprocess.run(["git", "-C", str(work), "add", "-A"], check=True)
    subprocess.run(["git", "-C", str(work), *env, "commit", "-qm", "seed"], check=True)
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(bare)], check=True)
    return bare


def commit(repo: GitRepo, name: str) -> float:
    started = time.perf_counter()
    sha = repo.commit_files(
        {f"status/{name}.yaml": f"phase: running\nat: {time.time()}\n".encode()},
        message=f"Status of {name}",
        author=PAO,
    )
    assert sha is not None
    return time.perf_counter() - started


def report(label: str, seconds: list[float], wall: float) -> None:
    ms = sorted(s * 1000 for s in seconds)
    p95 = ms[int(len(ms) * 0.95) - 1]
    print(
        f"{label:<28} n={len(ms):<4} mean={statistics.mean(ms):6.1f} ms  "
        f"p50={statistics.median(ms):6.1f} ms  p95={p95:6.1f} ms  "
        f"throughput={len(ms) / wall:6.1f} writes/s"
    )


def run_threads(repos: list[GitRepo], threads: int, commits: int) -> None:
    seconds: list[float] = []
    failures: list[GitError] = []
    per_thread = commits // threads

    def work(index: int) -> None:
        repo = repos[index % len(repos)]
        for n in range(per_thread):
            try:
                seconds.append(commit(repo, f"t{index}-{n}-{len(repos)}"))
            except GitError as exc:
                failures.append(exc)

    started = time.perf_counter()
    pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    label = f"{threads} threads, {len(repos)} clone(s)"
    report(label, seconds, time.perf_counter() - started)
    if failures:
        print(f"{'':<28} {len(failures)} failed: {failures[0]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--files", type=int, default=2000)
    args = parser.parse_args()
    structlog.configure(
        wrapper_class=structlog.make_filtering_bound_logger(logging.INFO)
    )

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        bare = make_remote(root, args.files)
        repo = GitRepo.clone_or_open(bare, workdir=root / "data" / "requests")
        other = GitRepo.clone_or_open(bare, workdir=root / "data" / "replica")

        started = time.perf_counter()
        seconds = [commit(repo, f"seq-{n}") for n in range(args.commits)]
        report("sequential, 1 clone", seconds, time.perf_counter() - started)

        run_threads([repo], args.threads, args.commits)
        run_threads([repo], args.threads * 8, args.commits)
        other.fetch()
        run_threads([repo, other], args.threads * 8, args.commits)


if __name__ == "__main__":
    main()
