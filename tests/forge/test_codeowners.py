"""pao's generated CODEOWNERS block: rewritten alone, idempotent."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pao.forge.codeowners import (
    BEGIN_MARKER,
    END_MARKER,
    CodeOwners,
    CodeownersBlockError,
    read_block,
    render_block,
    rewrite_block,
)

OWNERS = {"postgres-database": "acme/dba", "dns-record": "@acme/networking"}
HEAD = "# Ours.\n*  @acme/platform-admins\n"
BLOCK = (
    f"{BEGIN_MARKER}\n"
    "/requests/dns-record/ @acme/networking\n"
    "/requests/postgres-database/ @acme/dba\n"
    f"{END_MARKER}\n"
)


def test_the_block_is_sorted_by_item_id() -> None:
    assert render_block(OWNERS) == [
        BEGIN_MARKER,
        "/requests/dns-record/ @acme/networking",
        "/requests/postgres-database/ @acme/dba",
        END_MARKER,
    ]


def test_a_missing_block_is_appended_after_a_blank_line() -> None:
    assert rewrite_block(HEAD, OWNERS) == f"{HEAD}\n{BLOCK}"
    assert rewrite_block("* @a/b", OWNERS) == f"* @a/b\n\n{BLOCK}"
    assert rewrite_block("", OWNERS) == BLOCK
    assert rewrite_block(f"{HEAD}\n", OWNERS) == f"{HEAD}\n{BLOCK}"


def test_only_the_block_changes() -> None:
    tail = "\n# After the block, also ours.\n/status/ @acme/platform-admins\n"
    old = f"{HEAD}\n{BEGIN_MARKER}\n/requests/gone/ @acme/old\n{END_MARKER}\n{tail}"

    new = rewrite_block(old, OWNERS)

    assert new == f"{HEAD}\n{BLOCK}{tail}"


def test_an_unchanged_block_returns_the_same_text() -> None:
    text = f"{HEAD}\n{BLOCK}"

    assert rewrite_block(text, OWNERS) is text


def test_crlf_files_stay_crlf() -> None:
    text = f"{HEAD}\n{BLOCK}".replace("\n", "\r\n")

    assert rewrite_block(text, OWNERS) is text
    changed = rewrite_block(text, {"kafka-topic": "acme/streaming"})
    assert changed.count("\r\n") == changed.count("\n")
    assert "/requests/kafka-topic/ @acme/streaming\r\n" in changed


def test_a_block_at_the_very_end_without_newline_keeps_it_so() -> None:
    text = f"{HEAD}{BLOCK}".removesuffix("\n")

    assert rewrite_block(text, OWNERS) is text


def test_no_owners_leaves_an_empty_block() -> None:
    assert rewrite_block(BLOCK, {}) == f"{BEGIN_MARKER}\n{END_MARKER}\n"


@pytest.mark.parametrize(
    "text",
    [
        f"{BEGIN_MARKER}\n/requests/a/ @x/y\n",
        f"/requests/a/ @x/y\n{END_MARKER}\n",
        f"{END_MARKER}\n{BEGIN_MARKER}\n",
        BLOCK + BLOCK,
    ],
)
def test_a_broken_block_is_refused_rather_than_guessed(text: str) -> None:
    with pytest.raises(CodeownersBlockError, match="expected one block"):
        rewrite_block(text, OWNERS)


@pytest.mark.parametrize(
    "owners",
    [{"Bad Id": "acme/x"}, {"../x": "acme/x"}, {"ok": "just-a-team"}, {"ok": "@u"}],
)
def test_bad_ids_and_teams_are_refused(owners: dict[str, str]) -> None:
    with pytest.raises(ValueError, match="expected"):
        render_block(owners)


def test_read_block_gives_back_the_mapping() -> None:
    assert read_block(f"{HEAD}\n{BLOCK}") == {
        "dns-record": "acme/networking",
        "postgres-database": "acme/dba",
    }
    assert read_block(HEAD) == {}


def test_the_example_requests_repo_block_is_what_pao_writes(
    examples_dir: Path,
) -> None:
    text = (examples_dir / "requests-repo" / "CODEOWNERS").read_text()

    assert rewrite_block(text, read_block(text)) is text


def test_the_block_routes_requests_to_their_owners() -> None:
    rules = CodeOwners(rewrite_block(HEAD, OWNERS))

    assert rules.owners_of("requests/postgres-database/orders.yaml") == ("@acme/dba",)
    assert rules.owners_of("status/postgres-database/orders.yaml") == (
        "@acme/platform-admins",
    )


_ids = st.from_regex(r"[a-z][a-z0-9-]{0,20}[a-z0-9]", fullmatch=True)
_teams = st.from_regex(r"[a-z]{1,8}/[a-z][a-z0-9-]{0,10}", fullmatch=True)
_outside = st.lists(
    st.from_regex(r"[#/*a-z][ -~]{0,30}", fullmatch=True).filter(
        lambda line: "pao generated" not in line
    ),
    max_size=6,
)


@given(
    before=_outside,
    after=_outside,
    old=st.dictionaries(_ids, _teams, max_size=5),
    new=st.dictionaries(_ids, _teams, max_size=5),
)
def test_rewriting_keeps_outside_lines_and_is_idempotent(
    before: list[str], after: list[str], old: dict[str, str], new: dict[str, str]
) -> None:
    text = "".join(f"{line}\n" for line in [*before, *render_block(old), *after])

    once = rewrite_block(text, new)

    assert rewrite_block(once, new) is once
    assert read_block(once) == new
    kept = [line for line in once.splitlines() if line not in render_block(new)]
    assert kept == [line for line in [*before, *after] if line not in render_block(new)]
