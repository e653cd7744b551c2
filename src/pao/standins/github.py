"""A stateful GitHub stand-in: REST API, git remotes and signed webhooks.

One server answers the REST API at its root, as ``api.github.com`` does
(point a client's ``apiUrl``/``base_url`` at ``GithubStandin.url``),
including the GitHub Actions endpoints of ``GithubActionsStandin``.
Repositories are real bare git repositories under *root*: clone, fetch
and push them at ``clone_url(full_name)``; the REST API reads refs,
commits, trees and diffs from them with git.

Callers authenticate with a personal access token (``add_token``), or as
the GitHub App: an RS256 JWT signed with ``app_private_key_pem`` buys an
installation token at ``POST /app/installations/{id}/access_tokens``.
Every response carries ``X-RateLimit-*`` headers; GETs carry an ETag.

Webhooks for what happens (pushes from anyone, pull requests, reviews,
comments, check-run re-runs, workflow runs) go to ``webhooks.url``,
signed with ``webhooks.secret``; see ``github_webhooks`` for the controls
that drop, delay, reorder and redeliver them.

    github = GithubStandin(tmp_path / "github", webhook_secret="s3cret")
    github.add_org("acme", members=["alice"])
    github.add_repo("acme/platform-requests", files={"README.md": "hi"})
    with github.serve():
        github.push("acme/platform-requests", "feature", {"a.yaml": "x: 1"},
                    user="alice")
        github.open_pull("acme/platform-requests", head="feature", user="alice")
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp

from pao.standins.base import Standin
from pao.standins.faults import FaultMiddleware
from pao.standins.github_accounts import AccountEndpoints
from pao.standins.github_actions import GithubActionsStandin
from pao.standins.github_actions_model import GhRun, run_json, workflow_json
from pao.standins.github_checks import CheckEndpoints
from pao.standins.github_controls_pulls import PullControls
from pao.standins.github_events import EventBuilder
from pao.standins.github_gate import GateMiddleware, RateLimits
from pao.standins.github_gitdata import GitDataEndpoints
from pao.standins.github_hub import Hub
from pao.standins.github_issues import IssueEndpoints
from pao.standins.github_objects import GitHubSite, github_error
from pao.standins.github_pulls import PullEndpoints
from pao.standins.github_pushes import PushAbsorber
from pao.standins.github_render import repo_json
from pao.standins.github_repos import RepoEndpoints
from pao.standins.github_state import App, GithubState, Repo, User
from pao.standins.github_statuses import StatusEndpoints
from pao.standins.github_webhooks import WebhookDriver

__all__ = ["GithubStandin"]

_NOWHERE = "http://github.invalid"


def _new_private_key() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def _public_key(private_pem: bytes) -> bytes:
    key = serialization.load_pem_private_key(private_pem, password=None)
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


class _ComposedActions(GithubActionsStandin):
    """The Actions stand-in serving inside the GitHub one: the outer gate
    authenticates, and workflow_run webhooks go out through its driver."""

    def __init__(self, outer: GithubStandin, *, step_seconds: float | None) -> None:
        super().__init__(token="", step_seconds=step_seconds)
        self._outer = outer

    @property
    def site(self) -> GitHubSite:
        return self._outer.site

    def _denied(self, request: Request) -> Response | None:
        return None

    def _notify(self, run: GhRun) -> None:
        self._outer.notify_workflow_run(run)


class GithubStandin(PullControls, Standin):
    """GitHub's REST API, git remotes and webhooks for one organization's
    worth of repositories, pull requests and checks."""

    name = "github"

    def __init__(
        self,
        root: Path,
        *,
        app_id: int = 4242,
        app_slug: str = "pao",
        app_private_key_pem: bytes | None = None,
        tokens: Mapping[str, str] | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        rate_limit: int = 5000,
        push_commit_limit: int = 20,
        actions_step_seconds: float | None = 0.05,
        default_pusher: str | None = None,
    ) -> None:
        super().__init__()
        self.root = root
        self.app_private_key_pem = app_private_key_pem or _new_private_key()
        self.github_app = App(
            id=app_id,
            slug=app_slug,
            name=app_slug,
            owner=f"{app_slug}-developers",
            public_key_pem=_public_key(self.app_private_key_pem),
        )
        self.state = GithubState()
        self.webhooks = WebhookDriver(self, url=webhook_url, secret=webhook_secret)
        self.hub = Hub(
            state=self.state, app=self.github_app, site=lambda: self.site, events=self
        )
        self.events = EventBuilder(self.hub, commit_limit=push_commit_limit)
        self.limits = RateLimits(rate_limit)
        self.actions = _ComposedActions(self, step_seconds=actions_step_seconds)
        self._default_pusher = default_pusher or self.github_app.bot_login
        self.pushes = PushAbsorber(
            self.hub,
            self.events,
            default_pusher=lambda: self._default_pusher,
            on_refs_changed=self._sync_actions_refs,
        )
        self.bot: User = self.add_user(app_slug, bot=True)
        for token, login in (tokens or {}).items():
            self.add_token(token, login)

    # -- serving -------------------------------------------------------------------

    @property
    def site(self) -> GitHubSite:
        base = self.url if self._server is not None else _NOWHERE
        return GitHubSite(api=base, web=base)

    def routes(self) -> list[BaseRoute]:
        # Order matters: ``commits/{ref}/check-runs`` must win over the
        # catch-all ``commits/{ref:path}`` of the repository routes.
        return [
            *CheckEndpoints(self.hub).routes(),
            *StatusEndpoints(self.hub).routes(),
            *IssueEndpoints(self.hub, self.events).routes(),
            *PullEndpoints(self.hub, self.events).routes(),
            *GitDataEndpoints(self.hub).routes(),
            *AccountEndpoints(self.hub, self.limits).routes(),
            *self.actions.routes(),
            *RepoEndpoints(self.hub).routes(),
        ]

    @property
    def app(self) -> ASGIApp:
        if self._app is None:
            gate = GateMiddleware(
                Starlette(routes=self.routes()),
                state=self.state,
                github_app=self.github_app,
                limits=self.limits,
                before=self.pushes.absorb_all,
            )
            self._app = FaultMiddleware(
                gate, plan=self.faults, log=self.requests, error_body=self.error_body
            )
        return self._app

    def error_body(self, status: int) -> tuple[bytes, str]:
        messages = {403: "API rate limit exceeded", 429: "API rate limit exceeded"}
        body = github_error(messages.get(status, "Server Error"), status)
        return json.dumps(body).encode(), "application/json"

    def tick(self, now: float) -> None:
        self.pushes.absorb_all()
        self.actions.tick(now)

    # -- events --------------------------------------------------------------------

    def emit(self, event: str, payload: dict[str, Any]) -> None:
        """The hub's event sink: hand the payload to the webhook driver."""
        self.webhooks.emit(event, payload)

    def notify_workflow_run(self, run: GhRun) -> None:
        repo = self.repo(run.repo.full_name)
        site = self.site
        shown = run_json(site, run)
        mine = repo_json(site, self.state, repo)
        shown["repository"] = shown["head_repository"] = mine
        with self.state.lock:
            self.events.workflow_run(
                repo,
                {
                    "action": {"queued": "requested"}.get(run.status, run.status),
                    "workflow_run": shown,
                    "workflow": workflow_json(site, run.repo, run.workflow),
                },
            )

    def _sync_actions_refs(self, repo: Repo) -> None:
        gh = self.actions.state.repo(repo.owner, repo.name)
        if gh is None:
            return
        refs = repo.git.refs("refs/")
        with self.actions.state.lock:
            gh.default_branch = repo.default_branch
            gh.refs = {
                name.split("/", 2)[2]: sha
                for name, sha in refs.items()
                if name.startswith(("refs/heads/", "refs/tags/"))
            }

    # -- rate limits ---------------------------------------------------------------

    def exhaust_rate_limit(self) -> None:
        """Spend every caller's primary limit until ``reset_rate_limits``."""
        self.limits.exhaust()

    def trigger_secondary_limit(
        self, *, retry_after: int = 60, status: int = 403, count: int = 1
    ) -> None:
        """Refuse the next *count* requests with a secondary rate limit."""
        self.limits.add_secondary(status=status, retry_after=retry_after, count=count)

    def reset_rate_limits(self) -> None:
        self.limits.reset()
