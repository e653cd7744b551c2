"""Team membership and repository permission."""

from __future__ import annotations

import pytest

from forge.github.fake_github import FakeGitHub
from pao.forge.github import GitHub, GitHubRepo


@pytest.mark.parametrize(
    ("state", "expected"), [("active", True), ("pending", False), (None, False)]
)
def test_only_an_active_membership_counts(
    fake: FakeGitHub, github: GitHub, state: str | None, expected: bool
) -> None:
    if state is not None:
        fake.teams[("acme", "dba")] = {"alice": state}

    assert github.is_team_member("acme/dba", "alice") is expected
    assert github.is_team_member("@acme/dba", "alice") is expected


def test_membership_checks_are_conditional(fake: FakeGitHub, github: GitHub) -> None:
    fake.teams[("acme", "dba")] = {"alice": "active"}
    github.is_team_member("acme/dba", "alice")
    used = fake.used

    assert github.is_team_member("acme/dba", "alice")
    assert fake.used == used


def test_admins_are_members_of_a_configured_admin_team(
    fake: FakeGitHub, github: GitHub
) -> None:
    fake.teams[("acme", "platform-admins")] = {"root": "active"}

    assert github.is_admin("root")
    assert not github.is_admin("dev")


def test_a_team_must_name_its_org(github: GitHub) -> None:
    with pytest.raises(ValueError, match="org/slug"):
        github.is_team_member("dba", "alice")


def test_collaborator_permission_reports_the_role(
    fake: FakeGitHub, repo: GitHubRepo
) -> None:
    fake.permissions = {"alice": "maintain", "bob": "read"}

    assert repo.collaborator_permission("alice") == "maintain"
    assert repo.collaborator_permission("bob") == "read"
    assert repo.collaborator_permission("eve") == "none"


def test_login_is_the_tokens_user(fake: FakeGitHub, github: GitHub) -> None:
    assert github.login() == "pao-user"
    assert github.login() == "pao-user"
    assert [c.path for c in fake.calls] == ["/user"]
