"""``pao owners``: CODEOWNERS resolved exactly as GitHub resolves it."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import pao.cli
import pao.cli.owners  # registers the command
from pao.cli.app import cli

CODEOWNERS = "\n".join(
    [
        "# Owners for everything",
        "*       @acme/admins",
        "/docs/  @acme/docs",
        "apps/   @octocat",
        "*.js    @js-owner #This is an inline comment.",
        "/a/**/b @acme/ab",
        "/build/logs/ @doctocat",
        "/build/logs/ignored",
        r"\#notes @hash",
        "!*.md   @negated",
        "*.[ch]  @c-owner",
        "* user",
        "src/*.py  @py user@acme.example",
        r"file\ name.txt  @spaces",
        "/t/   @acme/t    ",
        "",
    ]
)


def _owners(tmp_path: Path, *paths: str, text: str = CODEOWNERS) -> Result:
    file = tmp_path / "CODEOWNERS"
    file.write_text(text)
    return CliRunner().invoke(cli, ["owners", "--codeowners", str(file), *paths])


@pytest.mark.parametrize(
    ("path", "owners"),
    [
        ("README.md", "@acme/admins"),
        ("docs/guide.md", "@acme/docs"),
        ("sub/docs/guide.md", "@acme/admins"),  # /docs/ is anchored
        ("apps/x/y.txt", "@octocat"),
        ("lib/apps/z.txt", "@octocat"),  # apps/ matches at any depth
        ("apps/main.js", "@js-owner"),  # the last match wins
        ("a/b/file", "@acme/ab"),  # ** matches no directory
        ("a/x/y/b/file", "@acme/ab"),  # ... or several
        ("a/x/c", "@acme/admins"),
        ("build/logs/x.log", "@doctocat"),
        ("build/logs/ignored/x", ""),  # no owners: unowned
        ("#notes", "@acme/admins"),  # an escaped # does not work
        ("x.c", "@acme/admins"),  # nor a character range
        ("src/x.py", "@py user@acme.example"),
        ("src/sub/x.py", "@acme/admins"),  # * stays in one segment
        ("lib/src/x.py", "@acme/admins"),  # a middle slash anchors
        ("file name.txt", "@spaces"),
        ("t/a", "@acme/t"),  # trailing spaces are no part of the line
        ("Docs/guide.md", "@acme/admins"),  # paths are case-sensitive
        ("/docs/guide.md", "@acme/docs"),  # a leading slash is the root
    ],
)
def test_owners_follow_githubs_rules(tmp_path: Path, path: str, owners: str) -> None:
    result = _owners(tmp_path, path)

    assert result.exit_code == 0
    assert result.stdout == f"{path}\t{owners}\n"


def test_every_path_gets_one_line_in_order(tmp_path: Path) -> None:
    result = _owners(tmp_path, "b.js", "README.md", "build/logs/ignored/y")

    assert result.stdout.splitlines() == [
        "b.js\t@js-owner",
        "README.md\t@acme/admins",
        "build/logs/ignored/y\t",
    ]


def test_skipped_lines_are_reported_on_stderr(tmp_path: Path) -> None:
    result = _owners(tmp_path, "README.md")

    file = tmp_path / "CODEOWNERS"
    assert result.stderr.splitlines() == [
        f"{file}:9: skipped: an escaped leading # is not supported",
        f"{file}:10: skipped: negated patterns (!) are not supported",
        f"{file}:11: skipped: character ranges ([ ]) are not supported",
        f"{file}:12: skipped: invalid owner 'user'",
    ]


def test_an_entry_without_owners_overrides_an_earlier_one(tmp_path: Path) -> None:
    text = "/apps/ @octocat\n/apps/github\n"

    result = _owners(tmp_path, "apps/main.go", "apps/github/x.go", text=text)

    assert result.stdout == "apps/main.go\t@octocat\napps/github/x.go\t\n"


def test_a_file_with_only_comments_owns_nothing(tmp_path: Path) -> None:
    result = _owners(tmp_path, "a", text="# nothing\n\n   # still nothing\n")

    assert (result.exit_code, result.stdout, result.stderr) == (0, "a\t\n", "")


def test_crlf_files_read_the_same(tmp_path: Path) -> None:
    result = _owners(tmp_path, "x.js", text=CODEOWNERS.replace("\n", "\r\n"))

    assert result.stdout == "x.js\t@js-owner\n"


def test_a_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli, ["owners", "--codeowners", str(tmp_path / "nope"), "a"]
    )

    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_an_unreadable_file_exits_1(tmp_path: Path) -> None:
    file = tmp_path / "CODEOWNERS"
    file.write_bytes(b"* @acme/x\n\xff\xfe\n")

    result = CliRunner().invoke(cli, ["owners", "--codeowners", str(file), "a"])

    assert result.exit_code == 1
    assert result.stderr == f"pao: cannot read {file}: not UTF-8 text\n"


def test_paths_are_required(tmp_path: Path) -> None:
    assert _owners(tmp_path).exit_code == 2


def test_the_example_requests_repo_routes_requests_to_owner_teams(
    examples_dir: Path,
) -> None:
    file = examples_dir / "requests-repo" / "CODEOWNERS"
    paths = ["requests/dns-record/www.yaml", "status/dns-record/www.yaml"]

    result = CliRunner().invoke(cli, ["owners", "--codeowners", str(file), *paths])

    assert result.exit_code == 0
    assert result.stdout == (
        "requests/dns-record/www.yaml\t@acme/networking\n"
        "status/dns-record/www.yaml\t@acme/platform-admins\n"
    )


def test_the_command_is_registered_with_pao() -> None:
    assert "owners" in pao.cli._COMMAND_MODULES
