"""``pao serve`` and ``pao reindex``."""

from __future__ import annotations

from pathlib import Path

import click

from pao.cli.app import cli
from pao.cli.runtime import config_options, run_service, settings_from
from pao.controller import Controller
from pao.store import Store, open_store


@cli.command()
@config_options
@click.option(
    "--catalog-repo", help="Catalog repo: a path or git URL [env PAO_CATALOG_REPO]."
)
@click.option(
    "--requests-repo", help="Requests repo: a path or git URL [env PAO_REQUESTS_REPO]."
)
@click.option("--host", help="Address the API listens on [env PAO_HOST].")
@click.option("--port", type=int, help="Port the API listens on [env PAO_PORT].")
def serve(
    *,
    config: Path | None,
    data_dir: Path | None,
    catalog_repo: str | None,
    requests_repo: str | None,
    host: str | None,
    port: int | None,
) -> None:
    """Run the controller and the API until stopped (SIGTERM drains)."""
    settings = settings_from(
        config,
        data_dir=data_dir,
        catalog_repo=catalog_repo,
        requests_repo=requests_repo,
        host=host,
        port=port,
    )
    if not settings.catalog_repo or not settings.requests_repo:
        message = (
            "both repos are needed: --catalog-repo and --requests-repo"
            " (or PAO_CATALOG_REPO and PAO_REQUESTS_REPO, or the config file)"
        )
        raise click.UsageError(message)
    controller = Controller(settings)
    run_service(
        controller, log_format=settings.log_format, log_level=settings.log_level
    )


@cli.command()
@config_options
@click.option("--catalog-repo", help="Catalog repo: a path or git URL.")
@click.option("--requests-repo", help="Requests repo: a path or git URL.")
@click.option(
    "--timeout", type=float, default=600.0, show_default=True, help="Seconds to wait."
)
def reindex(
    *,
    config: Path | None,
    data_dir: Path | None,
    catalog_repo: str | None,
    requests_repo: str | None,
    timeout: float,
) -> None:
    """Rebuild the index from the repos; request states stay as they are."""
    settings = settings_from(
        config,
        data_dir=data_dir,
        catalog_repo=catalog_repo,
        requests_repo=requests_repo,
    )
    store = open_store(settings.database_url, data_dir=Path(settings.data_dir))
    store.migrate()
    _forget_indexed_commits(store)
    controller = Controller(settings, store=store)
    try:
        controller.reconcile()
        if not controller.fetched.is_set():
            raise click.ClickException("could not fetch the repos; see the log above")
    finally:
        controller.close()
    catalog = controller.catalog()
    click.echo(f"reindexed: {len(catalog.items)} catalog items")


def _forget_indexed_commits(store: Store) -> None:
    # With no indexed commit the next pass lists every file of the heads
    # and drops what is gone, instead of diffing from the last commit.
    for repo in ("catalog", "requests"):
        store.set_repo_state(repo=repo, indexed_sha=None)
