"""Pull requests: read one, its files and reviews; ask for reviews; open one."""

from __future__ import annotations

from collections.abc import Iterable

from pao.forge.github._base import RepoCalls
from pao.forge.github.models import PullFile, PullRequest, Review

__all__ = ["PullCalls", "team_slug"]


def team_slug(team: str) -> str:
    """``acme/dba`` or ``@acme/dba`` → ``dba``, as review requests name teams."""
    return team.lstrip("@").rpartition("/")[2]


class PullCalls(RepoCalls):
    def get_pull(self, number: int) -> PullRequest:
        """The pull request *number*: head, base, author, draft and merge state."""
        data = self.transport.get(f"{self.path}/pulls/{number}", conditional=True).data
        return PullRequest.from_api(data)

    def list_pull_files(self, number: int) -> list[PullFile]:
        """Every file the pull request changes (GitHub lists at most 3000)."""
        items = self.transport.paginate(
            f"{self.path}/pulls/{number}/files", conditional=True
        )
        return [PullFile.from_api(item) for item in items]

    def list_reviews(self, number: int) -> list[Review]:
        """The reviews in the order they were submitted, oldest first."""
        items = self.transport.paginate(
            f"{self.path}/pulls/{number}/reviews", conditional=True
        )
        return [Review.from_api(item) for item in items]

    def request_reviewers(
        self,
        number: int,
        *,
        teams: Iterable[str] = (),
        users: Iterable[str] = (),
    ) -> None:
        """Ask *teams* (``org/slug``) and *users* to review; asking again is
        harmless. A team without access to the repository is refused with
        :class:`~pao.forge.github.errors.GitHubValidation`."""
        body = {
            "team_reviewers": sorted({team_slug(team) for team in teams}),
            "reviewers": sorted({user.lstrip("@") for user in users}),
        }
        if body["team_reviewers"] or body["reviewers"]:
            path = f"{self.path}/pulls/{number}/requested_reviewers"
            self.transport.request("POST", path, body=body)

    def find_open_pull(self, *, head_branch: str) -> PullRequest | None:
        """The open pull request from *head_branch* of this repository."""
        params = {"state": "open", "head": f"{self.name.owner}:{head_branch}"}
        for item in self.transport.paginate(f"{self.path}/pulls", params=params):
            return PullRequest.from_api(item)
        return None

    def list_open_pulls(self) -> list[PullRequest]:
        """Every open pull request of the repository."""
        items = self.transport.paginate(f"{self.path}/pulls", params={"state": "open"})
        return [PullRequest.from_api(item) for item in items]

    def open_pull(self, *, head: str, base: str, title: str, body: str) -> PullRequest:
        """Open a pull request from branch *head* into *base*."""
        payload = {"title": title, "head": head, "base": base, "body": body}
        data = self.transport.request("POST", f"{self.path}/pulls", body=payload).data
        return PullRequest.from_api(data)
