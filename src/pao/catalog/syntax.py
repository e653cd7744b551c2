"""The small grammars of catalog and request files: ids, versions, refs."""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from pao.core.secrets import SECRET_REFERENCE, is_secret_reference

__all__ = [
    "ITEM_ID",
    "SECRET_REF",
    "SEMVER",
    "TEAM",
    "compile_pattern",
    "is_calendar_date",
    "is_request_secret_ref",
    "is_secret_ref",
    "parse_duration",
]

# Item ids name files and folders and appear in URLs: keep them plain.
ITEM_ID = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Field, group and action ids are template path segments.
LOCAL_ID = re.compile(r"^[A-Za-z][A-Za-z0-9_-]*$")
# https://semver.org/#is-there-a-suggested-regular-expression-regex-to-check-a-semver-string
SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
    r"(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)
# GitHub organisation logins and team slugs.
TEAM = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[a-z0-9][a-z0-9_-]*$")

# What the catalog may name in ``fulfillment.secrets`` and action configs:
# exactly what the resolver accepts.
SECRET_REF = SECRET_REFERENCE
# Requesters may only point at vault paths and environment variables (the
# env and vault halves of the resolver's grammar): a ``file:`` reference
# would let a request read files on the controller host.
REQUEST_SECRET_REF = re.compile(
    r"^(?:env:[A-Za-z_][A-Za-z0-9_]*|vault:[A-Za-z0-9_./-]+#[A-Za-z0-9_.-]+)$"
)

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$")
_UNIT_SECONDS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, None: 1.0}


def is_secret_ref(value: object) -> bool:
    return is_secret_reference(value)


def is_request_secret_ref(value: object) -> bool:
    return isinstance(value, str) and REQUEST_SECRET_REF.match(value) is not None


def is_calendar_date(value: str) -> bool:
    """Whether *value* is ``YYYY-MM-DD`` naming a day that exists."""
    if not _DATE.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def parse_duration(value: str) -> float | None:
    """Seconds in ``"300"``, ``"30s"``, ``"10m"`` or ``"2h"``; None if not one."""
    match = _DURATION.match(value)
    if match is None:
        return None
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


@lru_cache(maxsize=4096)
def compile_pattern(pattern: str) -> re.Pattern[str]:
    """Compile a form's validation pattern once for every item that uses it.

    Raises :class:`re.error` for a pattern Python cannot compile.
    """
    return re.compile(pattern)
