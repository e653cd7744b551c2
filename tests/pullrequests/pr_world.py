"""A GitHub organisation, pao with its API, and the services it calls.

``World`` runs the GitHub stand-in (repos, teams, people, signed webhooks
to pao's real API under uvicorn), a REST target for the widget's actions,
a Jira stand-in for escalations, and a controller in GitHub mode.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from github_driver import app_private_key
from pao.cli.runtime import build_server
from pao.controller import Controller, ControllerOptions
from pao.core.settings import Settings
from pao.forge.codeowners import rewrite_block
from pao.standins import JiraStandin, RestTarget
from pao.standins.github import GithubStandin
from pao.standins.github_state import CheckRun, Comment

CATALOG = "acme/platform-catalog"
REQUESTS = "acme/platform-requests"
HOOK_SECRET = "hook-s3cret"
JIRA_TOKEN = "jira-t0ken"

WIDGET = """\
apiVersion: pao/v1
kind: CatalogItem
metadata:
  id: widget
  name: Widget
  description: A widget made through the widget API.
  version: 1.2.0
  category: things
  owner: {team: acme/widgets, jiraProject: WID}
  sla: {fulfillmentHours: 4}
presentation:
  form:
    groups:
      - id: basics
        name: Basics
        fields:
          - {id: name, name: Name, type: string, required: true}
          - {id: size, name: Size, type: number, required: false, default: 1}
fulfillment:
  secrets:
    token: env:WIDGET_TOKEN
  actions:
    - id: create
      type: rest-api
      name: Create the widget
      retry: {maxAttempts: 2, backoff: 0.01}
      config:
        method: POST
        url: "{{environment.TARGET_URL}}/v1/widgets"
        auth: {type: bearer, token: "{{secrets.token}}"}
        body: {name: "{{fields.name}}", size: "{{fields.size}}"}
      outputs:
        widgetId: "{{response.body.id}}"
      cleanup:
        instructions: Delete widget {{outputs.create.widgetId}}.
    - id: register
      type: rest-api
      name: Register it
      retry: {maxAttempts: 2, backoff: 0.01}
      config:
        method: POST
        url: "{{environment.TARGET_URL}}/v1/registrations"
        body: {widget: "{{outputs.create.widgetId}}"}
"""

# The generated block is in place already, so pao proposes no change.
CODEOWNERS = rewrite_block("* @acme/platform-admins\n", {"widget": "acme/widgets"})


def request_text(name: str, size: object = 2) -> str:
    document = {
        "apiVersion": "pao/v1",
        "kind": "Request",
        "catalogItem": "widget",
        "team": "acme/payments",
        "fields": {"name": name, "size": size},
    }
    return yaml.safe_dump(document, sort_keys=False)


def wait_for(
    predicate: Callable[[], Any], *, timeout: float = 20.0, what: str = ""
) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what or predicate}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class World:
    github: GithubStandin
    target: RestTarget
    jira: JiraStandin
    controller: Controller

    # -- reading GitHub --------------------------------------------------

    def check_runs(self, sha: str, name: str) -> list[CheckRun]:
        with self.github.state.lock:
            return [
                run
                for run in self.github.state.check_runs.values()
                if run.head_sha == sha and run.name == name
            ]

    def comments(self, number: int) -> list[Comment]:
        with self.github.state.lock:
            return [
                c
                for c in self.github.state.comments.values()
                if c.number == number and c.repo.full_name == REQUESTS
            ]

    def comments_by(self, number: int, login: str) -> list[Comment]:
        return [c for c in self.comments(number) if c.user == login]

    def file(self, repo: str, path: str) -> str | None:
        git = self.github.repo(repo).git
        entry = git.entry("refs/heads/main", path)
        return None if entry is None else git.read_blob(entry.sha).decode()

    def main_commits(self, repo: str) -> list[str]:
        """Messages of the default branch's commits, newest first."""
        git = self.github.repo(repo).git
        return [commit.message for commit in git.commits("refs/heads/main")]


def settings_for(
    tmp_path: Path, github: GithubStandin, jira: JiraStandin, *, port: int
) -> Settings:
    key = tmp_path / "app.pem"
    key.write_bytes(github.app_private_key_pem)
    installation = github.install_app("acme")
    values: dict[str, Any] = {
        "catalog_repo": github.clone_url(CATALOG),
        "requests_repo": github.clone_url(REQUESTS),
        "data_dir": tmp_path / "data",
        "environment": ["TARGET_URL"],
        "workers": 2,
        "poll_interval": 30.0,
        "host": "127.0.0.1",
        "port": port,
        "github": {
            "apiUrl": github.url,
            "app": {
                "id": github.github_app.id,
                "privateKey": f"file:{key}",
                "installationId": installation.id,
            },
            "webhookSecret": "env:PAO_TEST_HOOK_SECRET",
            "catalogRepo": CATALOG,
            "requestsRepo": REQUESTS,
            "admins": ["acme/platform-admins"],
        },
        "jira": {
            "instances": {
                "platform": {
                    "baseUrl": jira.url,
                    "auth": {
                        "type": "api_token",
                        "username": jira.email,
                        "token": "env:PAO_TEST_JIRA_TOKEN",
                    },
                }
            },
            "escalation": {"instance": "platform", "project": "ORCHESTRATION"},
        },
    }
    return Settings(**values)


def make_github(root: Path) -> GithubStandin:
    github = GithubStandin(
        root, webhook_secret=HOOK_SECRET, app_private_key_pem=app_private_key()
    )
    github.add_org("acme", members=["alice", "bob", "carol", "root"])
    github.add_team("acme", "widgets", members=["carol"])
    github.add_team("acme", "platform-admins", members=["root"])
    github.add_repo(CATALOG, files={"catalog/things/widget.yaml": WIDGET})
    github.add_repo(
        REQUESTS, files={"README.md": "requests\n", "CODEOWNERS": CODEOWNERS}
    )
    return github


@contextmanager
def running_world(tmp_path: Path, monkeypatch: Any) -> Iterator[World]:
    monkeypatch.setenv("PAO_TEST_HOOK_SECRET", HOOK_SECRET)
    monkeypatch.setenv("PAO_TEST_JIRA_TOKEN", JIRA_TOKEN)
    monkeypatch.setenv("WIDGET_TOKEN", "w1dget-t0ken")
    github = make_github(tmp_path / "github")
    target = RestTarget()
    jira = JiraStandin(api_token=JIRA_TOKEN)
    with ExitStack() as stack:
        stack.enter_context(github.serve())
        stack.enter_context(target.serve())
        stack.enter_context(jira.serve())
        monkeypatch.setenv("TARGET_URL", target.url)
        port = free_port()
        settings = settings_for(tmp_path, github, jira, port=port)
        options = ControllerOptions(
            lease_seconds=5.0,
            status_interval=0.1,
            github_interval=0.1,
            github_resync_interval=3600.0,
            github_write_interval=0.0,
        )
        controller = Controller(settings, options=options)
        stack.callback(controller.close)
        server = build_server(controller)
        thread = threading.Thread(target=server.run, name="pao-api", daemon=True)
        thread.start()
        wait_for(lambda: server.started, what="the API to listen")
        github.webhooks.url = f"http://127.0.0.1:{port}/api/v1/webhooks/github"
        controller.start()
        wait_for(controller.fetched.is_set, what="the first fetch")
        try:
            yield World(github, target, jira, controller)
        finally:
            controller.stop(timeout=10)
            server.should_exit = True
            thread.join(timeout=10)
