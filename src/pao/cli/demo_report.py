"""What ``pao demo`` shows: the live table of requests, the summary, and
what to try next, with commands that work in the demo's own folders."""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from pao.catalog import CatalogLoad
from pao.reconcilers.plan import actions_for, request_id_for
from pao.store import ActionRun, ActionRunStatus, RequestRecord, RequestStatus, Store

__all__ = [
    "SETTLED",
    "NextSteps",
    "RequestRow",
    "next_steps",
    "print_lines",
    "progress_table",
    "read_rows",
    "summary",
]

S = RequestStatus
#: Where a request stays until a person (or a new commit) moves it.
SETTLED = frozenset({S.COMPLETED, S.FAILED, S.ABORTED, S.ESCALATED, S.CANCELLED})
_STYLES = {
    S.COMPLETED: "green",
    S.FAILED: "bold red",
    S.IN_PROGRESS: "yellow",
    S.ABORTED: "magenta",
    S.ESCALATED: "magenta",
    S.CANCELLED: "dim",
}
_DONE_RUNS = frozenset({ActionRunStatus.SUCCEEDED, ActionRunStatus.SKIPPED})


@dataclass(frozen=True)
class RequestRow:
    """One request as the table shows it."""

    record: RequestRecord
    done: int
    total: int
    current: str

    @property
    def settled(self) -> bool:
        return self.record.status in SETTLED


def _latest_runs(runs: list[ActionRun]) -> dict[str, ActionRun]:
    latest: dict[str, ActionRun] = {}
    for run in runs:
        if (
            run.action_id not in latest
            or run.run_number >= latest[run.action_id].run_number
        ):
            latest[run.action_id] = run
    return latest


def _row(store: Store, catalog: CatalogLoad, record: RequestRecord) -> RequestRow:
    loaded = catalog.get(record.item_id)
    kind = store.get_revision(request_id=record.id).data.get("kind", "create")
    actions = actions_for(loaded.item, kind) if loaded is not None else []
    latest = _latest_runs(
        store.list_action_runs(request_id=record.id, revision=record.revision)
    )
    done = sum(1 for run in latest.values() if run.status in _DONE_RUNS)
    current = next(
        (
            f"{action.id}: {latest[action.id].status.value}"
            for action in actions
            if action.id in latest and latest[action.id].status not in _DONE_RUNS
        ),
        "",
    )
    return RequestRow(record, done, len(actions), current)


def read_rows(store: Store, catalog: CatalogLoad) -> list[RequestRow]:
    """Every indexed request, oldest first, with its action progress."""
    records: list[RequestRecord] = []
    after = None
    while True:
        page = store.list_requests(limit=200, after=after, with_total=False)
        records += page.items
        if not page.has_more:
            break
        after = page.next_key
    return [_row(store, catalog, record) for record in records]


def progress_table(rows: list[RequestRow], *, expected: int, elapsed: float) -> Table:
    settled = sum(1 for row in rows if row.settled)
    table = Table(
        title=f"pao demo: {settled} of {expected} requests settled ({elapsed:.0f} s)",
        title_justify="left",
    )
    for column in ("item", "name", "team"):
        table.add_column(column, no_wrap=True, overflow="ellipsis")
    # Never squeeze the status: it is what the table is for.
    table.add_column("status", no_wrap=True, min_width=len("in_progress"))
    table.add_column("actions", no_wrap=True, min_width=len("actions"))
    table.add_column("now", overflow="fold")
    for row in rows:
        status = row.record.status
        table.add_row(
            row.record.item_id,
            row.record.name,
            row.record.team,
            Text(status.value, style=_STYLES.get(status, "cyan")),
            f"{row.done}/{row.total}",
            row.current,
        )
    return table


def summary(rows: list[RequestRow], *, elapsed: float) -> Group:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.record.status.value] = counts.get(row.record.status.value, 0) + 1
    parts = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
    lines: list[Text] = [Text(f"Settled in {elapsed:.1f} s: {parts}.", style="bold")]
    for row in rows:
        if row.record.status is S.FAILED:
            error = str((row.record.failure or {}).get("error", "no reason recorded"))
            lines.append(
                Text.assemble(
                    ("  failed: ", "red"),
                    f"{row.record.item_id}/{row.record.name} ({row.record.id}): ",
                    error,
                )
            )
    return Group(*lines)


@dataclass(frozen=True)
class NextSteps:
    """What the commands in the next steps refer to."""

    workdir: Path
    data_dir: Path
    root: Path
    api_url: str
    api_token: str
    retry_id: str | None
    #: How to run pao from another shell (``pao`` when it is on PATH).
    pao: str
    has_requests_api: bool
    keeps_root: bool


_NEW_REQUEST = """\
apiVersion: pao/v1
kind: Request
catalogItem: redis-cache
team: acme/checkout
fields:
  cacheName: {name}
  memoryMb: {memory}
  evictionPolicy: allkeys-lru
  persistence: none
  tls: true
"""


def _commit_snippet(name: str, memory: int, message: str) -> list[str]:
    path = f"requests/redis-cache/{name}.yaml"
    return [
        f"  cat > {path} <<'EOF'",
        *(
            f"  {line}"
            for line in _NEW_REQUEST.format(name=name, memory=memory).splitlines()
        ),
        "  EOF",
        f"  git add {path} && git commit -m {shlex.quote(message)}",
        # pao pushes status commits to the same branch: rebase onto them.
        "  git pull --rebase && git push",
    ]


def next_steps(steps: NextSteps) -> list[str]:
    """Plain lines, so that every command can be copied as it is."""
    pao_data = f"--data-dir {shlex.quote(str(steps.data_dir))}"
    pao = steps.pao
    tiny = request_id_for("redis-cache", "tiny-cache")
    auth = shlex.quote(f"Authorization: Bearer {steps.api_token}")
    lines = [
        "What to try next (in another terminal):",
        "",
        "1. Ask for a new Redis cache: commit a request and push it.",
        f"  cd {shlex.quote(str(steps.workdir))}",
        *_commit_snippet("demo-cache", 1024, "Request a demo cache"),
        "  pao will pick it up within seconds; watch it here.",
        "",
        "2. Break one: 100 MiB is below the item's minimum of 256.",
        *_commit_snippet("tiny-cache", 100, "Request a cache that is too small"),
        f"  {pao} request show {tiny} {pao_data}",
        "",
        "3. Look at requests from the command line.",
        f"  {pao} request list {pao_data}",
    ]
    if steps.retry_id is not None:
        lines += [
            f"  {pao} request show {steps.retry_id} {pao_data}",
            "",
            "4. Retry the request that failed (the artifact server said 409 once):",
            f"  {pao} request retry {steps.retry_id} {pao_data}",
        ]
    lines += ["", "5. Ask the API.", f"  curl -H {auth} {steps.api_url}/api/v1/health"]
    if steps.has_requests_api:
        lines.append(f"  curl -H {auth} {steps.api_url}/api/v1/requests")
    keep = "kept" if steps.keeps_root else "deleted when the demo stops"
    lines += ["", f"Everything lives in {steps.root} ({keep}); logs in pao.log there."]
    return lines


def print_lines(console: Console, lines: list[str]) -> None:
    for line in lines:
        console.print(line, markup=False, highlight=False, soft_wrap=True)
