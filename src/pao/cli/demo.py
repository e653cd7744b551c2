"""``pao demo``: pao on the example repos, with nothing to install or configure.

Creates throwaway repos from ``examples/``, starts local stand-ins for
every system the example actions call, runs the controller and the API on
127.0.0.1, shows the example requests being fulfilled, then says what to
try next and keeps serving until Ctrl-C (or, with ``--once``, exits).
"""

from __future__ import annotations

import logging
import shlex
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import click
from rich.console import Console
from rich.live import Live

from pao.cli.app import cli
from pao.cli.demo_report import (
    NextSteps,
    RequestRow,
    next_steps,
    print_lines,
    progress_table,
    read_rows,
    summary,
)
from pao.cli.demo_repos import (
    DemoPaths,
    ExamplesNotFound,
    RepoSetupError,
    create_repos,
    locate_examples,
)
from pao.cli.demo_world import BROKEN_REQUEST, DemoWorld, bind_api_socket
from pao.core.logging import configure_logging
from pao.reconcilers.plan import request_id_for
from pao.store import RequestStatus

__all__ = ["demo"]

_REFRESH_SECONDS = 0.25


@cli.command()
@click.option(
    "--data-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the demo's repos and index, kept afterwards"
    " [default: a new temporary folder, deleted at the end].",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8080,
    show_default=True,
    help="Port of pao's API on 127.0.0.1; a free one if it is taken.",
)
@click.option(
    "--once",
    is_flag=True,
    help="Exit when the example requests have settled (status 1 if any"
    " ended other than expected).",
)
@click.option(
    "--timeout",
    type=float,
    default=120.0,
    show_default=True,
    help="Seconds to wait for the example requests to settle.",
)
def demo(*, data_dir: Path | None, port: int, once: bool, timeout: float) -> None:
    """Run pao on the example catalog and requests, all on this machine."""
    try:
        examples = locate_examples()
    except ExamplesNotFound as exc:
        raise click.ClickException(str(exc)) from None
    console = Console()
    root = data_dir or Path(tempfile.mkdtemp(prefix="pao-demo-"))
    run = _Run(
        examples=examples, port=port, once=once, timeout=timeout, keep=bool(data_dir)
    )
    try:
        paths = _create(root, examples)
        console.print(f"Demo folder: {root}", markup=False, highlight=False)
        with _logging_to(paths.log_file), _sigterm_interrupts():
            _run(console, paths, run)
    finally:
        if not run.keep:
            shutil.rmtree(root, ignore_errors=True)


@dataclass(frozen=True, kw_only=True)
class _Run:
    """How this demo runs, from the command line."""

    examples: Path
    port: int
    once: bool
    timeout: float
    keep: bool


def _create(root: Path, examples: Path) -> DemoPaths:
    try:
        return create_repos(root, examples)
    except RepoSetupError as exc:
        raise click.ClickException(str(exc)) from None


def _run(console: Console, paths: DemoPaths, run: _Run) -> None:
    sock, as_asked = bind_api_socket(run.port)
    if not as_asked:
        taken = f"Port {run.port} is taken; the API listens on {sock.getsockname()[1]}."
        console.print(taken, style="yellow")
    started = time.monotonic()
    world = DemoWorld(paths, examples=run.examples, sock=sock)
    try:
        world.start()
        _print_intro(console, world)
        expected = len(list(paths.workdir.glob("requests/*/*.yaml")))
        rows, settled = _watch(
            console, world, expected=expected, until=started + run.timeout
        )
        console.print()
        console.print(summary(rows, elapsed=time.monotonic() - started))
        console.print()
        print_lines(console, next_steps(_next_steps(world, rows, keep=run.keep)))
        if run.once:
            _exit_once(console, rows, settled=settled)
            return
        _serve_until_stopped(console, world, expected=expected)
    except KeyboardInterrupt:
        console.print("\nStopping: letting running actions finish…")
    finally:
        world.close()
    console.print("Stopped.")


