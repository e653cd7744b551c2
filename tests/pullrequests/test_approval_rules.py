"""When a code owner's review approves a request, as GitHub counts it."""

from __future__ import annotations

from collections.abc import Iterable

import pytest

from pao.forge.github import Review
from pao.reconcilers.approval import code_owners_of, evaluate_approval

HEAD = "a" * 40
OLD = "b" * 40
OWNERS = ("@acme/widgets",)
TEAMS = {"acme/widgets": {"carol", "dave"}, "acme/admins": {"root"}}


def review(user: str, state: str, commit: str = HEAD, *, n: int = 1) -> Review:
    data = {"id": n, "user": {"login": user}, "state": state, "commit_id": commit}
    return Review.from_api(data)


def member(team: str, user: str) -> bool:
    return user.lower() in TEAMS.get(team, set())


def verdict(reviews: Iterable[Review], owners: tuple[str, ...] = OWNERS) -> bool:
    return evaluate_approval(
        owners=owners,
        reviews=list(reviews),
        author="alice",
        head_sha=HEAD,
        is_member=member,
    ).approved


@pytest.mark.parametrize("state", ["APPROVED", "approved", "Approved"])
def test_an_owner_team_members_approval_counts_whatever_the_case(state: str) -> None:
    assert verdict([review("carol", state)])


def test_the_authors_own_approval_does_not_count() -> None:
    owners = ("@acme/widgets", "@alice")

    assert not verdict([review("alice", "APPROVED")], owners)


def test_someone_outside_the_owners_cannot_approve() -> None:
    assert not verdict([review("bob", "APPROVED")])


def test_a_later_change_request_replaces_the_approval() -> None:
    reviews = [
        review("carol", "APPROVED", n=1),
        review("carol", "CHANGES_REQUESTED", n=2),
    ]

    assert not verdict(reviews)


def test_a_dismissed_approval_no_longer_counts() -> None:
    assert not verdict([review("carol", "APPROVED"), review("carol", "DISMISSED")])


def test_a_later_comment_leaves_the_approval_standing() -> None:
    assert verdict([review("carol", "APPROVED"), review("carol", "COMMENTED")])


def test_another_owners_change_request_does_not_undo_an_approval() -> None:
    assert verdict([review("carol", "APPROVED"), review("dave", "CHANGES_REQUESTED")])


def test_an_approval_of_an_earlier_commit_is_stale() -> None:
    result = evaluate_approval(
        owners=OWNERS,
        reviews=[review("carol", "APPROVED", OLD)],
        author="alice",
        head_sha=HEAD,
        is_member=member,
    )

    assert not result.approved
    assert result.reason.startswith("the approval by @carol is for an earlier commit")


def test_a_user_owner_approves_by_login_case_insensitively() -> None:
    assert verdict([review("Erin", "approved")], ("@erin",))


def test_e_mail_owners_cannot_be_matched_to_a_reviewer() -> None:
    assert not verdict([review("carol", "APPROVED")], ("carol@acme.example",))


def test_a_path_nobody_owns_needs_an_owner_nobody_can_be() -> None:
    result = evaluate_approval(
        owners=(),
        reviews=[review("carol", "APPROVED")],
        author="alice",
        head_sha=HEAD,
        is_member=member,
    )

    assert not result.approved
    assert (
        result.reason == "no code owner is set for this path, so nobody can approve it"
    )


def test_codeowners_last_matching_line_wins_with_a_catalog_fallback() -> None:
    text = "/requests/ @acme/admins\n/requests/widget/ @acme/widgets\n"

    assert code_owners_of("requests/widget/a.yaml", text, fallback_team="x/y") == (
        "@acme/widgets",
    )
    assert code_owners_of("requests/gadget/a.yaml", text, fallback_team="x/y") == (
        "@acme/admins",
    )
    assert code_owners_of("requests/gadget/a.yaml", "", fallback_team="acme/g") == (
        "@acme/g",
    )
    assert code_owners_of("requests/gadget/a.yaml", None, fallback_team=None) == ()
