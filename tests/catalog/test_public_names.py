"""The public names of the catalog and requests packages."""

from __future__ import annotations

import pao.catalog
import pao.requests


def test_catalog_public_names() -> None:
    assert sorted(pao.catalog.__all__) == [
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
    assert all(hasattr(pao.catalog, name) for name in pao.catalog.__all__)


def test_requests_public_names() -> None:
    assert sorted(pao.requests.__all__) == [
        "Request",
        "compiled_form",
        "expected_item_for",
        "fields_schema",
        "request_schema",
        "validate_request_document",
        "validate_request_file",
        "validate_request_text",
        "visibility",
        "visible_fields",
    ]
    assert all(hasattr(pao.requests, name) for name in pao.requests.__all__)
