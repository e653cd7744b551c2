"""Masking of secret values in text, URLs and recorded response data."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, quote, quote_plus, urlencode, urlsplit, urlunsplit

__all__ = [
    "MASK",
    "Masker",
    "SecretMasker",
    "mask_data",
    "mask_headers",
    "mask_url",
]

MASK = "***"

Masker = Callable[[str], str]

# Query parameters whose names suggest a credential are masked in URLs even
# when their value is not a known secret (a token pasted into a catalog item).
_SENSITIVE_PARAM = re.compile(
    r"token|secret|passw|pwd|key|sig|auth|credential|session|code",
    re.IGNORECASE,
)


class SecretMasker:
    """Replaces known secret values, and the ways they get encoded, with ***.

    A value is matched as is, percent-encoded (as it appears in a URL) and
    JSON-escaped (as it appears in a JSON body). Every non-empty value is
    masked, however short: showing a secret is worse than over-masking.
    """

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._secrets = frozenset(s for s in secrets if s)
        variants = {v for s in self._secrets for v in _encoded_forms(s) if v}
        # Longest first, so a secret that contains another is masked whole.
        ordered = sorted(variants, key=len, reverse=True)
        self._pattern = (
            re.compile("|".join(re.escape(v) for v in ordered)) if ordered else None
        )

    def with_secrets(self, secrets: Iterable[str]) -> SecretMasker:
        """A masker that also masks *secrets*."""
        return SecretMasker([*self._secrets, *secrets])

    def __call__(self, text: str) -> str:
        if self._pattern is None:
            return text
        return self._pattern.sub(MASK, text)

    def __repr__(self) -> str:
        return f"SecretMasker(<{len(self._secrets)} secrets>)"


def _encoded_forms(secret: str) -> tuple[str, ...]:
    return (
        secret,
        quote(secret, safe=""),
        quote_plus(secret, safe=""),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
    )


def mask_url(url: str, masker: Masker) -> str:
    """*url* without its password and without credential-like query values."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return masker(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        user = userinfo.partition(":")[0]
        netloc = f"{user}:{MASK}@{hostport}" if ":" in userinfo else netloc
    query = _mask_query(parts.query)
    return masker(urlunsplit(parts._replace(netloc=netloc, query=query)))


def _mask_query(query: str) -> str:
    if not query:
        return query
    pairs = parse_qsl(query, keep_blank_values=True)
    masked = [
        (name, MASK if _SENSITIVE_PARAM.search(name) else value)
        for name, value in pairs
    ]
    return urlencode(masked, safe="*")


# Answer headers that carry credentials of their own (a session cookie, a
# token echoed back) are recorded without their values.
_SENSITIVE_HEADER = re.compile(
    r"cookie|authorization|token|secret|api-?key|session", re.IGNORECASE
)


def mask_headers(headers: Iterable[tuple[str, str]], masker: Masker) -> dict[str, str]:
    """*headers* with lower-cased names, credential-like values hidden."""
    return {
        name.lower(): MASK if _SENSITIVE_HEADER.search(name) else masker(value)
        for name, value in headers
    }


def mask_data(value: Any, masker: Masker) -> Any:
    """A copy of JSON-like *value* with every string passed through *masker*."""
    if isinstance(value, str):
        return masker(value)
    if isinstance(value, dict):
        return {masker(str(k)): mask_data(v, masker) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [mask_data(v, masker) for v in value]
    return value
