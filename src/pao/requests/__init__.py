"""Requests: their model, validation against the catalog, visible fields.

:func:`validate_request_file` and :func:`validate_request_text` check a
request against a loaded catalog; :func:`visible_fields` gives the values
the fulfilment step works with; :func:`request_schema` is the JSON Schema
editors use for an item's request files.
"""

from __future__ import annotations

from pao.requests.conditions import visibility, visible_fields
from pao.requests.models import Request
from pao.requests.schema import compiled_form, fields_schema, request_schema
from pao.requests.validate import (
    expected_item_for,
    validate_request_document,
    validate_request_file,
    validate_request_text,
)

__all__ = [
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
