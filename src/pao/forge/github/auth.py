"""Credentials for GitHub: a token, or a GitHub App's installation token.

An app authenticates in two steps. Its private key signs a short-lived JWT
(PyGithub's ``AppAuth``); with the JWT pao asks
``POST /app/installations/{id}/access_tokens`` for an installation token,
which lasts an hour. :class:`AppCredentials` keeps that token and renews it
five minutes before it expires (and at once after a 401), under a lock, so
the worker threads share one token. Without a configured installation id it
finds the installation of the repository it is told about.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from github.Auth import AppAuth, Auth, Token

from pao.forge.github.errors import GitHubError
from pao.forge.github.transport import Transport

__all__ = ["AppCredentials", "InstallationToken", "TokenCredentials"]

# Renew this long before GitHub's expiry, so that neither a slow call nor a
# clock a few minutes off ever presents an expired token.
RENEW_BEFORE = 300.0


class TokenCredentials:
    """A fixed token (a PAT, or a token from the environment)."""

    def __init__(self, token: str) -> None:
        if not token:
            message = "TokenCredentials: expected a non-empty token, got an empty one"
            raise ValueError(message)
        self._auth = Token(token)

    @property
    def auth(self) -> Auth:
        return self._auth

    def renew(self) -> bool:
        # A fixed token stays what it is; asking again cannot help.
        return False

    def __repr__(self) -> str:
        return "TokenCredentials(***)"


class InstallationToken(Auth):
    """PyGithub ``Auth`` reading the current token from its credentials."""

    def __init__(self, credentials: AppCredentials) -> None:
        self._credentials = credentials

    @property
    def token_type(self) -> str:
        return "token"

    @property
    def token(self) -> str:
        return self._credentials.token()

    @property
    def _masked_token(self) -> str:
        return "***"


class AppCredentials:
    """A GitHub App installation's token, renewed before it expires."""

    def __init__(
        self,
        *,
        app_id: int,
        private_key: str,
        api_url: str,
        installation_id: int | None = None,
        repository: str | None = None,
        timeout: float = 30.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if installation_id is None and repository is None:
            message = (
                "AppCredentials: expected installation_id or a repository"
                " to find the installation by, got neither"
            )
            raise ValueError(message)
        self.app_id = app_id
        self.installation_id = installation_id
        self.repository = repository
        self._clock = clock
        self._lock = threading.Lock()
        self._token: str | None = None
        self._expires_at = 0.0
        self._auth = InstallationToken(self)
        self.app = _JwtCredentials(AppAuth(app_id, private_key))
        self._jwt = Transport(
            api_url=api_url,
            credentials=self.app,
            timeout=timeout,
            write_interval=0.0,
        )

    @property
    def auth(self) -> Auth:
        return self._auth

    def renew(self) -> bool:
        with self._lock:
            self._token = None
        return True

    def token(self) -> str:
        """The installation token, fetched or renewed when due."""
        with self._lock:
            if self._token is None or self._clock() >= self._expires_at - RENEW_BEFORE:
                self._token, self._expires_at = self._fetch()
            return self._token

    def app_slug(self) -> str:
        """The app's URL name; its comments are signed ``<slug>[bot]``."""
        slug = self._jwt.get("/app").data.get("slug")
        return str(slug)

    def _fetch(self) -> tuple[str, float]:
        installation = self.installation_id or self._find_installation()
        self.installation_id = installation
        path = f"/app/installations/{installation}/access_tokens"
        data: dict[str, Any] = self._jwt.request("POST", path).data
        token, expires = data.get("token"), data.get("expires_at")
        if not isinstance(token, str) or not isinstance(expires, str):
            message = f"GitHub POST {path}: the answer holds no token and expiry"
            raise GitHubError(message)
        return token, _epoch(expires)

    def _find_installation(self) -> int:
        data = self._jwt.get(f"/repos/{self.repository}/installation").data
        return int(data["id"])

    def __repr__(self) -> str:
        installation = self.installation_id
        return f"AppCredentials(app_id={self.app_id}, installation={installation})"


class _JwtCredentials:
    """The app itself: a fresh JWT for every call."""

    def __init__(self, auth: AppAuth) -> None:
        self._auth = auth

    @property
    def auth(self) -> Auth:
        return self._auth

    def renew(self) -> bool:
        # Each call signs a new JWT already; a 401 means a wrong key or id.
        return False


def _epoch(timestamp: str) -> float:
    return datetime.fromisoformat(timestamp.replace("Z", "+00:00")).timestamp()
