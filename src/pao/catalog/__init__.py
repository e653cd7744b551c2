"""Catalog items: their model, their checks, their forms and schemas.

The catalog layer reads ``catalog/<category>/<item-id>.yaml`` files from a
catalog repo checkout (:func:`load_catalog`) or from text
(:func:`validate_item_text`) and reports every problem as a located
diagnostic. Layers above use the models (:class:`CatalogItem` and its
parts), the form response (:func:`build_form`) and the editor schema
(:func:`catalog_item_schema`).
"""

from __future__ import annotations

from pao.catalog.editor_schema import catalog_item_schema
from pao.catalog.forms import build_form
from pao.catalog.loader import (
    CatalogLoad,
    CatalogPathError,
    CheckedFile,
    LoadedItem,
    assemble_catalog,
    check_item_content,
    find_catalog_root,
    load_catalog,
    load_item_file,
    validate_item_text,
)
from pao.catalog.models import (
    Action,
    CatalogItem,
    Conditional,
    FieldValidation,
    FormField,
    FormGroup,
    Fulfillment,
    Lifecycle,
    ManualTicket,
    Metadata,
    Option,
    Retry,
)

__all__ = [
    "Action",
    "CatalogItem",
    "CatalogLoad",
    "CatalogPathError",
    "CheckedFile",
    "Conditional",
    "FieldValidation",
    "FormField",
    "FormGroup",
    "Fulfillment",
    "Lifecycle",
    "LoadedItem",
    "ManualTicket",
    "Metadata",
    "Option",
    "Retry",
    "assemble_catalog",
    "build_form",
    "catalog_item_schema",
    "check_item_content",
    "find_catalog_root",
    "load_catalog",
    "load_item_file",
    "validate_item_text",
]
