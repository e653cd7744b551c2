"""Secret values: references that resolve only when an action runs.

A :class:`Secret` stands in the render context wherever a secret belongs
(``secrets.NAME`` and password fields). It holds the reference
(``env:NAME``, ``file:PATH``, ``vault:PATH#KEY``) and resolves it through a
:class:`SecretResolver` the first time a live render needs the value.
Preview renders (plans, comments, status files, the CLI, the API's test
tool) print :data:`MASK` instead and never resolve anything.

After a live render, :func:`mask` scrubs every value resolved so far (and
the values derived from them, such as a base64 ``Authorization`` header)
out of error messages and response bodies.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Protocol

from pao.templates.errors import InvalidSecretReferenceError, SecretResolutionError

__all__ = [
    "MASK",
    "DefaultSecretResolver",
    "Secret",
    "SecretReference",
    "SecretResolver",
    "find_secrets",
    "mask",
    "parse_secret_reference",
]

# What a secret looks like in every preview, log line, status file and
# comment. Deliberately the same for every secret: even the name of the
# secret used can be sensitive in a public pull request.
MASK: Final = "***"

_SCHEMES: Final = ("env", "file", "vault")


@dataclass(frozen=True, slots=True)
class SecretReference:
    """A parsed reference: ``scheme`` (env, file, vault) and its target."""

    scheme: str
    target: str

    def __str__(self) -> str:
        return f"{self.scheme}:{self.target}"


def parse_secret_reference(text: str) -> SecretReference:
    """Parse ``env:NAME``, ``file:PATH`` or ``vault:PATH#KEY``."""
    scheme, sep, target = text.partition(":")
    if not sep or scheme not in _SCHEMES or not target.strip():
        # The text is not echoed: what is not a reference may be a password.
        message = "secret reference must be env:NAME, file:PATH or vault:PATH#KEY"
        raise InvalidSecretReferenceError(message)
    if scheme == "vault" and "#" not in target:
        message = "vault reference needs a #KEY after the path (vault:PATH#KEY)"
        raise InvalidSecretReferenceError(message)
    return SecretReference(scheme, target)


class SecretResolver(Protocol):
    """Turns a secret reference into the secret's value."""

    def resolve(self, reference: SecretReference) -> str: ...


class DefaultSecretResolver:
    """Resolves ``env:`` and ``file:`` references; ``vault:`` by delegation.

    *environ* defaults to ``os.environ``. *allowed_env* and *file_roots*,
    when given, restrict what may be read: a resolver for references that
    requesters write (password fields) should set both, so that a request
    cannot point a password field at the controller's own credentials.
    """

    def __init__(
        self,
        *,
        environ: Mapping[str, str] | None = None,
        vault: SecretResolver | None = None,
        allowed_env: Iterable[str] | None = None,
        file_roots: Iterable[str | os.PathLike[str]] | None = None,
    ) -> None:
        self._environ = os.environ if environ is None else environ
        self._vault = vault
        self._allowed_env = None if allowed_env is None else frozenset(allowed_env)
        self._file_roots = (
            None if file_roots is None else [Path(r).resolve() for r in file_roots]
        )

    def resolve(self, reference: SecretReference) -> str:
        if reference.scheme == "env":
            return self._from_env(reference.target)
        if reference.scheme == "file":
            return self._from_file(reference.target)
        if self._vault is None:
            message = f"no vault is configured to resolve {reference}"
            raise SecretResolutionError(message)
        return self._vault.resolve(reference)

    def _from_env(self, name: str) -> str:
        if self._allowed_env is not None and name not in self._allowed_env:
            message = f"environment variable {name} may not be used as a secret"
            raise SecretResolutionError(message)
        value = self._environ.get(name)
        if value is None:
            raise SecretResolutionError(f"environment variable {name} is not set")
        return value

    def _from_file(self, target: str) -> str:
        path = Path(target).resolve()
        if self._file_roots is not None and not any(
            path.is_relative_to(root) for root in self._file_roots
        ):
            message = f"file {target} is outside the allowed secret directories"
            raise SecretResolutionError(message)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            message = f"cannot read secret file {target}: {type(exc).__name__}"
            raise SecretResolutionError(message) from exc
        # Files written by editors and `echo` end with one newline that is
        # not part of the secret.
        return text.removesuffix("\n")


class Secret:
    """A secret's reference, and its value once a live render resolves it.

    ``str()`` and ``repr()`` never show the value. *name* is the variable
    path the secret sits at (``secrets.dbApiToken``), for error messages.
    """

    __slots__ = ("_derived", "_resolver", "_value", "name", "reference")

    def __init__(
        self,
        reference: str,
        *,
        name: str = "secret",
        resolver: SecretResolver | None = None,
        value: str | None = None,
    ) -> None:
        self.reference = reference
        self.name = name
        self._resolver = resolver
        self._value = value
        self._derived: list[str] = []

    def __str__(self) -> str:
        return MASK

    def __repr__(self) -> str:
        return f"Secret({self.name!r}, {MASK!r})"

    @property
    def revealed(self) -> bool:
        """Whether the value has been resolved (or was given)."""
        return self._value is not None

    def reveal(self) -> str:
        """The value, resolving the reference on first use."""
        if self._value is None:
            self._value = self._resolve()
        return self._value

    def _resolve(self) -> str:
        if self._resolver is None:
            raise SecretResolutionError(f"{self.name}: no secret resolver configured")
        try:
            reference = parse_secret_reference(self.reference)
            return self._resolver.resolve(reference)
        except SecretResolutionError as exc:
            raise SecretResolutionError(f"{self.name}: {exc.message}") from exc
        except InvalidSecretReferenceError as exc:
            message = f"{self.name}: {exc.message}"
            raise InvalidSecretReferenceError(message) from exc

    def derive(self, value: str, *sources: Secret) -> Secret:
        """A secret for *value*, computed from this one (and *sources*).

        The derived value is remembered on every source so that :func:`mask`
        scrubs it too.
        """
        for source in (self, *sources):
            source._derived.append(value)
        return Secret(self.reference, name=self.name, value=value)

    def values(self) -> list[str]:
        """The resolved value and every value derived from it so far."""
        own = [] if self._value is None else [self._value]
        return own + self._derived


def find_secrets(value: Any) -> Iterator[Secret]:
    """Every :class:`Secret` inside *value* (a context, config or scope)."""
    if isinstance(value, Secret):
        yield value
    elif isinstance(value, Mapping):
        for item in value.values():
            yield from find_secrets(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from find_secrets(item)


def mask(text: str, secrets: Iterable[Secret | str]) -> str:
    """Replace every resolved secret value found in *text* with MASK."""
    values: set[str] = set()
    for secret in secrets:
        if isinstance(secret, Secret):
            values.update(secret.values())
        else:
            values.add(secret)
    # Longest first, so a value that contains another is masked whole.
    for value in sorted(values, key=len, reverse=True):
        if value:
            text = text.replace(value, MASK)
    return text
