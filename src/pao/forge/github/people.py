"""Who may do what: team membership and repository permission."""

from __future__ import annotations

from pao.forge.github._base import RepoCalls, quoted
from pao.forge.github.errors import GitHubNotFound
from pao.forge.github.transport import Transport

__all__ = ["PeopleCalls", "is_team_member"]


def is_team_member(transport: Transport, team: str, user: str) -> bool:
    """Whether *user* is an active member of *team* (``org/slug``).

    A pending invitation is no membership, and an unknown team or user
    answers ``False``.
    """
    org, slash, slug = team.lstrip("@").partition("/")
    if not slash or not org or not slug:
        message = f"expected a team as org/slug, got {team!r}"
        raise ValueError(message)
    path = f"/orgs/{quoted(org)}/teams/{quoted(slug)}/memberships/{quoted(user)}"
    try:
        data = transport.get(path, conditional=True).data
    except GitHubNotFound:
        return False
    return isinstance(data, dict) and data.get("state") == "active"


class PeopleCalls(RepoCalls):
    def collaborator_permission(self, user: str) -> str:
        """*user*'s role on the repository: ``admin``, ``maintain``,
        ``write``, ``triage``, ``read`` or ``none``."""
        path = f"{self.path}/collaborators/{quoted(user)}/permission"
        try:
            data = self.transport.get(path, conditional=True).data
        except GitHubNotFound:
            return "none"
        return str(data.get("role_name") or data.get("permission") or "none")
