"""Secret references: ``env:NAME``, ``file:PATH`` and ``vault:PATH#KEY``.

Configuration files, catalog items and password fields hold references,
never values. A reference is resolved only at the moment its value is
needed (an outgoing call, a signature check), and the value is never
logged, stored or shown.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "SECRET_REFERENCE",
    "SecretError",
    "SecretReference",
    "is_secret_reference",
    "parse_secret_reference",
    "resolve_secret",
]

SECRET_REFERENCE = re.compile(
    r"^(?:env:[A-Za-z_][A-Za-z0-9_]*"
    r"|file:\S.*"
    r"|vault:[A-Za-z0-9_./-]+#[A-Za-z0-9_.-]+)$"
)

VaultReader = Callable[[str, str], str]


class SecretError(Exception):
    """A secret reference is malformed or cannot be resolved."""


@dataclass(frozen=True, slots=True)
class SecretReference:
    """A parsed reference; ``str()`` gives the reference, never the value."""

    scheme: str
    target: str
    key: str | None = None

    def __str__(self) -> str:
        suffix = f"#{self.key}" if self.key else ""
        return f"{self.scheme}:{self.target}{suffix}"


def is_secret_reference(value: object) -> bool:
    return isinstance(value, str) and SECRET_REFERENCE.match(value) is not None


def parse_secret_reference(value: str) -> SecretReference:
    if not is_secret_reference(value):
        message = (
            "expected a secret reference (env:NAME, file:PATH or vault:PATH#KEY),"
            " got a value that is not one"
        )
        raise SecretError(message)
    scheme, _, rest = value.partition(":")
    if scheme == "vault":
        target, _, key = rest.partition("#")
        return SecretReference(scheme, target, key)
    return SecretReference(scheme, rest)


def resolve_secret(
    reference: str | SecretReference,
    *,
    environ: Mapping[str, str] | None = None,
    vault: VaultReader | None = None,
) -> str:
    """The value behind *reference*; errors name the reference, not a value."""
    ref = (
        reference
        if isinstance(reference, SecretReference)
        else parse_secret_reference(reference)
    )
    if ref.scheme == "env":
        env = os.environ if environ is None else environ
        if ref.target not in env:
            raise SecretError(f"{ref}: environment variable {ref.target} is not set")
        return env[ref.target]
    if ref.scheme == "file":
        try:
            return Path(ref.target).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise SecretError(f"{ref}: cannot read file ({exc.strerror})") from exc
    if vault is None:
        raise SecretError(f"{ref}: no Vault is configured to resolve vault: references")
    return vault(ref.target, ref.key or "")
