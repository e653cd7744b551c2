"""The variable scopes a template can read, and the keys of the fixed ones."""

from __future__ import annotations

from typing import Final

__all__ = ["REQUEST_KEYS", "SCOPES", "SYSTEM_KEYS"]

SCOPES: Final = (
    "fields",
    "metadata",
    "request",
    "system",
    "environment",
    "outputs",
    "secrets",
    # Only inside an action's ``outputs``: the response being read.
    "response",
)

# Paths below ``request`` that exist; a None value means "a leaf".
REQUEST_KEYS: Final[dict[str, dict[str, None] | None]] = {
    "id": None,
    "user": {"email": None, "teams": None},
    "team": None,
    "timestamp": None,
    "correlation_id": None,
}

SYSTEM_KEYS: Final = ("date", "timestamp", "uuid", "hostname")
