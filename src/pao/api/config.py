"""The API's configuration, with every secret already resolved.

The controller builds one :class:`ApiConfig` at start-up, usually with
:meth:`ApiConfig.from_settings`; the API itself never reads the
environment or resolves secret references.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pao.core.secrets import resolve_secret
from pao.core.settings import Settings

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_WEBHOOK_BODY_BYTES",
    "ApiConfig",
    "IPNetwork",
    "ProxyTrust",
    "TokenGrant",
]

DEFAULT_MAX_BODY_BYTES = 1024 * 1024
# GitHub caps webhook payloads at 25 MB; a larger cap buys nothing and a
# smaller one would drop big push events.
DEFAULT_MAX_WEBHOOK_BODY_BYTES = 25 * 1024 * 1024

IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")


def _check_sha256(value: str, *, what: str) -> str:
    normalized = value.strip().lower()
    if not _SHA256_HEX.match(normalized):
        message = f"{what} must be 64 hexadecimal digits (a SHA-256), got {value!r}"
        raise ValueError(message)
    return normalized


@dataclass(frozen=True, slots=True)
class TokenGrant:
    """A bearer token (by its SHA-256) and the identity it stands for."""

    user: str
    teams: frozenset[str]
    token_sha256: str
    admin: bool = False

    def __post_init__(self) -> None:
        digest = _check_sha256(self.token_sha256, what=f"tokenSha256 of {self.user}")
        object.__setattr__(self, "token_sha256", digest)


@dataclass(frozen=True, slots=True)
class ProxyTrust:
    """Identity headers to believe, and the peers allowed to send them."""

    user_header: str
    teams_header: str
    networks: tuple[IPNetwork, ...]

    @classmethod
    def from_cidrs(
        cls, *, user_header: str, teams_header: str, cidrs: Iterable[str]
    ) -> ProxyTrust:
        networks = tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)
        return cls(
            user_header=user_header, teams_header=teams_header, networks=networks
        )

    def trusts(self, peer: str | None) -> bool:
        """Whether *peer* (an IP address) may assert an identity."""
        if peer is None:
            return False
        try:
            address = ipaddress.ip_address(peer)
        except ValueError:
            return False
        return any(address in network for network in self.networks)


@dataclass(frozen=True, kw_only=True)
class ApiConfig:
    """Everything the API reads from configuration."""

    tokens: tuple[TokenGrant, ...] = ()
    trusted_proxy: ProxyTrust | None = None
    admin_teams: frozenset[str] = frozenset()
    # When set, /metrics takes only this token; otherwise any caller pao
    # authenticates may read it.
    metrics_token_sha256: str | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    max_webhook_body_bytes: int = DEFAULT_MAX_WEBHOOK_BODY_BYTES
    # Signs pagination cursors. Replicas behind one load balancer must
    # share it; without it each process draws its own at start-up.
    cursor_key: bytes | None = None
    correlation_id_header: str = "X-Correlation-ID"
    github_webhook_secret: str | None = field(default=None, repr=False)
    jira_webhook_secret: str | None = field(default=None, repr=False)
    terraform_notification_token: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        if self.metrics_token_sha256 is not None:
            digest = _check_sha256(self.metrics_token_sha256, what="metricsTokenSha256")
            object.__setattr__(self, "metrics_token_sha256", digest)
        for name in ("max_body_bytes", "max_webhook_body_bytes"):
            if getattr(self, name) <= 0:
                message = f"{name} must be positive, got {getattr(self, name)}"
                raise ValueError(message)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        *,
        resolve: Callable[[str], str] = resolve_secret,
    ) -> ApiConfig:
        """Build the API's view of *settings*, resolving secret references."""
        api = settings.api
        github, jira, tf = settings.github, settings.jira, settings.terraform
        admins = set(api.admin_teams) | set(github.admins if github else ())
        proxy = api.trusted_proxy

        def optional(reference: str | None) -> str | None:
            return resolve(reference) if reference else None

        cursor_key = optional(api.cursor_key)
        return cls(
            tokens=tuple(
                TokenGrant(
                    user=token.user,
                    teams=frozenset(token.teams),
                    token_sha256=token.token_sha256,
                    admin=token.admin,
                )
                for token in api.tokens
            ),
            trusted_proxy=ProxyTrust.from_cidrs(
                user_header=proxy.user_header,
                teams_header=proxy.teams_header,
                cidrs=proxy.from_,
            )
            if proxy
            else None,
            admin_teams=frozenset(admins),
            metrics_token_sha256=api.metrics_token_sha256,
            max_body_bytes=api.max_body_bytes,
            cursor_key=cursor_key.encode() if cursor_key else None,
            correlation_id_header=settings.correlation_id_header,
            github_webhook_secret=optional(settings.github_webhook_secret()),
            jira_webhook_secret=optional(jira.webhook_secret if jira else None),
            terraform_notification_token=optional(
                tf.notification_token if tf else None
            ),
        )
