"""Pull requests, issues, comments, reviews and reactions as GitHub shows them.

The same shapes serve the REST API and the webhook payloads; where a
webhook differs from REST (review states are lower-case in events), the
caller says so.
"""

from __future__ import annotations

from typing import Any

from pao.standins.github_objects import GitHubSite, node_id
from pao.standins.github_render import repo_json, team_json, user_ref
from pao.standins.github_state import (
    Comment,
    GithubState,
    Issue,
    Pull,
    Reaction,
    Review,
)

__all__ = [
    "REACTIONS",
    "comment_json",
    "issue_json",
    "pull_json",
    "reaction_json",
    "review_json",
]

REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")


def _href(url: str) -> dict[str, str]:
    return {"href": url}


def _rollup(url: str, reactions: list[Reaction]) -> dict[str, Any]:
    counts = dict.fromkeys(REACTIONS, 0)
    for reaction in reactions:
        counts[reaction.content] += 1
    return {"url": url, "total_count": len(reactions), **counts}


def _branch(
    site: GitHubSite, state: GithubState, pull: Pull, ref: str, sha: str
) -> dict[str, Any]:
    return {
        "label": f"{pull.repo.owner}:{ref}",
        "ref": ref,
        "sha": sha,
        "user": user_ref(site, state, pull.repo.owner),
        "repo": repo_json(site, state, pull.repo),
    }


def _pull_links(api: str, html: str, repo_api: str, pull: Pull) -> dict[str, Any]:
    return {
        "self": _href(api),
        "html": _href(html),
        "issue": _href(f"{repo_api}/issues/{pull.number}"),
        "comments": _href(f"{repo_api}/issues/{pull.number}/comments"),
        "review_comments": _href(f"{api}/comments"),
        "review_comment": _href(f"{repo_api}/pulls/comments{{/number}}"),
        "commits": _href(f"{api}/commits"),
        "statuses": _href(f"{repo_api}/statuses/{pull.head_sha}"),
    }


