"""Who is calling, and what they may see.

Two ways to authenticate, tried in this order:

1. ``Authorization: Bearer <token>``. Configuration holds only each
   token's SHA-256 (``tokenSha256``); the presented token is hashed and
   compared with every configured digest in constant time. A bearer header
   that matches nothing is refused outright, even when proxy headers are
   present too.
2. Identity headers (``X-Forwarded-User``, ``X-Forwarded-Groups`` with
   comma-separated teams, names configurable) set by an authenticating
   reverse proxy. They are believed only when the TCP peer lies inside
   the configured CIDRs, and ignored otherwise. The peer must be the real
   socket address: run uvicorn without ``--proxy-headers`` so that
   ``X-Forwarded-For`` cannot rewrite it.

Each operation declares its :class:`Access`. ``PUBLIC`` operations
(health, version, webhooks) take anonymous callers. ``METRICS`` takes the
dedicated metrics token when ``metricsTokenSha256`` is configured and
nothing else, so a scraper's credential opens nothing but the metrics;
without it, metrics need an ordinary authenticated caller. Everything else
is ``USER``. A request is visible to its own team, the catalog item's
owner team and admins; to anyone else it does not exist (404, not 403),
so that request names do not leak.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum

import structlog
from starlette.datastructures import Headers
from starlette.requests import Request

from pao.api.config import ApiConfig
from pao.api.errors import NotFound, Unauthorized

__all__ = [
    "Access",
    "Authenticator",
    "Principal",
    "can_see_request",
    "principal_of",
    "require_visible_request",
]

log = structlog.get_logger(__name__)

_PRINCIPAL_KEY = "pao.principal"


class Access(StrEnum):
    PUBLIC = "public"
    USER = "user"
    METRICS = "metrics"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller."""

    user: str
    teams: frozenset[str]
    admin: bool = False


def can_see_request(
    principal: Principal, request_team: str, owner_team: str | None
) -> bool:
    """Whether *principal* may see a request of *request_team* for an item
    owned by *owner_team*."""
    if principal.admin:
        return True
    return request_team in principal.teams or (
        owner_team is not None and owner_team in principal.teams
    )


def require_visible_request(
    principal: Principal,
    *,
    request_team: str,
    owner_team: str | None,
    request_id: str,
) -> None:
    """Raise the same 404 as for a missing request when it is not visible."""
    if not can_see_request(principal, request_team, owner_team):
        raise NotFound(f"no request {request_id!r}", code="request_not_found")


def principal_of(request: Request) -> Principal:
    """The caller of a ``USER`` operation (set before the endpoint runs)."""
    principal = request.scope.get(_PRINCIPAL_KEY)
    if not isinstance(principal, Principal):
        message = "principal_of() called outside an authenticated operation"
        raise RuntimeError(message)
    return principal


class Authenticator:
    """Turns a request's headers and peer address into a :class:`Principal`."""

    def __init__(self, config: ApiConfig) -> None:
        self._proxy = config.trusted_proxy
        self._admin_teams = config.admin_teams
        self._metrics_digest = config.metrics_token_sha256
        self._by_digest: dict[str, Principal] = {
            grant.token_sha256: self._principal(
                grant.user, grant.teams, admin=grant.admin
            )
            for grant in config.tokens
        }

    def authorize(self, request: Request, access: Access) -> Principal | None:
        """Check *request* against *access*; raise :class:`Unauthorized`."""
        principal = self._authorize(request.headers, _peer(request), access)
        if principal is not None:
            request.scope[_PRINCIPAL_KEY] = principal
        return principal

    def _authorize(
        self, headers: Headers, peer: str | None, access: Access
    ) -> Principal | None:
        if access is Access.PUBLIC:
            return None
        if access is Access.METRICS and self._metrics_digest is not None:
            return self._authorize_metrics(headers)
        principal = self.authenticate(headers, peer)
        if principal is None:
            raise Unauthorized("authentication required", code="unauthenticated")
        return principal

    def authenticate(self, headers: Headers, peer: str | None) -> Principal | None:
        """The caller's identity, ``None`` for anonymous callers."""
        token = _bearer_token(headers)
        if token is not None:
            return self._principal_for_token(token)
        return self._principal_from_proxy(headers, peer)

    def _authorize_metrics(self, headers: Headers) -> Principal:
        token = _bearer_token(headers)
        assert self._metrics_digest is not None
        if token is None or not _digest_matches(token, self._metrics_digest):
            raise Unauthorized("the metrics token is required", code="invalid_token")
        return Principal(user="metrics", teams=frozenset())

    def _principal_for_token(self, token: str) -> Principal:
        # A lookup by digest: its timing depends on the digest of what the
        # caller sent, and steering that towards a configured digest is a
        # preimage search, so nothing about the tokens leaks.
        found = self._by_digest.get(_sha256_hex(token))
        if found is None:
            raise Unauthorized("the bearer token is not valid", code="invalid_token")
        return found

    def _principal_from_proxy(
        self, headers: Headers, peer: str | None
    ) -> Principal | None:
        proxy = self._proxy
        if proxy is None:
            return None
        user = headers.get(proxy.user_header, "").strip()
        if not user:
            return None
        if not proxy.trusts(peer):
            log.warning("untrusted_identity_headers", peer=peer)
            return None
        raw_teams = headers.get(proxy.teams_header, "")
        teams = frozenset(team.strip() for team in raw_teams.split(",") if team.strip())
        return self._principal(user, teams, admin=False)

    def _principal(self, user: str, teams: frozenset[str], *, admin: bool) -> Principal:
        is_admin = admin or not teams.isdisjoint(self._admin_teams)
        return Principal(user=user, teams=teams, admin=is_admin)


def _bearer_token(headers: Headers) -> str | None:
    value = headers.get("authorization")
    if value is None:
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "expected 'Authorization: Bearer <token>'", code="invalid_token"
        )
    return token.strip()


def _sha256_hex(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _digest_matches(token: str, digest: str) -> bool:
    return hmac.compare_digest(_sha256_hex(token), digest)


def _peer(request: Request) -> str | None:
    return request.client.host if request.client else None
