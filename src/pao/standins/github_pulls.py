"""Pull-request endpoints of the GitHub stand-in.

List, open, show; commits and files from the real history (merge base to
head, as GitHub computes them); requested reviewers (users and teams) and
reviews. Opening a pull request and requesting reviewers send
``pull_request`` webhooks.
"""

from __future__ import annotations

from typing import Any

from starlette.routing import BaseRoute, Route

from pao.standins.github_events import EventBuilder
from pao.standins.github_http import ApiError, Call, Reply, endpoint, invalid, paginate
from pao.standins.github_hub import Hub
from pao.standins.github_render import team_json, user_ref
from pao.standins.github_render_git import diff_entry_json, rest_commit_json
from pao.standins.github_render_pulls import pull_json, review_json
from pao.standins.github_state import Pull, Repo

__all__ = ["PullEndpoints", "open_pull"]

# GitHub lists at most 250 commits and 3000 files of a pull request.
_MAX_COMMITS = 250
_MAX_FILES = 3000


def open_pull(
    hub: Hub,
    repo: Repo,
    *,
    user: str,
    title: str,
    head: str,
    base: str,
    body: str | None,
    draft: bool,
) -> Pull:
    """Open a pull request of *head* into *base* (GitHub's checks included)."""
    head_sha = repo.git.resolve(f"refs/heads/{head}")
    base_sha = repo.git.resolve(f"refs/heads/{base}")
    if head_sha is None:
        raise invalid("PullRequest", "head", "", code="invalid")
    if base_sha is None:
        raise invalid("PullRequest", "base", "", code="invalid")
    if repo.git.count(f"{base_sha}..{head_sha}") == 0:
        raise invalid("PullRequest", "", f"No commits between {base} and {head}")
    state = hub.state
    with state.lock:
        for other in state.pulls(repo):
            if other.state == "open" and (other.head_ref, other.base_ref) == (
                head,
                base,
            ):
                label = f"{repo.owner}:{head}"
                message = f"A pull request already exists for {label}."
                raise invalid("PullRequest", "", message)
        pull = Pull(
            repo=repo,
            number=repo.next_number,
            id=state.allocate_id(),
            user=user,
            title=title,
            body=body,
            head_ref=head,
            head_sha=head_sha,
            base_ref=base,
            base_sha=base_sha,
            draft=draft,
        )
        repo.next_number += 1
        state.issues[(repo.key, pull.number)] = pull
    return pull


