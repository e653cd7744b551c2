"""The JSON Schema of catalog item files, for editors and other tools.

Generated from :class:`~pao.catalog.models.CatalogItem`, so it cannot drift
from what pao accepts. Put ``# yaml-language-server: $schema=<url or
path>`` on the first line of an item file to get completion and checks in
editors that speak the YAML language server.
"""

from __future__ import annotations

from typing import Any

from pao.catalog.models import CatalogItem

__all__ = ["CATALOG_ITEM_SCHEMA_ID", "DRAFT_2020_12", "catalog_item_schema"]

DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema"
CATALOG_ITEM_SCHEMA_ID = "https://pao.dev/schemas/v1/catalog-item.json"


def catalog_item_schema() -> dict[str, Any]:
    """The Draft 2020-12 schema of one ``catalog/<category>/<id>.yaml``."""
    generated = CatalogItem.model_json_schema(by_alias=True, mode="validation")
    return {
        "$schema": DRAFT_2020_12,
        "$id": CATALOG_ITEM_SCHEMA_ID,
        **generated,
        "title": "pao catalog item",
        "description": "One catalog item: catalog/<category>/<item-id>.yaml",
    }
