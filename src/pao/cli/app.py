"""The ``pao`` command group and its sub-groups.

Each feature's commands live in their own module under ``pao.cli`` and attach
themselves to these groups; ``pao.cli.main`` imports them all.
"""

from __future__ import annotations

import click

from pao import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="pao")
def cli() -> None:
    """pao, the Platform Automation Orchestrator."""


@cli.group()
def catalog() -> None:
    """Work with a catalog repo checkout."""


@cli.group()
def request() -> None:
    """Validate requests and steer their fulfilment."""


@cli.group()
def schema() -> None:
    """Print JSON Schemas for editors."""


@cli.group()
def template() -> None:
    """Render and check templates."""