class PullEndpoints:
    """Routes under ``/repos/{owner}/{repo}/pulls``."""

    def __init__(self, hub: Hub, events: EventBuilder) -> None:
        self.hub = hub
        self.events = events

    def routes(self) -> list[BaseRoute]:
        pulls = "/repos/{owner}/{repo}/pulls"
        one = f"{pulls}/{{pull_number}}"
        return [
            Route(pulls, endpoint(self.list), methods=["GET"]),
            Route(pulls, endpoint(self.create), methods=["POST"]),
            Route(one, endpoint(self.show), methods=["GET"]),
            Route(f"{one}/commits", endpoint(self.commits)),
            Route(f"{one}/files", endpoint(self.files)),
            Route(
                f"{one}/requested_reviewers",
                endpoint(self.requested),
                methods=["GET", "POST"],
            ),
            Route(f"{one}/reviews", endpoint(self.reviews), methods=["GET"]),
        ]

    def _pull(self, call: Call) -> Pull:
        with self.hub.state.lock:
            pull = self.hub.pull(call, self.hub.repo(call))
            self.hub.refresh_base(pull)
            return pull

    def list(self, call: Call) -> Reply:
        query = call.query
        wanted = query.get("state", "open")
        if wanted not in ("open", "closed", "all"):
            raise invalid("PullRequest", "state", "", code="invalid")
        site, state = self.hub.site, self.hub.state
        with state.lock:
            repo = self.hub.repo(call)
            pulls = [
                pull
                for pull in state.pulls(repo)
                if wanted in ("all", pull.state)
                and query.get("base") in (None, pull.base_ref)
                and query.get("head") in (None, f"{repo.owner}:{pull.head_ref}")
            ]
            key = "updated_at" if query.get("sort") == "updated" else "created_at"
            newest_first = query.get("direction", "desc") == "desc"
            pulls.sort(key=lambda p: (getattr(p, key), p.number), reverse=newest_first)
            for pull in pulls:
                self.hub.refresh_base(pull)
            items = [pull_json(site, state, pull) for pull in pulls]
        return paginate(call, items)

    def create(self, call: Call) -> Reply:
        body = call.json()
        with self.hub.state.lock:
            repo = self.hub.repo(call)
            actor = self.hub.actor(call)
        for name in ("head", "base", "title"):
            if not isinstance(body.get(name), str):
                raise invalid("PullRequest", name, "", code="missing_field")
        head = body["head"]
        if ":" in head:
            owner, _, head = head.partition(":")
            if owner.lower() != repo.owner.lower():
                raise invalid("PullRequest", "head", "", code="invalid")
        pull = open_pull(
            self.hub,
            repo,
            user=actor.login,
            title=body["title"],
            head=head,
            base=body["base"],
            body=body.get("body"),
            draft=bool(body.get("draft", False)),
        )
        with self.hub.state.lock:
            self.events.pull_request("opened", pull, actor.login)
            return Reply(self.hub.pull_json(pull), status=201)

    def show(self, call: Call) -> Reply:
        pull = self._pull(call)
        with self.hub.state.lock:
            return Reply(self.hub.pull_json(pull))

    def commits(self, call: Call) -> Reply:
        pull = self._pull(call)
        repo, git = pull.repo, pull.repo.git
        base = git.merge_base(pull.base_sha, pull.head_sha) or pull.base_sha
        found = git.commits(f"{base}..{pull.head_sha}", limit=_MAX_COMMITS)
        items = [
            rest_commit_json(self.hub.site, self.hub.state, repo, commit)
            for commit in reversed(found)
        ]
        return paginate(call, items)

    def files(self, call: Call) -> Reply:
        pull = self._pull(call)
        git = pull.repo.git
        base = git.merge_base(pull.base_sha, pull.head_sha) or pull.base_sha
        changes = git.diff(base, pull.head_sha)[:_MAX_FILES]
        items = [
            diff_entry_json(self.hub.site, pull.repo, change, pull.head_sha)
            for change in changes
        ]
        return paginate(call, items)

    # -- reviewers and reviews --------------------------------------------------------

    def requested(self, call: Call) -> Reply:
        pull = self._pull(call)
        site, state = self.hub.site, self.hub.state
        if call.request.method == "POST":
            return self._request_reviews(call, pull)
        with state.lock:
            return Reply(
                {
                    "users": [user_ref(site, state, u) for u in pull.requested_users],
                    "teams": [
                        team_json(
                            site, state, state.teams[(pull.repo.owner.lower(), t)]
                        )
                        for t in pull.requested_teams
                    ],
                }
            )

    def _request_reviews(self, call: Call, pull: Pull) -> Reply:
        body = call.json()
        users, teams = body.get("reviewers", []), body.get("team_reviewers", [])
        if not isinstance(users, list) or not isinstance(teams, list):
            raise invalid("PullRequest", "reviewers", "", code="invalid")
        state = self.hub.state
        with state.lock:
            actor = self.hub.actor(call)
            logins = [self._reviewer(pull, str(login)) for login in users]
            slugs = [self._team(pull, str(slug)) for slug in teams]
            added: list[tuple[str, dict[str, Any]]] = []
            for login in logins:
                if login not in pull.requested_users:
                    pull.requested_users.append(login)
                    added.append(("user", user_ref(self.hub.site, state, login)))
            for slug in slugs:
                if slug not in pull.requested_teams:
                    pull.requested_teams.append(slug)
                    team = state.teams[(pull.repo.owner.lower(), slug)]
                    added.append(("team", team_json(self.hub.site, state, team)))
            for kind, who in added:
                key = "requested_reviewer" if kind == "user" else "requested_team"
                self.events.pull_request(
                    "review_requested", pull, actor.login, **{key: who}
                )
            return Reply(pull_json(self.hub.site, state, pull), status=201)

    def _reviewer(self, pull: Pull, login: str) -> str:
        state = self.hub.state
        user = state.user(login)
        if user is not None and user.login.lower() == pull.user.lower():
            message = "Review cannot be requested from pull request author."
            raise ApiError(message, 422, bare=True)
        if user is None or state.permission(pull.repo, user.login) == "none":
            message = _NOT_COLLABORATOR.format(repo=pull.repo.full_name)
            raise ApiError(message, 422, bare=True)
        return user.login

    def _team(self, pull: Pull, slug: str) -> str:
        slug = slug.rsplit("/", 1)[-1].lower()
        if (pull.repo.owner.lower(), slug) not in self.hub.state.teams:
            message = _NOT_COLLABORATOR.format(repo=pull.repo.full_name)
            raise ApiError(message, 422, bare=True)
        return slug

    def reviews(self, call: Call) -> Reply:
        pull = self._pull(call)
        with self.hub.state.lock:
            items = [
                review_json(self.hub.site, self.hub.state, pull, review)
                for review in pull.reviews
            ]
        return paginate(call, items)


# GitHub documents this 422 without a body; the message is kept for
# whoever reads the stand-in's code.
_NOT_COLLABORATOR = (
    "Reviews may only be requested from collaborators. One or more of the users "
    "or teams you specified is not a collaborator of the {repo} repository."
)
