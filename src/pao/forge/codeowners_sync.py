"""Keep the requests repo's CODEOWNERS block in step with catalog owners.

The controller calls :func:`sync_codeowners` after a catalog change with
the item id → owner team mapping. When the block on the default branch is
already right nothing happens; otherwise one pull request from pao's
branch proposes the new block, and later calls update that same pull
request. Any forge that can read a file and propose a change will do
(:class:`ChangeProposer`); the GitHub client is one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol

import structlog

from pao.forge.codeowners import read_block, rewrite_block

__all__ = [
    "CODEOWNERS_PATHS",
    "SYNC_BRANCH",
    "ChangeProposer",
    "Proposal",
    "describe_changes",
    "sync_codeowners",
]

logger = structlog.get_logger(__name__)

# Where GitHub looks for the file, in the order it looks.
CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")
SYNC_BRANCH = "pao/codeowners"
_TITLE = "Update CODEOWNERS from catalog owners"


class Proposal(Protocol):
    """What a forge reports back about a proposed change."""

    @property
    def number(self) -> int: ...

    @property
    def html_url(self) -> str: ...


class ChangeProposer(Protocol):
    """A forge that reads files and proposes changes for review."""

    def default_branch(self) -> str: ...

    def read_text(self, path: str, *, ref: str) -> str | None: ...

    def propose_change(
        self,
        *,
        branch: str,
        files: Mapping[str, str],
        commit_message: str,
        title: str,
        body: str,
        base: str | None = None,
    ) -> Proposal: ...


def describe_changes(before: Mapping[str, str], after: Mapping[str, str]) -> str:
    """The pull request's body: which item folders change owner."""
    lines = [
        "pao keeps the generated block of CODEOWNERS in step with the owner"
        " teams of the catalog's items. Lines outside the block are kept.",
        "",
    ]
    teams = {item_id: team.lstrip("@") for item_id, team in after.items()}
    for item_id in sorted(before.keys() | teams.keys()):
        old, new = before.get(item_id), teams.get(item_id)
        folder = f"`/requests/{item_id}/`"
        if old == new:
            continue
        if old is None:
            lines.append(f"- {folder}: new, owned by @{new}")
        elif new is None:
            lines.append(f"- {folder}: removed (was @{old})")
        else:
            lines.append(f"- {folder}: @{old} → @{new}")
    return "\n".join(lines) + "\n"


def _find(forge: ChangeProposer, ref: str) -> tuple[str, str]:
    for path in CODEOWNERS_PATHS:
        text = forge.read_text(path, ref=ref)
        if text is not None:
            return path, text
    return "CODEOWNERS", ""


def sync_codeowners(
    forge: ChangeProposer,
    owners: Mapping[str, str],
    *,
    branch: str = SYNC_BRANCH,
) -> Proposal | None:
    """Propose the CODEOWNERS block for *owners* (item id → ``org/team``);
    ``None`` when the default branch has it already."""
    base = forge.default_branch()
    path, text = _find(forge, base)
    wanted = rewrite_block(text, owners)
    if wanted == text:
        return None
    body = describe_changes(read_block(text), owners)
    proposal = forge.propose_change(
        branch=branch,
        files={path: wanted},
        commit_message=f"{_TITLE}\n\n{body}",
        title=_TITLE,
        body=body,
        base=base,
    )
    logger.info("codeowners change proposed", path=path, pull=proposal.number)
    return proposal
