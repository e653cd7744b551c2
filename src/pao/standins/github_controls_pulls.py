"""Test controls for pull requests, reviews, comments and check-run re-runs.

Each acts as a named user and sends the webhooks GitHub sends for it.
Merging uses real git (``github_merge``) and pushes the base branch, so
the default branch's content and history come out as on GitHub.
"""

from __future__ import annotations

from typing import Any

from pao.standins.github_checks import check_run_json
from pao.standins.github_controls import RepoControls, UnknownName
from pao.standins.github_git import ZERO_SHA, MergeConflict
from pao.standins.github_http import ApiError
from pao.standins.github_issues import add_comment, check_comment_body
from pao.standins.github_merge import MergeMethod, merge_commits
from pao.standins.github_objects import gh_time, node_id
from pao.standins.github_pulls import open_pull
from pao.standins.github_state import CheckRun, Comment, Pull, Review, ReviewState

__all__ = ["PullControls"]


class PullControls(RepoControls):
    """What people do on pull requests."""

    def open_pull(
        self,
        full_name: str,
        *,
        head: str,
        user: str,
        title: str = "Change",
        body: str | None = "",
        base: str | None = None,
        draft: bool = False,
    ) -> Pull:
        """Open a pull request of branch *head* (``opened`` webhook)."""
        repo, author = self.repo(full_name), self._user(user)
        pull = open_pull(
            self.hub,
            repo,
            user=author.login,
            title=title,
            head=head,
            base=base or repo.default_branch,
            body=body,
            draft=draft,
        )
        with self.state.lock:
            self.events.pull_request("opened", pull, author.login)
        return pull

    def pull(self, full_name: str, number: int) -> Pull:
        with self.state.lock:
            pull = self.state.pull(self.repo(full_name), number)
        if pull is None:
            raise UnknownName(f"no pull request #{number} in {full_name}")
        return pull

    def edit_pull(
        self,
        full_name: str,
        number: int,
        *,
        user: str,
        title: str | None = None,
        body: str | None = None,
    ) -> Pull:
        """Change the title or body (``edited`` webhook with ``changes``)."""
        pull, actor = self.pull(full_name, number), self._user(user)
        with self.state.lock:
            changes: dict[str, dict[str, str | None]] = {}
            if title is not None and title != pull.title:
                changes["title"] = {"from": pull.title}
                pull.title = title
            if body is not None and body != pull.body:
                changes["body"] = {"from": pull.body}
                pull.body = body
            pull.updated_at = gh_time()
            self.events.pull_request("edited", pull, actor.login, changes=changes)
        return pull

    def mark_ready(self, full_name: str, number: int, *, user: str) -> Pull:
        """Take a draft out of draft (``ready_for_review`` webhook)."""
        pull, actor = self.pull(full_name, number), self._user(user)
        with self.state.lock:
            pull.draft = False
            pull.updated_at = gh_time()
            self.events.pull_request("ready_for_review", pull, actor.login)
        return pull

    def submit_review(
        self,
        full_name: str,
        number: int,
        *,
        user: str,
        state: ReviewState = "APPROVED",
        body: str = "",
    ) -> Review:
        """Review the current head (``pull_request_review`` ``submitted``)."""
        pull, reviewer = self.pull(full_name, number), self._user(user)
        if reviewer.login.lower() == pull.user.lower() and state != "COMMENTED":
            verb = "approve" if state == "APPROVED" else "request changes on"
            raise ApiError(f"Can not {verb} your own pull request", 422)
        with self.state.lock:
            review = Review(
                id=self.state.allocate_id(),
                user=reviewer.login,
                state=state,
                body=body,
                commit_id=pull.head_sha,
            )
            pull.reviews.append(review)
            # A review satisfies that reviewer's pending request, as on GitHub.
            pull.requested_users = [
                login
                for login in pull.requested_users
                if login.lower() != reviewer.login.lower()
            ]
            self.events.review_submitted(pull, review)
        return review

    # -- comments ----------------------------------------------------------------------

    def comment(self, full_name: str, number: int, body: str, *, user: str) -> Comment:
        """Comment on an issue or pull request (``issue_comment`` ``created``)."""
        repo, author = self.repo(full_name), self._user(user)
        text = check_comment_body(body)
        with self.state.lock:
            if (repo.key, number) not in self.state.issues:
                raise UnknownName(f"no issue or pull request #{number} in {full_name}")
            comment = add_comment(
                self.state, repo, number, user=author.login, body=text
            )
            self.events.issue_comment("created", comment, author.login)
        return comment

    def edit_comment(self, comment_id: int, body: str, *, user: str) -> Comment:
        actor, text = self._user(user), check_comment_body(body)
        with self.state.lock:
            comment = self.state.comments[comment_id]
            previous, comment.body = comment.body, text
            comment.updated_at = gh_time()
            changes = {"body": {"from": previous}}
            self.events.issue_comment("edited", comment, actor.login, changes=changes)
        return comment

    def delete_comment(self, comment_id: int, *, user: str) -> None:
        actor = self._user(user)
        with self.state.lock:
            comment = self.state.comments.pop(comment_id)
            self.events.issue_comment("deleted", comment, actor.login)

    # -- closing -----------------------------------------------------------------------

    def merge_pull(
        self,
        full_name: str,
        number: int,
        *,
        user: str,
        method: MergeMethod = "merge",
    ) -> str:
        """Merge with real git; returns ``merge_commit_sha`` (for a rebase,
        the last replayed commit). Sends ``push`` then ``closed``."""
        pull, merger = self.pull(full_name, number), self._user(user)
        if pull.state != "open" or pull.draft:
            reason = "is still a draft" if pull.draft else "is not mergeable"
            raise ApiError(f"Pull Request {reason}", 405)
        git = pull.repo.git
        base = git.resolve(f"refs/heads/{pull.base_ref}")
        assert base is not None
        title, body = self._merge_message(pull, method, base)
        try:
            tip = merge_commits(
                git,
                base=base,
                head=pull.head_sha,
                method=method,
                title=title,
                body=body,
                merger=merger.person,
                author=self._user(pull.user).person,
            )
        except MergeConflict as exc:
            raise ApiError("Merge conflict", 409) from exc
        git.push({f"refs/heads/{pull.base_ref}": tip}, pusher=merger.login)
        with self.state.lock:
            now = gh_time()
            pull.state, pull.closed_at, pull.updated_at = "closed", now, now
            pull.merged, pull.merged_at, pull.merged_by = True, now, merger.login
            pull.merge_commit_sha, pull.base_sha = tip, base
            self.pushes.absorb(pull.repo)
            self.events.pull_request("closed", pull, merger.login)
        return tip

    def _merge_message(
        self, pull: Pull, method: MergeMethod, base: str
    ) -> tuple[str, str]:
        if method == "merge":
            source = f"{pull.repo.owner}/{pull.head_ref}"
            return f"Merge pull request #{pull.number} from {source}", pull.title
        git = pull.repo.git
        commits = git.commits(f"{base}..{pull.head_sha}")
        body = "\n\n".join(f"* {commit.message}" for commit in reversed(commits))
        return f"{pull.title} (#{pull.number})", body

    def close_pull(self, full_name: str, number: int, *, user: str) -> Pull:
        """Close without merging (``closed`` with ``merged: false``)."""
        pull, actor = self.pull(full_name, number), self._user(user)
        with self.state.lock:
            now = gh_time()
            pull.state, pull.closed_at, pull.updated_at = "closed", now, now
            self.events.pull_request("closed", pull, actor.login)
        return pull

    def reopen_pull(self, full_name: str, number: int, *, user: str) -> Pull:
        pull, actor = self.pull(full_name, number), self._user(user)
        head = pull.repo.git.resolve(f"refs/heads/{pull.head_ref}")
        if pull.merged or head is None:
            raise ApiError("Validation Failed: state cannot be changed", 422)
        with self.state.lock:
            pull.state, pull.closed_at, pull.head_sha = "open", None, head
            pull.updated_at = gh_time()
            self.hub.refresh_base(pull)
            self.events.pull_request("reopened", pull, actor.login)
        return pull

    def rerequest_check_run(self, check_run_id: int, *, user: str) -> None:
        """A person clicks "Re-run" (``check_run`` ``rerequested``)."""
        actor = self._user(user)
        with self.state.lock:
            run = self.state.check_runs[check_run_id]
            shown = check_run_json(self.hub, run)
            shown["check_suite"] = self._check_suite(run, shown)
            self.events.check_run("rerequested", run, shown, actor.login)

    def _check_suite(self, run: CheckRun, shown: dict[str, Any]) -> dict[str, Any]:
        # Webhooks show the whole check suite where the REST API has its id.
        suite_id = shown["check_suite"]["id"]
        branch = next(
            (
                name.removeprefix("refs/heads/")
                for name, sha in run.repo.git.refs("refs/heads/").items()
                if sha == run.head_sha
            ),
            None,
        )
        parent = run.repo.git.commit(run.head_sha).parents
        return {
            "id": suite_id,
            "node_id": node_id("CheckSuite", suite_id),
            "head_branch": branch,
            "head_sha": run.head_sha,
            "status": run.status,
            "conclusion": run.conclusion,
            "url": f"{self.hub.site.api}/repos/{run.repo.full_name}"
            f"/check-suites/{suite_id}",
            "before": parent[0] if parent else ZERO_SHA,
            "after": run.head_sha,
            "pull_requests": shown["pull_requests"],
            "app": shown["app"],
            "created_at": run.started_at or gh_time(),
            "updated_at": run.completed_at or gh_time(),
        }
