"""``pao owners``: who GitHub would ask to review each path.

Reads a CODEOWNERS file with GitHub's rules (see
:mod:`pao.forge.codeowners`) and prints one line per path: the path, a
tab, and the owners separated by spaces (nothing after the tab for an
unowned path). Lines GitHub would skip are reported on stderr.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from pao.cli.app import cli
from pao.forge.codeowners import CodeOwners

__all__ = ["owners"]


@cli.command("owners")
@click.option(
    "--codeowners",
    "codeowners_file",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="The CODEOWNERS file to read.",
)
@click.argument("paths", nargs=-1, required=True)
def owners(codeowners_file: Path, paths: Sequence[str]) -> None:
    """Print the code owners GitHub assigns to each of PATHS."""
    rules = CodeOwners(_read(codeowners_file))
    for skipped in rules.skipped:
        click.echo(
            f"{codeowners_file}:{skipped.line}: skipped: {skipped.reason}", err=True
        )
    for path in paths:
        click.echo(f"{path}\t{' '.join(rules.owners_of(path))}")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        click.echo(f"pao: cannot read {path}: {reason}", err=True)
        raise SystemExit(1) from None
