"""Whether a code owner approved a request's pull request, as GitHub counts.

pao checks this itself before it runs a merged request, whatever branch
protection says. The rules follow GitHub's review model:

* only each reviewer's latest *deciding* review counts: an approval, a
  change request or a dismissal replaces that reviewer's earlier one,
  while a plain comment (or a pending draft) changes nothing;
* the pull request's author cannot approve their own change;
* an approval counts for the commit it reviewed: a later push needs a new
  one (GitHub's "dismiss stale approvals", always on here);
* review states compare case-insensitively (webhooks say ``approved``,
  the REST API ``APPROVED``);
* an owner ``@org/team`` is satisfied by an active member of that team,
  ``@user`` by that user; e-mail owners cannot be mapped to a login and
  are skipped, as GitHub skips unverified ones.

A path no CODEOWNERS line owns falls back to the catalog item's owner
team: the generated CODEOWNERS block maps exactly that, so the fallback
only matters until pao's CODEOWNERS pull request is merged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from pao.forge.codeowners import CodeOwners
from pao.forge.github import Review

__all__ = [
    "ApprovalVerdict",
    "code_owners_of",
    "deciding_reviews",
    "evaluate_approval",
]

# Only these states decide; COMMENTED and PENDING leave the decision as is.
_DECIDING = frozenset({"APPROVED", "CHANGES_REQUESTED", "DISMISSED"})

IsMember = Callable[[str, str], bool]


@dataclass(frozen=True, slots=True)
class ApprovalVerdict:
    """Who may approve, who did, and a sentence saying so."""

    approved: bool
    owners: tuple[str, ...]
    approvers: tuple[str, ...]
    reason: str


def code_owners_of(
    path: str, codeowners: str | None, *, fallback_team: str | None
) -> tuple[str, ...]:
    """The owners of *path* under *codeowners*, else ``@fallback_team``."""
    owners = CodeOwners(codeowners).owners_of(path) if codeowners else ()
    if owners:
        return tuple(owners)
    return (f"@{fallback_team.lstrip('@')}",) if fallback_team else ()


def deciding_reviews(reviews: Iterable[Review], *, author: str) -> dict[str, Review]:
    """Each reviewer's (lower-cased login) latest deciding review; the
    author's own reviews left out."""
    latest: dict[str, Review] = {}
    for review in reviews:
        login = review.user.lower()
        if login == author.lower() or not login:
            continue
        if str(review.state).upper() in _DECIDING:
            latest[login] = review
    return latest


def evaluate_approval(
    *,
    owners: Sequence[str],
    reviews: Iterable[Review],
    author: str,
    head_sha: str,
    is_member: IsMember,
) -> ApprovalVerdict:
    """Whether one of *owners* approved commit *head_sha*."""
    owners = tuple(owners)
    if not owners:
        reason = "no code owner is set for this path, so nobody can approve it"
        return ApprovalVerdict(False, owners, (), reason)
    approvers: list[str] = []
    stale: list[str] = []
    for review in deciding_reviews(reviews, author=author).values():
        if str(review.state).upper() != "APPROVED":
            continue
        if not _owns(review.user, owners, is_member):
            continue
        if review.commit_id is not None and review.commit_id != head_sha:
            stale.append(review.user)
            continue
        approvers.append(review.user)
    wanted = ", ".join(owners)
    if approvers:
        names = ", ".join(f"@{login}" for login in sorted(approvers))
        return ApprovalVerdict(
            True, owners, tuple(sorted(approvers)), f"approved by {names}"
        )
    if stale:
        names = ", ".join(f"@{login}" for login in sorted(stale))
        reason = (
            f"the approval by {names} is for an earlier commit; an approving"
            f" review of the latest commit by {wanted} is needed"
        )
        return ApprovalVerdict(False, owners, (), reason)
    reason = f"an approving review by a code owner ({wanted}) is needed"
    return ApprovalVerdict(False, owners, (), reason)


def _owns(login: str, owners: Sequence[str], is_member: IsMember) -> bool:
    for owner in owners:
        name = owner.lstrip("@")
        if not owner.startswith("@"):
            continue  # an e-mail address: no login to compare with
        if "/" in name and is_member(name, login):
            return True
        if "/" not in name and name.lower() == login.lower():
            return True
    return False
