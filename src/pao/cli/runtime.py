"""Building and running pao's process: settings, controller, API server.

Shared by ``pao serve``, ``pao reindex``, ``pao demo`` and the operator
commands, so every entry point reads configuration the same way.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click
import structlog
import uvicorn

from pao.api import ApiConfig, ApiServices, create_app
from pao.api.webhooks_sansio import Delivery
from pao.controller import Controller
from pao.core.logging import configure_logging
from pao.core.settings import ConfigError, Settings, load_settings
from pao.store import Store, open_store

__all__ = [
    "build_server",
    "config_options",
    "open_configured_store",
    "settings_from",
]

logger = structlog.get_logger(__name__)


def config_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """The options every command that touches the index shares."""
    options = [
        click.option(
            "--config",
            "config",
            type=click.Path(dir_okay=False, path_type=Path),
            envvar="PAO_CONFIG",
            help="YAML configuration file.",
        ),
        click.option(
            "--data-dir",
            type=click.Path(file_okay=False, path_type=Path),
            help="Where pao keeps its clones and SQLite index [env PAO_DATA_DIR].",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def settings_from(config: Path | None, **overrides: Any) -> Settings:
    """Load settings or exit with the configuration error (status 2)."""
    try:
        return load_settings(config, **overrides)
    except ConfigError as exc:
        raise click.UsageError(str(exc)) from None


def open_configured_store(settings: Settings) -> Store:
    store = open_store(settings.database_url, data_dir=Path(settings.data_dir))
    store.migrate()
    return store


def build_server(controller: Controller) -> uvicorn.Server:
    """The uvicorn server for the API over *controller*'s index."""
    settings = controller.settings
    services = ApiServices(
        config=ApiConfig.from_settings(settings),
        store=controller.store,
        cache=controller.cache,
        enqueue_delivery=_delivery_handler(controller),
        refresh_catalog=controller.trigger,
        readiness={
            "store": lambda: _store_ok(controller),
            "repos": controller.fetched.is_set,
            "migrations": controller.store.migrations_current,
        },
    )
    app = create_app(services=services)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_config=None,
        access_log=False,
        lifespan="off",
    )
    return _DrainingServer(config)


class _DrainingServer(uvicorn.Server):
    """uvicorn, minus re-raising SIGTERM/SIGINT once it has stopped.

    uvicorn hands a caught signal back to the process after shutting down,
    which would end pao before the controller drains its running actions.
    """

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        caught = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in caught}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)


def run_service(controller: Controller, *, log_format: str, log_level: str) -> None:
    """Run controller and API until SIGTERM/SIGINT, then drain."""
    configure_logging(json=log_format == "json", level=log_level)
    server = build_server(controller)
    controller.start()
    try:
        server.run()
    finally:
        controller.stop()
        controller.close()


def _store_ok(controller: Controller) -> bool:
    controller.store.ping()
    return True


def _delivery_handler(controller: Controller) -> Callable[[Delivery], None]:
    def enqueue(delivery: Delivery) -> None:
        # The delivery is already in the store; the controller's delivery
        # loop takes it from there (and after a restart, too).
        controller.delivery_received()

    return enqueue
