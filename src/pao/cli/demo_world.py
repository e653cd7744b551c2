"""The throwaway world ``pao demo`` runs in: stand-ins and pao itself.

Over the repos of :mod:`pao.cli.demo_repos`, :class:`DemoWorld` starts,
all on 127.0.0.1: the stand-ins for every system the example actions
call, the controller and the API, with the environment and secrets they
share set in this process only, and a ticket desk that resolves Jira
tickets the way a team would.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import fields, replace
from pathlib import Path

import uvicorn

from pao.actions.vendor_config import VendorConfig
from pao.actions.vendors import register_vendor_executors
from pao.catalog import CatalogLoad, load_catalog
from pao.cli.demo_repos import DemoPaths
from pao.cli.demo_vendors import (
    JIRA_EMAIL,
    ORGANIZATION,
    VendorSecrets,
    build_github,
    build_jira,
    build_terraform,
    repository_workspaces,
)
from pao.cli.runtime import build_server
from pao.controller import Controller, ControllerOptions
from pao.core.settings import (
    ApiSettings,
    ApiToken,
    GitHubSettings,
    JiraAuth,
    JiraEscalation,
    JiraInstance,
    JiraSettings,
    Settings,
    TerraformSettings,
)
from pao.standins import JiraStandin
from pao.standins.demo_services import SERVICE_PREFIXES, DemoSecrets, DemoServices

__all__ = [
    "BROKEN_REQUEST",
    "DemoWorld",
    "TicketDesk",
    "bind_api_socket",
    "patched_environ",
]

#: The example request the demo services refuse once (409), so that
#: ``pao request retry`` has something to fix.
BROKEN_REQUEST = ("artifact-repository", "search-maven")
API_USER = "demo-admin@acme.example"
# Short loops: a demo should settle in seconds, not in production minutes.
POLL_SECONDS = 2.0
VENDOR_POLL_SECONDS = 2.0
TICKET_SECONDS = 3.0

_ENV_REFERENCE = re.compile(r"\benv:([A-Za-z_][A-Za-z0-9_]*)")


# -- the environment and the secrets pao and the stand-ins share --------------


def _token() -> str:
    return secrets.token_urlsafe(18)


@contextmanager
def patched_environ(values: Mapping[str, str | None]) -> Iterator[None]:
    """Set (or, for None, unset) environment variables; restore them after."""
    saved = {name: os.environ.get(name) for name in values}
    try:
        for name, value in values.items():
            _set_env(name, value)
        yield
    finally:
        for name, value in saved.items():
            _set_env(name, value)


def _set_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value


def _request_env_references(requests_repo: Path) -> set[str]:
    # Password fields may name environment variables (env:NAME); the demo
    # gives each a value so the requests that use them can run.
    names: set[str] = set()
    for path in requests_repo.glob("requests/*/*.yaml"):
        names.update(_ENV_REFERENCE.findall(path.read_text(encoding="utf-8")))
    return names


def _env(name: str) -> str:
    """A reference to the environment variable *name*."""
    return f"env:{name}"


def demo_vault(path: str, key: str) -> str:
    """The demo's Vault: every ``vault:PATH#KEY`` reads as ``demo-KEY``."""
    return f"demo-{key}"


# -- the ticket desk -------------------------------------------------------------


class TicketDesk:
    """Resolves every Jira ticket as Done a few seconds after it is opened,
    as the team behind each project would; the webhook follows."""

    def __init__(self, jira: JiraStandin, *, after: float = TICKET_SECONDS) -> None:
        self.jira = jira
        self.after = after
        self.resolved: list[str] = []
        self._seen: dict[str, float] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ticket-desk")

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(0.25):
            for key in self._due(time.monotonic()):
                self.jira.resolve(key, "Done", wait=False)
                self.resolved.append(key)

    def _due(self, now: float) -> list[str]:
        with self.jira.state.lock:
            open_keys = [
                issue.key
                for issue in self.jira.state.issues.values()
                if issue.resolution is None
            ]
        for key in open_keys:
            self._seen.setdefault(key, now)
        return [key for key in open_keys if now - self._seen[key] >= self.after]


# -- the world -------------------------------------------------------------------


def bind_api_socket(port: int) -> tuple[socket.socket, bool]:
    """A listening socket on 127.0.0.1:*port*, or on a free port when that
    one is taken; the flag says whether *port* was used."""
    for wanted in (port, 0):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", wanted))
        except OSError:
            sock.close()
            continue
        sock.listen(128)
        return sock, wanted == port
    raise OSError("no free port on 127.0.0.1")


