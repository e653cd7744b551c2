"""``pao request list|show|retry|abort|escalate``: steering from a shell.

These work on the index directly (the same ``--data-dir`` or
``DATABASE_URL`` as ``pao serve``); a running controller picks the change
up on its next pass and writes the status file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from pao.catalog import CatalogItem
from pao.cli.app import request
from pao.cli.runtime import config_options, open_configured_store, settings_from
from pao.reconcilers import commands
from pao.reconcilers.plan import request_id_for
from pao.store import RequestRecord, RequestStatus, Store

ACTOR_ENV = "PAO_OPERATOR"


@request.command("list")
@config_options
@click.option(
    "--status",
    "statuses",
    help="Only these statuses, comma-separated (e.g. failed,escalated).",
)
@click.option("--item", help="Only requests for this catalog item.")
@click.option("--team", help="Only requests of this team.")
@click.option(
    "--format", "output", type=click.Choice(["table", "json"]), default="table"
)
def list_requests(
    *,
    config: Path | None,
    data_dir: Path | None,
    statuses: str | None,
    item: str | None,
    team: str | None,
    output: str,
) -> None:
    """List requests, oldest first."""
    store = _store(config, data_dir)
    wanted = _statuses(statuses)
    records: list[RequestRecord] = []
    after = None
    while True:
        page = store.list_requests(
            statuses=wanted, item_id=item, team=team, after=after, limit=200
        )
        records += page.items
        if not page.has_more:
            break
        after = page.next_key
    if output == "json":
        click.echo(json.dumps([_summary(r) for r in records], indent=2))
        return
    table = Table("item/name", "status", "team", "updated", "id")
    table.columns[0].no_wrap = True
    table.columns[4].no_wrap = True
    for record in records:
        table.add_row(
            f"{record.item_id}/{record.name}",
            record.status.value,
            record.team,
            record.updated_at.strftime("%Y-%m-%d %H:%M:%S"),
            record.id,
        )
    Console().print(table)


@request.command("show")
@config_options
@click.argument("request_id", metavar="ID|ITEM/NAME")
def show_request(
    *, config: Path | None, data_dir: Path | None, request_id: str
) -> None:
    """Show a request with its actions, failure and escalation, as JSON."""
    store = _store(config, data_dir)
    record = _find(store, request_id)
    runs = store.list_action_runs(request_id=record.id, revision=record.revision)
    detail = _summary(record) | {
        "path": record.path,
        "revision": record.revision,
        "requester": record.requester,
        "actions": [
            {
                "id": run.action_id,
                "run": run.run_number,
                "status": run.status.value,
                "attempts": run.attempts,
                "outputs": run.outputs,
                "error": run.error,
            }
            for run in runs
        ],
        "failure": record.failure,
        "escalation": record.escalation,
    }
    click.echo(json.dumps(detail, indent=2, default=str))


@request.command("retry")
@config_options
@click.argument("request_id", metavar="ID|ITEM/NAME")
@click.option("--action", "action_id", help="Retry from this action on.")
def retry_request(
    *,
    config: Path | None,
    data_dir: Path | None,
    request_id: str,
    action_id: str | None,
) -> None:
    """Run a failed request again from its failed action."""
    store = _store(config, data_dir)
    record = _find(store, request_id)
    item = _item(store, record)
    outcome = commands.retry(store, record, item, actor=_actor(), action_id=action_id)
    _report(outcome)


@request.command("abort")
@config_options
@click.argument("request_id", metavar="ID|ITEM/NAME")
@click.option("--reason", help="Why, for the audit log.")
def abort_request(
    *, config: Path | None, data_dir: Path | None, request_id: str, reason: str | None
) -> None:
    """Give a failed request up."""
    store = _store(config, data_dir)
    outcome = commands.abort(
        store, _find(store, request_id), actor=_actor(), reason=reason
    )
    _report(outcome)


@request.command("escalate")
@config_options
@click.argument("request_id", metavar="ID|ITEM/NAME")
@click.option("--reason", help="Why, for the incident.")
def escalate_request(
    *, config: Path | None, data_dir: Path | None, request_id: str, reason: str | None
) -> None:
    """Hand a failed request to the platform team (a Jira incident)."""
    settings = settings_from(config, data_dir=data_dir)
    store = open_configured_store(settings)
    record = _find(store, request_id)
    escalator = _escalator(settings, store)
    outcome = commands.escalate(
        store, record, actor=_actor(), reason=reason, escalator=escalator
    )
    _report(outcome)


def _escalator(settings: Any, store: Store) -> commands.Escalator | None:
    from pao.reconcilers.escalation import escalator_for

    return escalator_for(settings, store)


def _store(config: Path | None, data_dir: Path | None) -> Store:
    return open_configured_store(settings_from(config, data_dir=data_dir))


def _find(store: Store, request_id: str) -> RequestRecord:
    """A request by id, or by ``<item-id>/<name>`` as in the requests repo."""
    if "/" in request_id:
        item_id, _, name = request_id.removesuffix(".yaml").rpartition("/")
        found = store.find_request(request_id_for(item_id.rpartition("/")[2], name))
    else:
        found = store.find_request(request_id)
    if found is None:
        raise click.ClickException(f"no request {request_id}")
    return found


def _item(store: Store, record: RequestRecord) -> CatalogItem:
    stored = store.get_catalog_item(record.item_id)
    if stored is None or stored.current.data is None:
        message = f"catalog item {record.item_id} is not in the catalog"
        raise click.ClickException(message)
    return CatalogItem.model_validate(stored.current.data)


def _statuses(text: str | None) -> list[RequestStatus] | None:
    if not text:
        return None
    try:
        return [RequestStatus(part.strip()) for part in text.split(",") if part.strip()]
    except ValueError as exc:
        known = ", ".join(s.value for s in RequestStatus)
        raise click.BadParameter(f"{exc}; known statuses: {known}") from None


def _summary(record: RequestRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "item": record.item_id,
        "name": record.name,
        "team": record.team,
        "status": record.status.value,
        "updated_at": record.updated_at.isoformat(),
    }


def _actor() -> str:
    import getpass
    import os

    return os.environ.get(ACTOR_ENV) or f"cli:{getpass.getuser()}"


def _report(outcome: commands.CommandOutcome) -> None:
    status = outcome.request.status.value
    click.echo(f"{outcome.request.id}: {outcome.message} (status: {status})")
    if not outcome.ok:
        raise SystemExit(1)
