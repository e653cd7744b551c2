"""Test controls of the GitHub stand-in: set up the world, then act in it.

Accounts and repositories first (``add_user``, ``add_org``, ``add_team``,
``add_repo``, ``add_token``, ``install_app``); then what people do on
GitHub, each sending the webhooks GitHub would: pushes through git, and
(in ``github_controls_pulls``) pull requests, reviews and comments.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import TypeAlias

from pao.standins.github_actions import GithubActionsStandin
from pao.standins.github_events import EventBuilder
from pao.standins.github_gate import RateLimits
from pao.standins.github_git import BareRepo
from pao.standins.github_hub import Hub
from pao.standins.github_pushes import PushAbsorber
from pao.standins.github_state import (
    App,
    GithubState,
    Installation,
    Org,
    Permission,
    Repo,
    Team,
    User,
)

__all__ = ["FileChanges", "RepoControls"]

# Path -> new content (text or bytes), or None to delete the file.
FileChanges: TypeAlias = Mapping[str, str | bytes | None]


class UnknownName(LookupError):
    """A control named a user, organization or repository that does not exist."""


def _encode(files: FileChanges) -> dict[str, bytes | None]:
    return {
        path: content.encode() if isinstance(content, str) else content
        for path, content in files.items()
    }


def noreply_email(user_id: int, login: str) -> str:
    return f"{user_id}+{login}@users.noreply.github.com"


class RepoControls:
    """Accounts, repositories, tokens and pushes."""

    root: Path
    state: GithubState
    hub: Hub
    events: EventBuilder
    pushes: PushAbsorber
    limits: RateLimits
    github_app: App
    actions: GithubActionsStandin

    # -- accounts ------------------------------------------------------------------

    def add_user(
        self,
        login: str,
        *,
        name: str | None = None,
        email: str | None = None,
        bot: bool = False,
    ) -> User:
        """A user (a bot's login ends in ``[bot]``, as GitHub's do)."""
        if bot and not login.endswith("[bot]"):
            login = f"{login}[bot]"
        with self.state.lock:
            existing = self.state.user(login)
            if existing is not None:
                return existing
            number = self.state.allocate_id()
            user = User(
                login=login,
                id=number,
                name=name or login,
                email=email or noreply_email(number, login),
                type="Bot" if bot else "User",
            )
            self.state.users[login.lower()] = user
        return user

    def add_org(
        self,
        login: str,
        *,
        members: Iterable[str] = (),
        admins: Iterable[str] = (),
    ) -> Org:
        """An organization; members and admins are created as users."""
        with self.state.lock:
            org = self.state.orgs.get(login.lower())
            if org is None:
                org = Org(login=login, id=self.state.allocate_id())
                self.state.orgs[login.lower()] = org
            for role, logins in (("member", members), ("admin", admins)):
                for member in logins:
                    self.add_user(member)
                    org.members[member.lower()] = role
        return org

    def add_team(
        self,
        org: str,
        slug: str,
        *,
        name: str | None = None,
        members: Iterable[str] = (),
        maintainers: Iterable[str] = (),
    ) -> Team:
        """A team of *org*; its people become organization members."""
        members, maintainers = list(members), list(maintainers)
        found = self.add_org(org, members=[*members, *maintainers])
        with self.state.lock:
            key = (found.login.lower(), slug.lower())
            team = self.state.teams.get(key)
            if team is None:
                team = Team(
                    id=self.state.allocate_id(),
                    org=found.login,
                    slug=slug.lower(),
                    name=name or slug,
                )
                self.state.teams[key] = team
            team.members |= {login.lower() for login in members}
            team.maintainers |= {login.lower() for login in maintainers}
        return team

    def add_token(self, token: str, login: str) -> None:
        """Accept *token* as a personal access token of *login*."""
        self.add_user(login)
        with self.state.lock:
            self.state.tokens[token] = login

    def install_app(self, account: str) -> Installation:
        """Install the app on an organization or user account."""
        with self.state.lock:
            existing = self.state.installation_for(account)
            if existing is not None:
                return existing
            installation = Installation(id=self.state.allocate_id(), account=account)
            self.state.installations[installation.id] = installation
        return installation

    # -- repositories ----------------------------------------------------------------

    def add_repo(
        self,
        full_name: str,
        *,
        files: FileChanges | None = None,
        default_branch: str = "main",
        user: str | None = None,
        collaborators: Mapping[str, Permission] | None = None,
    ) -> Repo:
        """A repository backed by a new bare repository, with one commit of
        *files* (a README when none are given) by *user* (default: owner)."""
        owner, name = full_name.split("/", 1)
        is_org = owner.lower() in self.state.orgs
        if not is_org:
            self.add_user(owner)
        author = self._user(
            user or (owner if not is_org else self.github_app.bot_login)
        )
        path = self.root / owner.lower() / f"{name.lower()}.git"
        git = BareRepo.create(path, default_branch=default_branch)
        with self.state.lock:
            repo = Repo(
                id=self.state.allocate_id(),
                owner=owner,
                name=name,
                git=git,
                default_branch=default_branch,
                owner_is_org=is_org,
            )
            for login, permission in (collaborators or {}).items():
                self.add_user(login)
                repo.collaborators[login.lower()] = permission
            self.state.repos[repo.key] = repo
        gh = self.actions.add_repo(full_name, branches=(default_branch,))
        gh.id, gh.owner_type = repo.id, "Organization" if is_org else "User"
        initial = files or {"README.md": f"# {name}\n"}
        self.push(
            full_name,
            default_branch,
            initial,
            user=author.login,
            message="Initial commit",
        )
        return repo

    def add_collaborator(
        self, full_name: str, login: str, permission: Permission = "write"
    ) -> None:
        self.add_user(login)
        with self.state.lock:
            self.repo(full_name).collaborators[login.lower()] = permission

    def repo(self, full_name: str) -> Repo:
        owner, _, name = full_name.partition("/")
        with self.state.lock:
            repo = self.state.repo(owner, name)
        if repo is None:
            raise UnknownName(f"no repository {full_name!r} in the GitHub stand-in")
        return repo

    def clone_url(self, full_name: str) -> str:
        """The ``file://`` URL to clone, fetch and push *full_name*."""
        return self.repo(full_name).git.url

    def _user(self, login: str) -> User:
        with self.state.lock:
            user = self.state.user(login)
        if user is None:
            raise UnknownName(f"no user {login!r} in the GitHub stand-in")
        return user

    # -- pushes ----------------------------------------------------------------------

    def push(
        self,
        full_name: str,
        branch: str,
        files: FileChanges | Sequence[FileChanges],
        *,
        user: str,
        message: str = "Update files",
        from_ref: str | None = None,
    ) -> str:
        """Commit *files* as *user* on *branch* and push; several mappings
        make several commits in one push. A new branch starts at
        *from_ref* (default: the default branch). Returns the new tip."""
        repo, author = self.repo(full_name), self._user(user)
        changes = [files] if isinstance(files, Mapping) else list(files)
        parent = repo.git.resolve(f"refs/heads/{branch}")
        if parent is None and from_ref is not None:
            parent = repo.git.resolve(from_ref)
        elif parent is None:
            parent = repo.git.resolve(f"refs/heads/{repo.default_branch}")
        for index, change in enumerate(changes):
            text = message if len(changes) == 1 else f"{message} ({index + 1})"
            parent = repo.git.write_commit(
                parent=parent, files=_encode(change), message=text, author=author.person
            )
        assert parent is not None
        self._move(repo, {f"refs/heads/{branch}": parent}, author)
        return parent

    def force_push(
        self,
        full_name: str,
        branch: str,
        files: FileChanges,
        *,
        user: str,
        onto: str | None = None,
        message: str = "Rewrite history",
    ) -> str:
        """Replace *branch* by one new commit on *onto* (default: the
        default branch's tip), dropping the branch's own commits."""
        repo, author = self.repo(full_name), self._user(user)
        start = repo.git.resolve(onto or f"refs/heads/{repo.default_branch}")
        sha = repo.git.write_commit(
            parent=start, files=_encode(files), message=message, author=author.person
        )
        self._move(repo, {f"refs/heads/{branch}": sha}, author)
        return sha

    def delete_branch(self, full_name: str, branch: str, *, user: str) -> None:
        repo, author = self.repo(full_name), self._user(user)
        self._move(repo, {f"refs/heads/{branch}": None}, author)

    def push_tag(
        self, full_name: str, tag: str, *, user: str, at: str | None = None
    ) -> str:
        """Push a lightweight tag at *at* (default: the default branch)."""
        repo, author = self.repo(full_name), self._user(user)
        sha = repo.git.resolve(at or f"refs/heads/{repo.default_branch}")
        assert sha is not None
        self._move(repo, {f"refs/tags/{tag}": sha}, author)
        return sha

    def _move(
        self, repo: Repo, updates: Mapping[str, str | None], author: User
    ) -> None:
        repo.git.push(updates, pusher=author.login)
        self.pushes.absorb(repo)
