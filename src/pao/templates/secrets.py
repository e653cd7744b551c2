"""Secret values: references that resolve only when an action runs.

A :class:`Secret` stands in the render context wherever a secret belongs
(``secrets.NAME`` and password fields). It holds the reference
(``env:NAME``, ``file:PATH``, ``vault:PATH#KEY``, parsed by
:mod:`pao.core.secrets`) and resolves it through a
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
from pathlib import Path
from typing import Any, Final, Protocol

from pao.core import secrets as references
from pao.core.secrets import SecretReference, VaultReader
from pao.templates.errors import InvalidSecretReferenceError, SecretResolutionError

__all__ = [
    "MASK",
    "DefaultSecretResolver",
    "Secret",
    "SecretResolver",
    "find_secrets",
    "mask",
]

# What a secret looks like in every preview, log line, status file and
# comment. Deliberately the same for every secret: even the name of the
# secret used can be sensitive in a public pull request.
MASK: Final = "***"


class SecretResolver(Protocol):
    """Turns a parsed secret reference into the secret's value."""

    def resolve(self, reference: SecretReference) -> str: ...


class DefaultSecretResolver:
    """Resolves ``env:`` and ``file:`` references, and ``vault:`` through
    the *vault* reader when one is configured.

    *environ* defaults to ``os.environ``. *allowed_env* and *file_roots*,
    when given, restrict what may be read: a resolver for references that
    requesters write (password fields) should set both, so that a request
    cannot point a password field at the controller's own credentials.
    """

    def __init__(
        self,
        *,
        environ: Mapping[str, str] | None = None,
        vault: VaultReader | None = None,
        allowed_env: Iterable[str] | None = None,
        file_roots: Iterable[str | os.PathLike[str]] | None = None,
    ) -> None:
        self._environ = environ
        self._vault = vault
        self._allowed_env = None if allowed_env is None else frozenset(allowed_env)
        self._file_roots = (
            None if file_roots is None else [Path(r).resolve() for r in file_roots]
        )

    def resolve(self, reference: SecretReference | str) -> str:
        if isinstance(reference, str):
            reference = _parse(reference)
        self._check_allowed(reference)
        try:
            return references.resolve_secret(
                reference, environ=self._environ, vault=self._vault
            )
        except references.SecretError as exc:
            raise SecretResolutionError(str(exc)) from exc

    def _check_allowed(self, reference: SecretReference) -> None:
        allowed_env = self._allowed_env
        env_allowed = allowed_env is None or reference.target in allowed_env
        if reference.scheme == "env" and not env_allowed:
            message = f"{reference}: this environment variable may not be used"
            raise SecretResolutionError(message)
        if reference.scheme == "file" and self._file_roots is not None:
            path = Path(reference.target).resolve()
            if not any(path.is_relative_to(root) for root in self._file_roots):
                message = f"{reference}: outside the allowed secret directories"
                raise SecretResolutionError(message)


def _parse(text: str) -> SecretReference:
    try:
        return references.parse_secret_reference(text)
    except references.SecretError as exc:
        # The message does not repeat the text: it may be a password.
        raise InvalidSecretReferenceError(str(exc)) from exc


_DEFAULT_RESOLVER: Final = DefaultSecretResolver()


class Secret:
    """A secret's reference, and its value once a live render resolves it.

    ``str()`` and ``repr()`` never show the value. *name* is the variable
    path the secret sits at (``secrets.dbApiToken``), for error messages.
    Without a *resolver*, a :class:`DefaultSecretResolver` reads it.
    *preview* is what a preview render prints for it: MASK, or for text
    built from secrets (``concat('Bearer ', secrets.t)``) that text with
    each secret part masked.
    """

    __slots__ = (
        "_derived",
        "_resolver",
        "_roots",
        "_value",
        "name",
        "preview",
        "reference",
    )

    def __init__(
        self,
        reference: str,
        *,
        name: str = "secret",
        resolver: SecretResolver | None = None,
        value: str | None = None,
        preview: str = MASK,
    ) -> None:
        self.reference = reference
        self.name = name
        self.preview = preview
        self._resolver = resolver
        self._value = value
        self._derived: list[str] = []
        # The secrets from the context this one was computed from.
        self._roots: tuple[Secret, ...] = (self,)

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
        resolver = self._resolver or _DEFAULT_RESOLVER
        try:
            reference = _parse(self.reference)
        except InvalidSecretReferenceError as exc:
            message = f"{self.name}: {exc.message}"
            raise InvalidSecretReferenceError(message, path=self.name) from exc
        try:
            return resolver.resolve(reference)
        except SecretResolutionError as exc:
            message = f"{self.name}: {exc.message}"
            raise SecretResolutionError(message, path=self.name) from exc

    def derive(self, value: str, *sources: Secret) -> Secret:
        """A resolved secret for *value*, computed from this one (and
        *sources*): a live render's ``base64(secrets.x)``.

        The value is remembered on the context's secrets it came from, so
        that :func:`mask` scrubs it too.
        """
        roots = tuple({id(r): r for s in (self, *sources) for r in s._roots}.values())
        for root in roots:
            if value not in root._derived:
                root._derived.append(value)
        derived = Secret(self.reference, name=self.name, value=value)
        derived._roots = roots
        return derived

    def masked(self, preview: str = MASK) -> Secret:
        """An unresolved stand-in that a preview prints as *preview*."""
        return Secret(self.reference, name=self.name, preview=preview)

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


def mask(
    text: str, secrets: Iterable[Secret | str] | Mapping[str, Secret | str]
) -> str:
    """Replace every resolved secret value found in *text* with MASK.

    *secrets* are :class:`Secret` objects (their resolved and derived
    values are masked), plain values, or a mapping whose values are either.
    """
    if isinstance(secrets, Mapping):
        secrets = secrets.values()
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
