"""Merging a pull request with real git, the way GitHub's three buttons do.

``merge`` makes a merge commit with both tips as parents; ``squash`` makes
one commit on the base with the pull request's combined change, authored
by the pull request's author; ``rebase`` replays each commit of the pull
request onto the base, keeping authors and giving them a new committer.
GitHub commits as ``GitHub <noreply@github.com>``; so does this.
"""

from __future__ import annotations

from typing import Literal

from pao.standins.github_git import BareRepo, MergeConflict, Person

__all__ = ["WEB_FLOW", "MergeMethod", "merge_commits"]

MergeMethod = Literal["merge", "squash", "rebase"]
WEB_FLOW = Person("GitHub", "noreply@github.com")


def merge_commits(
    git: BareRepo,
    *,
    base: str,
    head: str,
    method: MergeMethod,
    title: str,
    body: str,
    merger: Person,
    author: Person,
) -> str:
    """The new tip of the base branch after merging *head* into *base*.

    Nothing is pushed: the caller moves the branch. Raises
    ``MergeConflict`` when the two do not merge cleanly.
    """
    if method == "rebase":
        return _rebase(git, base=base, head=head)
    tree = git.run("merge-tree", "--write-tree", base, head).split("\n", 1)[0]
    message = f"{title}\n\n{body}".rstrip("\n") + "\n"
    if method == "merge":
        return git.commit_tree(
            tree,
            parents=[base, head],
            message=message,
            author=merger,
            committer=WEB_FLOW,
        )
    return git.commit_tree(
        tree, parents=[base], message=message, author=author, committer=WEB_FLOW
    )


def _rebase(git: BareRepo, *, base: str, head: str) -> str:
    merge_base = git.merge_base(base, head)
    if merge_base is None:
        raise MergeConflict("the branches share no history")
    with git.scratch(head) as work:
        # --force-rebase: GitHub rewrites every commit, even when the base
        # has not moved, so each gets the new committer.
        git.run(
            "rebase",
            "--quiet",
            "--force-rebase",
            "--onto",
            base,
            merge_base,
            cwd=work,
            env=WEB_FLOW.env("COMMITTER"),
        )
        tip = git.run("rev-parse", "HEAD", cwd=work).strip()
        # Bring the new commits into the bare repository without moving a
        # ref there: the caller pushes the base branch.
        git.run("fetch", "--quiet", str(work), "HEAD")
    return tip
