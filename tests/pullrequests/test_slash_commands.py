"""Which lines of a comment are commands."""

from __future__ import annotations

import pytest

from pao.reconcilers.slash_commands import parse_commands


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("/retry", [("retry", "")]),
        ("/retry register", [("retry", "register")]),
        ("/RETRY", [("retry", "")]),
        ("/Escalate Needs a human", [("escalate", "Needs a human")]),
        ("   /abort leading spaces are fine", [("abort", "leading spaces are fine")]),
        ("    /abort four spaces is code", []),
        ("\t/abort a tab is code", []),
        ("/retryx", []),
        ("/retry-now", []),
        ("/retry:", []),
        ("/unknown thing", []),
        ("please /retry", []),
        ("> /retry", []),
        ("  > quoted\n> /abort", []),
        ("`/retry`", []),
        ("``/retry``", []),
        ("`code\n/retry\nspans lines`", []),
        ("```\n/retry\n```", []),
        ("~~~\n/retry\n~~~\n/abort", [("abort", "")]),
        ("````\n```\n/retry\n````\n/plan", [("plan", "")]),
        ("```python\n/retry\n```\n/status", [("status", "")]),
        ("/retry\n/escalate why not", [("retry", ""), ("escalate", "why not")]),
        ("Thanks!\r\n/help\r\n", [("help", "")]),
        ("/plan trailing   ", [("plan", "trailing")]),
        ("`a` and\n\n/retry", [("retry", "")]),
        ("one ` tick\n\n/retry\n\nthen ` another", [("retry", "")]),
        ("", []),
    ],
)
def test_commands_count_only_at_the_start_of_a_line_outside_quotes_and_code(
    body: str, expected: list[tuple[str, str]]
) -> None:
    found = parse_commands(body)

    assert [(command.name, command.argument) for command in found] == expected


def test_the_first_word_of_the_argument_names_the_action() -> None:
    [command] = parse_commands("/retry register please")

    assert command.first_word == "register"
    assert command.line == 1
