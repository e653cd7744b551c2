"""Accounts, teams, repositories and the app, as GitHub's REST API shows them."""

from __future__ import annotations

from typing import Any

from pao.standins.github_objects import (
    GitHubSite,
    fake_sha,
    node_id,
    repository_json,
    user_json,
)
from pao.standins.github_state import (
    App,
    GithubState,
    Installation,
    Org,
    Repo,
    Team,
    User,
)

__all__ = [
    "app_json",
    "installation_json",
    "org_json",
    "person_json",
    "repo_json",
    "team_json",
    "user_profile_json",
    "user_ref",
]

_APP_EVENTS = [
    "check_run",
    "issue_comment",
    "pull_request",
    "pull_request_review",
    "push",
    "workflow_run",
]
_APP_PERMISSIONS = {
    "checks": "write",
    "contents": "write",
    "issues": "write",
    "members": "read",
    "metadata": "read",
    "pull_requests": "write",
    "statuses": "write",
    "actions": "write",
}


def user_ref(site: GitHubSite, state: GithubState, login: str) -> dict[str, Any]:
    """A ``simple-user`` for *login* (an unknown login gets a stable id)."""
    user = state.user(login)
    if user is not None:
        return user_json(site, user.login, user.id, user.type)
    org = state.orgs.get(login.lower())
    if org is not None:
        return user_json(site, org.login, org.id, "Organization")
    number = int(fake_sha("user", login.lower())[:7], 16)
    return user_json(site, login, number, "User")


def person_json(user: User) -> dict[str, str]:
    return {"name": user.name, "email": user.email}


def user_profile_json(
    site: GitHubSite, user: User, *, private: bool = False
) -> dict[str, Any]:
    """A ``public-user`` (or, for ``/user``, a ``private-user``)."""
    profile = user_json(site, user.login, user.id, user.type) | {
        "name": user.name,
        "company": None,
        "blog": "",
        "location": None,
        "email": user.email,
        "hireable": None,
        "bio": None,
        "twitter_username": None,
        "public_repos": 0,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "created_at": user.created_at,
        "updated_at": user.created_at,
        "user_view_type": "private" if private else "public",
    }
    if private:
        profile |= {
            "private_gists": 0,
            "total_private_repos": 0,
            "owned_private_repos": 0,
            "disk_usage": 0,
            "collaborators": 0,
            "two_factor_authentication": True,
        }
    return profile


def org_json(site: GitHubSite, org: Org) -> dict[str, Any]:
    """An ``organization-full``."""
    api = f"{site.api}/orgs/{org.login}"
    return {
        "login": org.login,
        "id": org.id,
        "node_id": node_id("Organization", org.id),
        "url": api,
        "repos_url": f"{api}/repos",
        "events_url": f"{api}/events",
        "hooks_url": f"{api}/hooks",
        "issues_url": f"{api}/issues",
        "members_url": f"{api}/members{{/member}}",
        "public_members_url": f"{api}/public_members{{/member}}",
        "avatar_url": f"{site.web}/avatars/u/{org.id}?v=4",
        "description": org.description,
        "html_url": f"{site.web}/{org.login}",
        "name": org.login,
        "has_organization_projects": True,
        "has_repository_projects": True,
        "public_repos": 0,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "type": "Organization",
        "created_at": org.created_at,
        "updated_at": org.created_at,
        "archived_at": None,
    }


def team_json(
    site: GitHubSite, state: GithubState, team: Team, *, full: bool = False
) -> dict[str, Any]:
    """A ``team`` (with *full*, a ``team-full``)."""
    api = f"{site.api}/orgs/{team.org}/teams/{team.slug}"
    body: dict[str, Any] = {
        "id": team.id,
        "node_id": node_id("Team", team.id),
        "url": api,
        "html_url": f"{site.web}/orgs/{team.org}/teams/{team.slug}",
        "name": team.name,
        "slug": team.slug,
        "description": team.description,
        "privacy": "closed",
        "notification_setting": "notifications_enabled",
        "permission": "pull",
        "members_url": f"{api}/members{{/member}}",
        "repositories_url": f"{api}/repos",
        "type": "organization",
        "parent": None,
    }
    if full:
        org = state.orgs[team.org.lower()]
        del body["parent"]
        body |= {
            "members_count": len(team.members | team.maintainers),
            "repos_count": 0,
            "created_at": team.created_at,
            "updated_at": team.created_at,
            "organization": org_json(site, org),
        }
    return body


def repo_json(
    site: GitHubSite, state: GithubState, repo: Repo, *, full: bool = False
) -> dict[str, Any]:
    """A ``repository`` (with *full*, a ``full-repository``)."""
    owner = user_ref(site, state, repo.owner)
    body = repository_json(
        site,
        owner=owner,
        name=repo.name,
        number=repo.id,
        default_branch=repo.default_branch,
    )
    body |= {
        "clone_url": repo.git.url,
        "created_at": repo.created_at,
        "updated_at": repo.pushed_at,
        "pushed_at": repo.pushed_at,
        "has_discussions": False,
        "allow_forking": True,
    }
    if full:
        body |= {"network_count": 0, "subscribers_count": 0}
        if repo.owner_is_org:
            body["organization"] = owner
    return body


def app_json(site: GitHubSite, state: GithubState, app: App) -> dict[str, Any]:
    """An ``integration``."""
    return {
        "id": app.id,
        "slug": app.slug,
        "client_id": f"Iv1.{app.id:016x}",
        "node_id": node_id("Integration", app.id),
        "owner": user_ref(site, state, app.owner),
        "name": app.name,
        "description": None,
        "external_url": f"{site.web}/apps/{app.slug}",
        "html_url": f"{site.web}/apps/{app.slug}",
        "created_at": "2024-01-02T03:04:05Z",
        "updated_at": "2024-01-02T03:04:05Z",
        "permissions": dict(_APP_PERMISSIONS),
        "events": list(_APP_EVENTS),
        "installations_count": len(state.installations),
    }


def installation_json(
    site: GitHubSite, state: GithubState, app: App, installation: Installation
) -> dict[str, Any]:
    """An ``installation`` of the app on an account."""
    account = user_ref(site, state, installation.account)
    api = f"{site.api}/app/installations/{installation.id}"
    return {
        "id": installation.id,
        "account": account,
        "repository_selection": "all",
        "access_tokens_url": f"{api}/access_tokens",
        "repositories_url": f"{site.api}/installation/repositories",
        "html_url": f"{site.web}/settings/installations/{installation.id}",
        "app_id": app.id,
        "app_slug": app.slug,
        "target_id": account["id"],
        "target_type": account["type"],
        "permissions": dict(_APP_PERMISSIONS),
        "events": list(_APP_EVENTS),
        "created_at": installation.created_at,
        "updated_at": installation.created_at,
        "single_file_name": None,
        "has_multiple_single_files": False,
        "single_file_paths": [],
        "suspended_by": None,
        "suspended_at": None,
    }


def installation_ref(installation: Installation) -> dict[str, Any]:
    """The ``installation`` object of a webhook payload."""
    return {
        "id": installation.id,
        "node_id": node_id("IntegrationInstallation", installation.id),
    }
