"""Slash commands in pull-request comments: which lines count, and how.

A command counts only at the start of a line (up to three spaces of
indentation, as Markdown allows before a paragraph), outside block quotes,
fenced or indented code blocks and inline code spans; its name is matched
case-insensitively and must be followed by whitespace or the end of the
line, so ``/retryx`` is not ``/retry``. A comment may hold several. This
module only reads text: who may run a command and what it does live in
:mod:`pao.reconcilers.pr_commands`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args

__all__ = ["COMMAND_NAMES", "HELP", "CommandName", "SlashCommand", "parse_commands"]

CommandName = Literal["retry", "abort", "escalate", "plan", "status", "help"]
COMMAND_NAMES: tuple[str, ...] = get_args(CommandName)

HELP = """\
pao understands these commands, each at the start of its own line:

- `/retry [action-id]` — run a failed request again, from its failed action \
or from *action-id*
- `/abort [reason]` — give up a failed request; what its actions created stays
- `/escalate [reason]` — hand a failed request to the platform team as an incident
- `/plan` — validate this pull request's requests again and refresh the plan
- `/status` — show where each request of this pull request stands
- `/help` — show this list

The pull request's author, members of the owner team and pao admins may \
run them."""

# CommonMark: a fence is three or more backticks or tildes, indented by at
# most three spaces; it is closed by a run of the same character at least
# as long.
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_COMMAND = re.compile(r"^ {0,3}/([A-Za-z][A-Za-z0-9_-]*)(?:[ \t]+(.*))?$")
# A code span ends at the next backtick run of the same length, within
# its paragraph (never across a blank line).
_CODE_SPAN = re.compile(
    r"(?<!`)(`+)(?!`)((?:(?!\n[ \t]*\n).)+?)(?<!`)\1(?!`)", re.DOTALL
)


@dataclass(frozen=True, slots=True)
class SlashCommand:
    """One command as written: its name (lower case) and the rest of its line."""

    name: CommandName
    argument: str
    line: int

    @property
    def first_word(self) -> str | None:
        """The argument's first word (``/retry <action-id>``), if any."""
        words = self.argument.split()
        return words[0] if words else None


def parse_commands(body: str) -> list[SlashCommand]:
    """Every command in a comment's *body*, in order."""
    found: list[SlashCommand] = []
    lines = _blank_code_spans(_outside_fences(body)).split("\n")
    for number, line in enumerate(lines, start=1):
        match = _COMMAND.match(line.rstrip())
        if match is None:
            continue
        name = match.group(1).lower()
        if name in COMMAND_NAMES:
            argument = (match.group(2) or "").strip()
            found.append(SlashCommand(name, argument, number))  # type: ignore[arg-type]
    return found


def _outside_fences(body: str) -> str:
    """*body* with fenced code blocks and block quotes blanked, lines kept."""
    kept: list[str] = []
    fence: str | None = None
    for line in body.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        opening = _FENCE.match(line)
        if fence is not None:
            if (
                opening
                and opening.group(1)[0] == fence[0]
                and (
                    len(opening.group(1)) >= len(fence)
                    and not line.strip().lstrip(fence[0])
                )
            ):
                fence = None
            kept.append("")
        elif opening:
            fence = opening.group(1)
            kept.append("")
        elif line.lstrip().startswith(">"):
            kept.append("")
        else:
            kept.append(line)
    return "\n".join(kept)


def _blank_code_spans(text: str) -> str:
    """Inline code (which may span lines) replaced by spaces, lines kept."""

    def blank(match: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", match.group(0))

    return _CODE_SPAN.sub(blank, text)
