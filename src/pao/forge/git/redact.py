"""Masking of credentials embedded in git URLs and in git's own messages."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import unquote

__all__ = ["MASK", "mask_text", "mask_url", "url_secrets"]

MASK = "***"

# scheme://userinfo@ — userinfo cannot hold "/", "@" or whitespace.
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/@\s]+)@")

# Over these schemes a user name alone is usually a token
# (https://TOKEN@host/...); over ssh it is an account such as "git".
_TOKEN_SCHEMES = frozenset({"http", "https", "ftp", "ftps"})


def _mask_userinfo(scheme: str, userinfo: str) -> str:
    user, colon, _password = userinfo.partition(":")
    if colon:
        return f"{user}:{MASK}"
    if scheme.rstrip(":/").lower() in _TOKEN_SCHEMES:
        return MASK
    return user


def _replace(match: re.Match[str]) -> str:
    scheme = match.group("scheme")
    return f"{scheme}{_mask_userinfo(scheme, match.group('userinfo'))}@"


def mask_url(url: str) -> str:
    """Return *url* with any password or access token replaced by ``***``."""
    return _USERINFO.sub(_replace, url)


def url_secrets(url: str) -> tuple[str, ...]:
    """The secret parts of *url* (raw and percent-decoded), longest first."""
    match = _USERINFO.search(url)
    if match is None:
        return ()
    scheme = match.group("scheme")
    user, colon, password = match.group("userinfo").partition(":")
    found = {password} if colon else set()
    if not colon and scheme.rstrip(":/").lower() in _TOKEN_SCHEMES:
        found.add(user)
    found |= {unquote(secret) for secret in found}
    return tuple(sorted((s for s in found if s), key=len, reverse=True))


def mask_text(text: str, secrets: Iterable[str] = ()) -> str:
    """Mask URL credentials in *text*, and every occurrence of *secrets*."""
    masked = _USERINFO.sub(_replace, text)
    for secret in secrets:
        masked = masked.replace(secret, MASK)
    return masked
