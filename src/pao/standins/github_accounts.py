"""Users, organizations, teams, the app and rate limits of the GitHub stand-in.

``/user`` and ``/users/{username}``; organization membership; teams, their
members and memberships (``GET .../memberships/{username}`` answers 200
``active`` or 404, which is how a caller checks team membership); the
app (``/app``), its installation on a repository's owner and installation
tokens (app JWT required); ``/rate_limit``, which costs nothing.
"""

from __future__ import annotations

import time

from starlette.routing import BaseRoute, Route

from pao.standins.github_auth import issue_installation_token
from pao.standins.github_gate import RateLimits
from pao.standins.github_http import (
    ApiError,
    Call,
    Reply,
    endpoint,
    not_found,
    paginate,
)
from pao.standins.github_hub import Hub
from pao.standins.github_objects import gh_time
from pao.standins.github_render import (
    app_json,
    installation_json,
    org_json,
    team_json,
    user_profile_json,
    user_ref,
)
from pao.standins.github_state import Org, Team

__all__ = ["AccountEndpoints"]

# What GitHub grants callers without credentials, per hour.
_ANONYMOUS_LIMIT = 60


class AccountEndpoints:
    """Routes about who is who."""

    def __init__(self, hub: Hub, limits: RateLimits) -> None:
        self.hub = hub
        self.limits = limits

    def routes(self) -> list[BaseRoute]:
        team = "/orgs/{org}/teams/{team_slug}"
        return [
            Route("/user", endpoint(self.me)),
            Route("/users/{username}", endpoint(self.user)),
            Route("/orgs/{org}", endpoint(self.org)),
            Route("/orgs/{org}/members/{username}", endpoint(self.org_member)),
            Route(team, endpoint(self.team)),
            Route(f"{team}/members", endpoint(self.team_members)),
            Route(f"{team}/memberships/{{username}}", endpoint(self.membership)),
            Route("/app", endpoint(self.app)),
            Route(
                "/app/installations/{installation_id}/access_tokens",
                endpoint(self.access_token),
                methods=["POST"],
            ),
            Route("/repos/{owner}/{repo}/installation", endpoint(self.installation)),
            Route("/rate_limit", endpoint(self.rate_limit)),
        ]

    def me(self, call: Call) -> Reply:
        if call.principal.kind != "user":
            raise ApiError("Resource not accessible by integration", 403)
        with self.hub.state.lock:
            user = self.hub.actor(call)
            return Reply(user_profile_json(self.hub.site, user, private=True))

    def user(self, call: Call) -> Reply:
        with self.hub.state.lock:
            user = self.hub.state.user(call.params["username"])
            if user is None:
                raise not_found()
            return Reply(user_profile_json(self.hub.site, user))

    def _org(self, call: Call) -> Org:
        org = self.hub.state.orgs.get(call.params["org"].lower())
        if org is None:
            raise not_found()
        return org

    def org(self, call: Call) -> Reply:
        with self.hub.state.lock:
            return Reply(org_json(self.hub.site, self._org(call)))

    def org_member(self, call: Call) -> Reply:
        with self.hub.state.lock:
            org = self._org(call)
            if call.params["username"].lower() not in org.members:
                raise ApiError("Not Found", 404, bare=True)
        return Reply(status=204)

    def _team(self, call: Call) -> Team:
        key = (call.params["org"].lower(), call.params["team_slug"].lower())
        team = self.hub.state.teams.get(key)
        if team is None:
            raise not_found()
        return team

    def team(self, call: Call) -> Reply:
        with self.hub.state.lock:
            team = self._team(call)
            return Reply(team_json(self.hub.site, self.hub.state, team, full=True))

    def team_members(self, call: Call) -> Reply:
        role = call.query.get("role", "all")
        with self.hub.state.lock:
            team = self._team(call)
            chosen = {
                "all": team.members | team.maintainers,
                "member": team.members - team.maintainers,
                "maintainer": team.maintainers,
            }.get(role)
            if chosen is None:
                raise ApiError("Invalid role", 422)
            items = [user_ref(self.hub.site, self.hub.state, m) for m in sorted(chosen)]
        return paginate(call, items)

    def membership(self, call: Call) -> Reply:
        login = call.params["username"]
        with self.hub.state.lock:
            team = self._team(call)
            role = team.role(login.lower())
        if role is None:
            raise ApiError("Not Found", 404, bare=True)
        org_id = self.hub.state.orgs[team.org.lower()].id
        api = f"{self.hub.site.api}/organizations/{org_id}/team/{team.id}"
        url = f"{api}/memberships/{login}"
        return Reply({"url": url, "role": role, "state": "active"})

    # -- the app ---------------------------------------------------------------------

    def app(self, call: Call) -> Reply:
        with self.hub.state.lock:
            return Reply(app_json(self.hub.site, self.hub.state, self.hub.app))

    def access_token(self, call: Call) -> Reply:
        state = self.hub.state
        installation = state.installations.get(call.number("installation_id"))
        if installation is None:
            raise not_found()
        body = call.json()
        token, expires_at = issue_installation_token(state, installation.id)
        with state.lock:
            permissions = installation_json(
                self.hub.site, state, self.hub.app, installation
            )["permissions"]
        return Reply(
            {
                "token": token,
                "expires_at": gh_time(expires_at),
                "permissions": body.get("permissions") or permissions,
                "repository_selection": "all",
            },
            status=201,
        )

    def installation(self, call: Call) -> Reply:
        state = self.hub.state
        with state.lock:
            repo = self.hub.repo(call)
            installation = state.installation_for(repo.owner)
            if installation is None:
                raise not_found()
            return Reply(
                installation_json(self.hub.site, state, self.hub.app, installation)
            )

    # -- rate limit --------------------------------------------------------------------

    def rate_limit(self, call: Call) -> Reply:
        if call.principal.kind == "anonymous":
            reset = int(time.time()) + 3600
            core = {
                "limit": _ANONYMOUS_LIMIT,
                "used": 0,
                "remaining": _ANONYMOUS_LIMIT,
                "reset": reset,
            }
        else:
            bucket = self.limits.bucket(call.principal.bucket)
            core = {
                "limit": bucket.limit,
                "used": bucket.used,
                "remaining": bucket.remaining,
                "reset": bucket.reset,
            }
        search = {"limit": 30, "used": 0, "remaining": 30, "reset": core["reset"]}
        graphql = {"limit": 5000, "used": 0, "remaining": 5000, "reset": core["reset"]}
        return Reply(
            {
                "resources": {"core": core, "search": search, "graphql": graphql},
                "rate": core,
            }
        )