def pull_json(
    site: GitHubSite,
    state: GithubState,
    pull: Pull,
    *,
    stats: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A ``pull-request-simple``; with *stats* (commits, additions, deletions,
    changed_files, mergeable…), a full ``pull-request``."""
    repo_api = f"{site.api}/repos/{pull.repo.full_name}"
    api = f"{repo_api}/pulls/{pull.number}"
    html = f"{site.web}/{pull.repo.full_name}/pull/{pull.number}"
    body: dict[str, Any] = {
        "url": api,
        "id": pull.id,
        "node_id": node_id("PullRequest", pull.id),
        "html_url": html,
        "diff_url": f"{html}.diff",
        "patch_url": f"{html}.patch",
        "issue_url": f"{repo_api}/issues/{pull.number}",
        "number": pull.number,
        "state": pull.state,
        "locked": pull.locked,
        "title": pull.title,
        "user": user_ref(site, state, pull.user),
        "body": pull.body,
        "created_at": pull.created_at,
        "updated_at": pull.updated_at,
        "closed_at": pull.closed_at,
        "merged_at": pull.merged_at,
        "merge_commit_sha": pull.merge_commit_sha,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [
            user_ref(site, state, login) for login in pull.requested_users
        ],
        "requested_teams": [
            team_json(site, state, state.teams[(pull.repo.owner.lower(), slug)])
            for slug in pull.requested_teams
        ],
        "labels": [],
        "milestone": None,
        "draft": pull.draft,
        "commits_url": f"{api}/commits",
        "review_comments_url": f"{api}/comments",
        "review_comment_url": f"{repo_api}/pulls/comments{{/number}}",
        "comments_url": f"{repo_api}/issues/{pull.number}/comments",
        "statuses_url": f"{repo_api}/statuses/{pull.head_sha}",
        "head": _branch(site, state, pull, pull.head_ref, pull.head_sha),
        "base": _branch(site, state, pull, pull.base_ref, pull.base_sha),
        "_links": _pull_links(api, html, repo_api, pull),
        "author_association": state.association(pull.repo, pull.user),
        "auto_merge": None,
        "active_lock_reason": None,
    }
    if stats is not None:
        body |= {
            "merged": pull.merged,
            "merged_by": (
                user_ref(site, state, pull.merged_by) if pull.merged_by else None
            ),
            "comments": _comment_count(state, pull),
            "review_comments": 0,
            "maintainer_can_modify": False,
            **stats,
        }
    return body


def _comment_count(state: GithubState, issue: Issue) -> int:
    return sum(
        1
        for comment in state.comments.values()
        if comment.repo is issue.repo and comment.number == issue.number
    )


def issue_json(site: GitHubSite, state: GithubState, issue: Issue) -> dict[str, Any]:
    """An ``issue``; a pull request's issue carries ``pull_request`` links."""
    repo_api = f"{site.api}/repos/{issue.repo.full_name}"
    api = f"{repo_api}/issues/{issue.number}"
    kind = "pull" if isinstance(issue, Pull) else "issues"
    html = f"{site.web}/{issue.repo.full_name}/{kind}/{issue.number}"
    body: dict[str, Any] = {
        "url": api,
        "repository_url": repo_api,
        "labels_url": f"{api}/labels{{/name}}",
        "comments_url": f"{api}/comments",
        "events_url": f"{api}/events",
        "html_url": html,
        "id": issue.id,
        "node_id": node_id("Issue", issue.id),
        "number": issue.number,
        "title": issue.title,
        "user": user_ref(site, state, issue.user),
        "labels": [],
        "state": issue.state,
        "locked": issue.locked,
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "comments": _comment_count(state, issue),
        "created_at": issue.created_at,
        "updated_at": issue.updated_at,
        "closed_at": issue.closed_at,
        "author_association": state.association(issue.repo, issue.user),
        "active_lock_reason": None,
        "body": issue.body,
        "reactions": _rollup(f"{api}/reactions", []),
        "timeline_url": f"{api}/timeline",
        "performed_via_github_app": None,
        "state_reason": None,
    }
    if isinstance(issue, Pull):
        body["draft"] = issue.draft
        body["pull_request"] = {
            "url": f"{repo_api}/pulls/{issue.number}",
            "html_url": html,
            "diff_url": f"{html}.diff",
            "patch_url": f"{html}.patch",
            "merged_at": issue.merged_at,
        }
    return body


def comment_json(
    site: GitHubSite, state: GithubState, comment: Comment
) -> dict[str, Any]:
    """An ``issue-comment``."""
    repo_api = f"{site.api}/repos/{comment.repo.full_name}"
    api = f"{repo_api}/issues/comments/{comment.id}"
    issue = state.issues[(comment.repo.key, comment.number)]
    kind = "pull" if isinstance(issue, Pull) else "issues"
    html = f"{site.web}/{comment.repo.full_name}/{kind}/{comment.number}"
    return {
        "url": api,
        "html_url": f"{html}#issuecomment-{comment.id}",
        "issue_url": f"{repo_api}/issues/{comment.number}",
        "id": comment.id,
        "node_id": node_id("IssueComment", comment.id),
        "user": user_ref(site, state, comment.user),
        "created_at": comment.created_at,
        "updated_at": comment.updated_at,
        "author_association": state.association(comment.repo, comment.user),
        "body": comment.body,
        "reactions": _rollup(f"{api}/reactions", comment.reactions),
        "performed_via_github_app": None,
    }


def review_json(
    site: GitHubSite,
    state: GithubState,
    pull: Pull,
    review: Review,
    *,
    event: bool = False,
) -> dict[str, Any]:
    """A ``pull-request-review`` (in webhook events the state is lower-case)."""
    pull_api = f"{site.api}/repos/{pull.repo.full_name}/pulls/{pull.number}"
    html = (
        f"{site.web}/{pull.repo.full_name}/pull/{pull.number}"
        f"#pullrequestreview-{review.id}"
    )
    return {
        "id": review.id,
        "node_id": node_id("PullRequestReview", review.id),
        "user": user_ref(site, state, review.user),
        "body": review.body,
        "commit_id": review.commit_id,
        "submitted_at": review.submitted_at,
        "state": review.state.lower() if event else review.state,
        "html_url": html,
        "pull_request_url": pull_api,
        "author_association": state.association(pull.repo, review.user),
        "_links": {"html": _href(html), "pull_request": _href(pull_api)},
    }


def reaction_json(
    site: GitHubSite, state: GithubState, reaction: Reaction
) -> dict[str, Any]:
    """A ``reaction``."""
    return {
        "id": reaction.id,
        "node_id": node_id("Reaction", reaction.id),
        "user": user_ref(site, state, reaction.user),
        "content": reaction.content,
        "created_at": reaction.created_at,
    }
