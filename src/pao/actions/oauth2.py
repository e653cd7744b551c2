"""OAuth2 client-credentials tokens, fetched once and reused until expiry.

Tokens are cached per token URL, client id and scope, and refreshed a
little before they expire. A target that still answers 401 to a cached
token gets one more call with a fresh token (the caller's job, through
:meth:`OAuth2Tokens.invalidate`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus, urlencode

from pao.actions.auth import OAuth2Auth, basic_credentials
from pao.actions.context import ActionContext
from pao.actions.errors import ActionAuthError, PermanentActionError
from pao.actions.http import HttpReply, HttpSender, OutgoingRequest

__all__ = ["IssuedToken", "OAuth2Tokens"]

TokenKey = tuple[str, str, str]

# Without ``expires_in`` a token is trusted this long; a 401 refreshes it
# sooner if the server thought otherwise.
_DEFAULT_LIFETIME = 300.0
# Refresh this long before expiry (capped at a tenth of the lifetime) so a
# token does not expire between the cache check and the call.
_REFRESH_MARGIN = 30.0


@dataclass(frozen=True, slots=True)
class IssuedToken:
    """An access token and whether it came from the cache."""

    value: str
    cached: bool


@dataclass(frozen=True, slots=True)
class _Entry:
    value: str
    refresh_at: float


class OAuth2Tokens:
    """Fetches client-credentials tokens and keeps them until near expiry."""

    def __init__(
        self,
        *,
        sender: Callable[[], HttpSender],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sender = sender
        self._clock = clock
        self._entries: dict[TokenKey, _Entry] = {}
        self._locks: dict[TokenKey, threading.Lock] = {}
        self._guard = threading.Lock()

    def token(self, auth: OAuth2Auth, ctx: ActionContext) -> IssuedToken:
        """A valid token for *auth*, from the cache when it has one."""
        key = _key(auth)
        # One fetch per key at a time: concurrent actions share its result.
        with self._lock_for(key):
            entry = self._entries.get(key)
            if entry is not None and self._clock() < entry.refresh_at:
                return IssuedToken(entry.value, cached=True)
            value, lifetime = self._fetch(auth, ctx)
            margin = min(_REFRESH_MARGIN, lifetime / 10)
            self._entries[key] = _Entry(value, self._clock() + lifetime - margin)
            return IssuedToken(value, cached=False)

    def invalidate(self, auth: OAuth2Auth, value: str) -> None:
        """Drop *value* from the cache, unless a newer token replaced it."""
        key = _key(auth)
        with self._lock_for(key):
            entry = self._entries.get(key)
            if entry is not None and entry.value == value:
                del self._entries[key]

    def clear(self) -> None:
        with self._guard:
            self._entries.clear()

    def _lock_for(self, key: TokenKey) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(key, threading.Lock())

    def _fetch(self, auth: OAuth2Auth, ctx: ActionContext) -> tuple[str, float]:
        try:
            reply = self._sender().send(_token_request(auth), ctx=ctx)
        except ActionAuthError as exc:
            message = (
                f"the OAuth2 token endpoint {exc.url} rejected client"
                f" {auth.client_id!r} ({exc.status}); check clientId and"
                " clientSecret"
            )
            error = ActionAuthError(
                message,
                method=exc.method,
                url=exc.url,
                status=exc.status,
                body_excerpt=exc.body_excerpt,
            )
            error.attempts = exc.attempts
            raise error from None
        return _parse_token(reply)


def _key(auth: OAuth2Auth) -> TokenKey:
    return (auth.token_url, auth.client_id, auth.scope_text() or "")


def _token_request(auth: OAuth2Auth) -> OutgoingRequest:
    # Client credentials go in a Basic header, form-encoded first, as RFC
    # 6749 section 2.3.1 asks; every server must accept this form.
    form = {"grant_type": "client_credentials"}
    scope = auth.scope_text()
    if scope:
        form["scope"] = scope
    credentials = basic_credentials(
        quote_plus(auth.client_id), quote_plus(auth.client_secret)
    )
    return OutgoingRequest(
        method="POST",
        url=auth.token_url,
        headers={
            "Authorization": credentials,
            "Content-Type": "application/x-www-form-urlencoded",
            "Accept": "application/json",
        },
        content=urlencode(form).encode("ascii"),
    )


def _parse_token(reply: HttpReply) -> tuple[str, float]:
    body: Any = reply.body
    token = body.get("access_token") if isinstance(body, dict) else None
    if not isinstance(token, str) or not token:
        message = (
            f"the OAuth2 token endpoint {reply.url} answered without an access_token"
        )
        raise PermanentActionError(message, url=reply.url, status=reply.status)
    token_type = str(body.get("token_type", "bearer"))
    if token_type.lower() != "bearer":
        message = (
            f"the OAuth2 token endpoint {reply.url} issued a {token_type!r} token;"
            " only bearer tokens are supported"
        )
        raise PermanentActionError(message, url=reply.url, status=reply.status)
    return token, _lifetime(body.get("expires_in"))


def _lifetime(expires_in: object) -> float:
    try:
        seconds = float(expires_in)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return _DEFAULT_LIFETIME
    return seconds if seconds > 0 else _DEFAULT_LIFETIME
