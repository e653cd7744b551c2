"""The GitHub client the reconcilers call: one :class:`GitHub` per process.

``connect(settings.github)`` builds it from pao's configuration; a
:class:`GitHubRepo` from :meth:`GitHub.repo` carries the calls on one
repository. Every call is synchronous and thread-safe, raises the errors
of :mod:`pao.forge.github.errors`, and spends quota carefully (see
:mod:`pao.forge.github.transport`).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from pao.core.secrets import resolve_secret
from pao.core.settings import ConfigError, GitHubSettings
from pao.forge.github.auth import AppCredentials, TokenCredentials
from pao.forge.github.checks import CheckCalls
from pao.forge.github.comments import CommentCalls
from pao.forge.github.contents import ContentCalls
from pao.forge.github.models import RepoName
from pao.forge.github.people import PeopleCalls, is_team_member
from pao.forge.github.transport import Credentials, Transport

__all__ = ["GitHub", "GitHubRepo", "connect"]


class GitHubRepo(ContentCalls, CheckCalls, CommentCalls, PeopleCalls):
    """Pull requests, checks, comments, files and permissions of one repo."""


class GitHub:
    """A GitHub (or GitHub Enterprise) API endpoint and pao's identity there."""

    def __init__(
        self,
        transport: Transport,
        *,
        app: AppCredentials | None = None,
        admins: tuple[str, ...] = (),
    ) -> None:
        self.transport = transport
        self.admins = admins
        self._app = app
        self._login: str | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"GitHub({self.transport.api_url!r})"

    def repo(self, name: str | RepoName) -> GitHubRepo:
        """The calls on repository *name* (``owner/name``)."""
        parsed = name if isinstance(name, RepoName) else RepoName.parse(name)
        return GitHubRepo(self.transport, parsed, login=self.login)

    def login(self) -> str:
        """pao's own login: ``<app-slug>[bot]`` for an app, else the token's user."""
        with self._lock:
            if self._login is None:
                self._login = self._ask_login()
            return self._login

    def is_team_member(self, team: str, user: str) -> bool:
        """Whether *user* is an active member of *team* (``org/slug``)."""
        return is_team_member(self.transport, team, user)

    def is_admin(self, user: str) -> bool:
        """Whether *user* belongs to one of the configured admin teams."""
        return any(self.is_team_member(team, user) for team in self.admins)

    def _ask_login(self) -> str:
        if self._app is not None:
            return f"{self._app.app_slug()}[bot]"
        return str(self.transport.get("/user").data["login"])


def connect(
    settings: GitHubSettings,
    *,
    resolve: Callable[[str], str] = resolve_secret,
    timeout: float = 30.0,
    write_interval: float = 1.0,
    max_rate_wait: float = 60.0,
) -> GitHub:
    """A :class:`GitHub` for pao's ``github`` configuration section.

    Secret references (``token``, ``app.privateKey``) are resolved here,
    once; the values stay inside the credentials objects.
    """
    app, credentials = _credentials(settings, resolve=resolve, timeout=timeout)
    transport = Transport(
        api_url=settings.api_url,
        credentials=credentials,
        timeout=timeout,
        write_interval=write_interval,
        max_rate_wait=max_rate_wait,
    )
    return GitHub(transport, app=app, admins=tuple(settings.admins))


def _credentials(
    settings: GitHubSettings,
    *,
    resolve: Callable[[str], str],
    timeout: float,
) -> tuple[AppCredentials | None, Credentials]:
    if settings.app is not None:
        app = AppCredentials(
            app_id=settings.app.id,
            private_key=resolve(settings.app.private_key),
            api_url=settings.api_url,
            installation_id=settings.app.installation_id,
            repository=settings.requests_repo or settings.catalog_repo,
            timeout=timeout,
        )
        return app, app
    if settings.token is not None:
        return None, TokenCredentials(resolve(settings.token))
    message = "github: set either token or app {id, privateKey} to reach GitHub"
    raise ConfigError(message)