def _print_intro(console: Console, world: DemoWorld) -> None:
    lines = [
        f"pao API:      {world.api_url} (token: {world.api_token})",
        f"Catalog repo: {world.paths.catalog_repo}",
        f"Requests:     {world.paths.requests_repo}",
        f"Your clone:   {world.paths.workdir}",
        "Stand-ins:    example services, Jira, Terraform Cloud, GitHub Actions"
        " (all on 127.0.0.1)",
        "",
    ]
    print_lines(console, lines)


def _watch(
    console: Console, world: DemoWorld, *, expected: int, until: float
) -> tuple[list[RequestRow], bool]:
    """Show the table until every request has settled or *until* passes."""
    started = time.monotonic()
    with Live(console=console, refresh_per_second=4) as live:
        while True:
            rows = read_rows(world.controller.store, world.controller.catalog())
            elapsed = time.monotonic() - started
            live.update(progress_table(rows, expected=expected, elapsed=elapsed))
            if len(rows) >= expected and all(row.settled for row in rows):
                return rows, True
            if time.monotonic() >= until:
                return rows, False
            time.sleep(_REFRESH_SECONDS)


def _next_steps(world: DemoWorld, rows: list[RequestRow], *, keep: bool) -> NextSteps:
    broken = request_id_for(*BROKEN_REQUEST)
    failed = {
        row.record.id for row in rows if row.record.status is RequestStatus.FAILED
    }
    app_routes = getattr(world.server.config.app, "routes", [])
    return NextSteps(
        workdir=world.paths.workdir,
        data_dir=world.paths.data_dir,
        root=world.paths.root,
        api_url=world.api_url,
        api_token=world.api_token,
        retry_id=broken if broken in failed else None,
        pao=_pao_command(),
        has_requests_api=any(
            getattr(route, "path", "") == "/api/v1/requests" for route in app_routes
        ),
        keeps_root=keep,
    )


def _pao_command() -> str:
    """The command that started this process, as another shell can run it:
    ``pao`` when that is on PATH, else its full path (a venv not activated)
    or ``python -m pao``."""
    started = Path(sys.argv[0]).resolve()
    on_path = shutil.which("pao")
    if on_path is not None and Path(on_path).resolve() == started:
        return "pao"
    if started.name == "__main__.py":
        return f"{shlex.quote(sys.executable)} -m pao"
    return shlex.quote(str(started))


def _exit_once(console: Console, rows: list[RequestRow], *, settled: bool) -> None:
    broken = request_id_for(*BROKEN_REQUEST)
    unexpected = [
        f"{row.record.item_id}/{row.record.name}: {row.record.status.value}"
        for row in rows
        if row.record.status is not RequestStatus.COMPLETED and row.record.id != broken
    ]
    if settled and not unexpected:
        return
    problem = "; ".join(unexpected) or "not every request settled in time"
    console.print(f"Unexpected: {problem}", style="bold red", markup=False)
    raise SystemExit(1)


def _serve_until_stopped(console: Console, world: DemoWorld, *, expected: int) -> None:
    console.print("\nServing until Ctrl-C; new requests show up below.\n")
    started = time.monotonic()
    with Live(console=console, refresh_per_second=2) as live:
        while True:
            rows = read_rows(world.controller.store, world.controller.catalog())
            live.update(
                progress_table(
                    rows,
                    expected=max(expected, len(rows)),
                    elapsed=time.monotonic() - started,
                )
            )
            time.sleep(0.5)


@contextmanager
def _logging_to(path: Path) -> Iterator[None]:
    # The terminal belongs to the table: pao's own log goes to a file.
    configure_logging(json=True, level="info")
    root = logging.getLogger()
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(root.handlers[0].formatter)
    root.handlers[:] = [handler]
    try:
        yield
    finally:
        root.removeHandler(handler)
        handler.close()


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """Treat SIGTERM like Ctrl-C, so both stop the demo the same way."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
