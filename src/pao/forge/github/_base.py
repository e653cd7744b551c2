"""What each group of repository calls shares: the transport and the repo."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from pao.forge.github.models import RepoName
from pao.forge.github.transport import Transport

__all__ = ["RepoCalls", "quoted"]


def quoted(value: str) -> str:
    """*value* made safe in a URL path, keeping its slashes."""
    return quote(value, safe="/")


class RepoCalls:
    """Calls on one repository through one transport."""

    def __init__(
        self,
        transport: Transport,
        name: RepoName,
        *,
        login: Callable[[], str],
    ) -> None:
        self.transport = transport
        self.name = name
        self._login = login

    @property
    def path(self) -> str:
        return self.name.path

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.name)!r})"