class DemoWorld:
    """Everything ``pao demo`` runs, started by :meth:`start` and stopped,
    in reverse order, by :meth:`close`."""

    def __init__(
        self, paths: DemoPaths, *, examples: Path, sock: socket.socket
    ) -> None:
        self.paths = paths
        self.sock = sock
        self.port: int = sock.getsockname()[1]
        self.api_url = f"http://127.0.0.1:{self.port}"
        self.api_token = secrets.token_urlsafe(24)
        self.service_secrets = DemoSecrets.generate()
        self.vendor_secrets = VendorSecrets(
            **{f.name: _token() for f in fields(VendorSecrets)}
        )
        self.catalog: CatalogLoad = load_catalog(examples / "catalog-repo")
        #: Environment variables the example requests' password fields name.
        self.request_env = sorted(_request_env_references(paths.workdir))
        self._stack = ExitStack()

    # set by start()
    services: DemoServices
    jira: JiraStandin
    controller: Controller
    server: uvicorn.Server
    desk: TicketDesk

    def start(self) -> None:
        try:
            self._start_standins()
            self._stack.enter_context(patched_environ(self._environment()))
            self._start_pao()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        self._stack.close()

    def _start_standins(self) -> None:
        webhooks = f"{self.api_url}/api/v1/webhooks"
        self.services = DemoServices(
            self.service_secrets, conflict_once=(BROKEN_REQUEST[1],)
        )
        secrets_ = self.vendor_secrets
        self.jira = build_jira(self.catalog, secrets_, webhook_url=f"{webhooks}/jira")
        terraform = build_terraform(
            self.catalog, secrets_, notification_url=f"{webhooks}/terraform"
        )
        github = build_github(self.catalog, secrets_, webhook_url=f"{webhooks}/github")
        for standin in (self.services, self.jira, terraform, github):
            self._stack.enter_context(standin.serve())
        self.terraform_url, self.github_url = terraform.url, github.url
        self.desk = TicketDesk(self.jira)
        self.desk.start()
        self._stack.callback(self.desk.stop)

    def _environment(self) -> dict[str, str | None]:
        secrets_ = self.vendor_secrets
        values: dict[str, str | None] = {
            **self.services.environment(),
            **self.service_secrets.environ(),
            "JIRA_API_TOKEN": secrets_.jira_api_token,
            "JIRA_WEBHOOK_SECRET": secrets_.jira_webhook_secret,
            "TFC_TOKEN": secrets_.terraform_token,
            "TFC_NOTIFICATION_TOKEN": secrets_.terraform_notification_token,
            "GITHUB_TOKEN": secrets_.github_token,
            "GITHUB_WEBHOOK_SECRET": secrets_.github_webhook_secret,
            # A configuration file of the user's has no place in the demo.
            "PAO_CONFIG": None,
        }
        for name in self.request_env:
            values.setdefault(name, _token())
        return values

    def settings(self) -> Settings:
        """pao's configuration for the demo; secrets stay ``env:`` references."""
        return Settings(
            catalog_repo=str(self.paths.catalog_repo),
            requests_repo=str(self.paths.requests_repo),
            data_dir=self.paths.data_dir,
            poll_interval=POLL_SECONDS,
            host="127.0.0.1",
            port=self.port,
            database_url=None,
            redis_url=None,
            workers=8,
            environment=sorted(SERVICE_PREFIXES),
            request_secret_env=self.request_env,
            jira=JiraSettings(
                instances={
                    "platform": JiraInstance(
                        base_url=self.jira.url,
                        flavor="cloud",
                        auth=JiraAuth(
                            username=JIRA_EMAIL, token=_env("JIRA_API_TOKEN")
                        ),
                    )
                },
                escalation=JiraEscalation(instance="platform"),
                webhook_secret=_env("JIRA_WEBHOOK_SECRET"),
                poll_interval=VENDOR_POLL_SECONDS,
            ),
            terraform=TerraformSettings(
                url=self.terraform_url,
                organization=ORGANIZATION,
                token=_env("TFC_TOKEN"),
                notification_token=_env("TFC_NOTIFICATION_TOKEN"),
                repositories=repository_workspaces(self.catalog),
            ),
            github=GitHubSettings(
                api_url=self.github_url,
                token=_env("GITHUB_TOKEN"),
                webhook_secret=_env("GITHUB_WEBHOOK_SECRET"),
            ),
            api=ApiSettings(
                tokens=[
                    ApiToken(
                        user=API_USER,
                        token_sha256=hashlib.sha256(
                            self.api_token.encode()
                        ).hexdigest(),
                        admin=True,
                    )
                ]
            ),
        )

    def _start_pao(self) -> None:
        settings = self.settings()
        options = ControllerOptions(status_interval=0.5, vault=demo_vault)
        self.controller = Controller(settings, options=options)
        self._stack.callback(self.controller.close)
        _register_vendors(settings)
        self.server = build_server(self.controller)
        thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, name="pao-api"
        )
        thread.start()
        self._stack.callback(self._stop_server, thread)
        self.controller.start()
        self._stack.callback(self.controller.stop)

    def _stop_server(self, thread: threading.Thread) -> None:
        self.server.should_exit = True
        thread.join(timeout=10)
        self.sock.close()


def _register_vendors(settings: Settings) -> None:
    config = VendorConfig.from_settings(settings)
    # Production waits 30 s between looks at a Terraform or workflow run;
    # the demo's runs take seconds.
    config = replace(
        config,
        terraform=replace(config.terraform, poll_interval=VENDOR_POLL_SECONDS),
        github=replace(config.github, poll_interval=VENDOR_POLL_SECONDS),
    )
    register_vendor_executors(config)
