"""Helpers for catalog tests: a small valid item and a catalog on disk."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from pao.catalog import validate_item_text

# Line numbers matter: tests that edit this text assert on them.
VALID_ITEM = """\
apiVersion: pao/v1
kind: CatalogItem
metadata:
  id: demo
  name: Demo
  version: 1.0.0
  category: tools
  owner:
    team: acme/platform
presentation:
  form:
    groups:
      - id: main
        name: Main
        fields:
          - id: name
            name: Name
            type: string
            required: true
fulfillment:
  manual:
    project: OPS
    summary: Create a demo
"""

DEMO_PATH = "catalog/tools/demo.yaml"


def check(text: str, filename: str = DEMO_PATH) -> list[str]:
    """The formatted diagnostics of one item text."""
    _, found = validate_item_text(text, filename=filename)
    return [str(diagnostic) for diagnostic in found]


def item_with_fields(fields: str) -> str:
    """VALID_ITEM with its field list (from line 16) replaced by *fields*."""
    head = VALID_ITEM.split("          - id: name\n", maxsplit=1)[0]
    tail = "fulfillment:" + VALID_ITEM.split("fulfillment:")[1]
    return head + fields + tail


@pytest.fixture
def write_catalog(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    def write(files: dict[str, str]) -> Path:
        for relative, text in files.items():
            path = tmp_path / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return tmp_path

    return write
