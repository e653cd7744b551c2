"""Where the vendor-backed actions find their systems, and as whom they call.

``jira-ticket``, ``terraform`` and ``github-workflow`` actions name only a
Jira instance, a workspace or a repository; the instances, URLs and
credentials come from pao's configuration. :meth:`VendorConfig.from_settings`
builds this from :class:`pao.core.settings.Settings`. Credentials stay
references until a call needs them: each is a :data:`Credential`, a
function returning the current value, so a rotated secret is picked up
without a restart and the value is never kept.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from pao.actions.errors import PermanentActionError
from pao.core.secrets import SecretError, resolve_secret
from pao.core.settings import (
    GitHubSettings,
    JiraAuth,
    JiraSettings,
    Settings,
    TerraformSettings,
)

__all__ = [
    "Credential",
    "EscalationTarget",
    "GitHubConfig",
    "JiraAuthConfig",
    "JiraConfig",
    "JiraInstanceConfig",
    "MissingCredential",
    "TerraformConfig",
    "VendorConfig",
    "read_credential",
    "secret_credential",
]

Credential = Callable[[], str]
SecretResolver = Callable[[str], str]


def read_credential(credential: Credential | None, name: str) -> str:
    """The value of *credential*, or a permanent failure naming the setting."""
    if credential is None:
        raise PermanentActionError(f"{name} is not configured")
    try:
        return credential()
    except MissingCredential as exc:
        raise PermanentActionError(f"cannot read {name}: {exc}") from None


class MissingCredential(LookupError):
    """A credential the configuration needs was not given or not found."""


def secret_credential(
    reference: str, *, resolve: SecretResolver = resolve_secret
) -> Credential:
    """A credential read from *reference* (``env:``, ``file:``, ``vault:``)
    each time it is used."""

    def read() -> str:
        try:
            value = resolve(reference)
        except SecretError as exc:
            raise MissingCredential(str(exc)) from None
        if not value:
            raise MissingCredential(f"{reference} resolved to an empty value")
        return value

    return read


def _credential(
    reference: str | None, where: str, resolve: SecretResolver
) -> Credential:
    if reference is None:

        def missing() -> str:
            raise MissingCredential(f"{where} is not configured")

        return missing
    return secret_credential(reference, resolve=resolve)


@dataclass(frozen=True, kw_only=True)
class JiraAuthConfig:
    """How pao signs in to one Jira instance.

    ``api_token``: HTTP basic with ``username`` (the account's e-mail on
    Cloud) and ``token``. ``bearer``: a personal access token (Data Center)
    in ``token``. ``oauth2``: a client-credentials grant at ``token_url``.
    """

    type: Literal["api_token", "bearer", "oauth2"] = "api_token"
    username: str | None = None
    token: Credential | None = None
    client_id: str | None = None
    client_secret: Credential | None = None
    token_url: str | None = None


@dataclass(frozen=True, kw_only=True)
class JiraInstanceConfig:
    """One Jira site: Cloud speaks REST v3 and ADF, Data Center v2 and text.

    ``web_url`` is where people browse issues; it differs from
    ``base_url`` when the API is reached through a gateway (OAuth2 apps
    call ``api.atlassian.com``).
    """

    name: str
    base_url: str
    flavor: Literal["cloud", "datacenter"] = "cloud"
    auth: JiraAuthConfig = field(default_factory=JiraAuthConfig)
    web_url: str | None = None

    @property
    def api_root(self) -> str:
        version = "3" if self.flavor == "cloud" else "2"
        return f"{self.base_url.rstrip('/')}/rest/api/{version}"

    def browse_url(self, key: str) -> str:
        return f"{(self.web_url or self.base_url).rstrip('/')}/browse/{key}"


@dataclass(frozen=True, kw_only=True)
class EscalationTarget:
    """Where escalation incidents are filed (``None`` instance: the first)."""

    instance: str | None = None
    project: str = "ORCHESTRATION"
    issue_type: str = "Incident"
    priority: str | None = "High"
    labels: tuple[str, ...] = ("pao-escalation",)


@dataclass(frozen=True, kw_only=True)
class JiraConfig:
    """The Jira instances, in configuration order, and the escalation target."""

    instances: Mapping[str, JiraInstanceConfig] = field(
        default_factory=lambda: MappingProxyType({})
    )
    escalation: EscalationTarget = field(default_factory=EscalationTarget)
    poll_interval: float = 300.0

    def instance(self, name: str | None) -> JiraInstanceConfig:
        """The instance called *name*, or the first one for ``None``."""
        if not self.instances:
            raise MissingCredential("no Jira instance is configured (jira.instances)")
        if name is None:
            return next(iter(self.instances.values()))
        try:
            return self.instances[name]
        except KeyError:
            known = ", ".join(self.instances)
            message = f"unknown Jira instance {name!r} (configured: {known})"
            raise MissingCredential(message) from None


@dataclass(frozen=True, kw_only=True)
class TerraformConfig:
    """A Terraform Cloud / Enterprise organization and pao's API token.

    ``repositories`` maps a VCS repository (``acme/dns-infra``) to the
    workspace that runs it, for actions that name a repository.
    """

    url: str = "https://app.terraform.io"
    organization: str = ""
    token: Credential | None = None
    repositories: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({})
    )
    poll_interval: float = 30.0

    @property
    def api_root(self) -> str:
        return f"{self.url.rstrip('/')}/api/v2"


@dataclass(frozen=True, kw_only=True)
class GitHubConfig:
    """The GitHub REST API root (``https://HOST/api/v3`` on Enterprise
    Server) and the token workflow dispatches are sent with."""

    api_url: str = "https://api.github.com"
    token: Credential | None = None
    poll_interval: float = 30.0


@dataclass(frozen=True, kw_only=True)
class VendorConfig:
    """Everything the vendor-backed actions need from configuration."""

    jira: JiraConfig = field(default_factory=JiraConfig)
    terraform: TerraformConfig = field(default_factory=TerraformConfig)
    github: GitHubConfig = field(default_factory=GitHubConfig)

    @classmethod
    def from_settings(
        cls, settings: Settings, *, resolve: SecretResolver = resolve_secret
    ) -> VendorConfig:
        """The vendor configuration in *settings*; secrets stay references."""
        return cls(
            jira=_jira(settings.jira, resolve),
            terraform=_terraform(settings.terraform, resolve),
            github=_github(settings.github, resolve),
        )


def _jira(settings: JiraSettings | None, resolve: SecretResolver) -> JiraConfig:
    if settings is None:
        return JiraConfig()
    instances = {
        name: JiraInstanceConfig(
            name=name,
            base_url=instance.base_url,
            flavor=instance.flavor,
            auth=_jira_auth(instance.auth, f"jira.instances.{name}.auth", resolve),
        )
        for name, instance in settings.instances.items()
    }
    escalation = settings.escalation
    return JiraConfig(
        instances=MappingProxyType(instances),
        escalation=EscalationTarget(
            instance=escalation.instance,
            project=escalation.project,
            issue_type=escalation.issue_type,
            priority=escalation.priority or None,
        ),
        poll_interval=settings.poll_interval,
    )


def _jira_auth(auth: JiraAuth, where: str, resolve: SecretResolver) -> JiraAuthConfig:
    return JiraAuthConfig(
        type=auth.type,
        username=auth.username,
        token=_credential(auth.token, f"{where}.token", resolve),
        client_id=auth.client_id,
        client_secret=_credential(auth.client_secret, f"{where}.clientSecret", resolve),
        token_url=auth.token_url,
    )


def _terraform(
    settings: TerraformSettings | None, resolve: SecretResolver
) -> TerraformConfig:
    if settings is None:
        return TerraformConfig()
    return TerraformConfig(
        url=settings.url,
        organization=settings.organization,
        token=_credential(settings.token, "terraform.token", resolve),
        repositories=MappingProxyType(dict(settings.repositories)),
    )


def _github(settings: GitHubSettings | None, resolve: SecretResolver) -> GitHubConfig:
    if settings is None:
        return GitHubConfig()
    if settings.app is not None:
        return GitHubConfig(
            api_url=settings.api_url, token=_installation_token(settings, resolve)
        )
    return GitHubConfig(
        api_url=settings.api_url,
        token=_credential(settings.token, "github.token", resolve),
    )


def _installation_token(
    settings: GitHubSettings, resolve: SecretResolver
) -> Credential:
    """A GitHub App installation token, minted on first use and renewed
    by the forge layer before it expires."""
    from pao.forge.github.auth import AppCredentials

    app = settings.app
    assert app is not None
    made: list[AppCredentials] = []
    lock = threading.Lock()

    def token() -> str:
        with lock:
            if not made:
                made.append(
                    AppCredentials(
                        app_id=app.id,
                        private_key=resolve(app.private_key),
                        api_url=settings.api_url,
                        installation_id=app.installation_id,
                        repository=settings.requests_repo or settings.catalog_repo,
                    )
                )
        return made[0].token()

    return token
