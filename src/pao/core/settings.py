"""pao's configuration: one optional YAML file, overridden by the environment.

Precedence, highest first: explicit values (command-line flags), environment
variables, the YAML file (``--config FILE`` or ``PAO_CONFIG``), defaults.

Environment names: every top-level key as ``PAO_<SNAKE_CASE>``
(``PAO_POLL_INTERVAL``), nested keys joined by ``__``
(``PAO_GITHUB__API_URL``), plus the established names ``DATABASE_URL``,
``REDIS_URL``, ``GITHUB_WEBHOOK_SECRET``, ``JIRA_API_TOKEN``,
``CATALOG_GITHUB_REPO`` and ``CORRELATION_ID_HEADER``. Secrets in the file
are references (``env:NAME``, ``file:PATH``, ``vault:PATH#KEY``); a literal
where a reference belongs is refused when the file is loaded.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, field_validator
from pydantic.alias_generators import to_camel
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

from pao.core.secrets import is_secret_reference
from pao.core.yamlio import YamlLoadError, load_yaml_file

__all__ = [
    "ApiSettings",
    "ApiToken",
    "ConfigError",
    "GitHubAppSettings",
    "GitHubSettings",
    "JiraEscalation",
    "JiraInstance",
    "JiraSettings",
    "Settings",
    "TerraformSettings",
    "TrustedProxy",
    "load_settings",
]


class ConfigError(Exception):
    """The configuration file or environment holds an invalid value."""


def _reference(value: str | None) -> str | None:
    if value is not None and not is_secret_reference(value):
        raise ValueError(
            "must be a secret reference (env:NAME, file:PATH or vault:PATH#KEY),"
            " not a literal"
        )
    return value


class _Section(BaseModel):
    model_config = ConfigDict(
        alias_generator=to_camel, populate_by_name=True, extra="forbid"
    )


class GitHubAppSettings(_Section):
    id: int
    private_key: str
    installation_id: int | None = None

    _check_key = field_validator("private_key")(_reference)


class GitHubSettings(_Section):
    api_url: str = "https://api.github.com"
    token: str | None = None
    app: GitHubAppSettings | None = None
    webhook_secret: str | None = None
    catalog_repo: str | None = None
    requests_repo: str | None = None
    admins: list[str] = Field(default_factory=list)

    _check_refs = field_validator("token", "webhook_secret")(_reference)


class JiraAuth(_Section):
    type: Literal["api_token", "bearer", "oauth2"] = "api_token"
    username: str | None = None
    token: str | None = None
    client_id: str | None = None
    client_secret: str | None = None
    token_url: str | None = None

    _check_refs = field_validator("token", "client_secret")(_reference)


class JiraInstance(_Section):
    base_url: str
    flavor: Literal["cloud", "datacenter"] = "cloud"
    auth: JiraAuth = Field(default_factory=JiraAuth)


class JiraEscalation(_Section):
    instance: str | None = None
    project: str = "ORCHESTRATION"
    issue_type: str = "Incident"
    priority: str = "High"


class JiraSettings(_Section):
    instances: dict[str, JiraInstance] = Field(default_factory=dict)
    escalation: JiraEscalation = Field(default_factory=JiraEscalation)
    webhook_secret: str | None = None
    poll_interval: float = 300.0

    _check_refs = field_validator("webhook_secret")(_reference)


class TerraformSettings(_Section):
    url: str = "https://app.terraform.io"
    organization: str = ""
    token: str | None = None
    notification_token: str | None = None
    repositories: dict[str, str] = Field(default_factory=dict)

    _check_refs = field_validator("token", "notification_token")(_reference)


class ApiToken(_Section):
    user: str
    teams: list[str] = Field(default_factory=list)
    token_sha256: str
    admin: bool = False


class TrustedProxy(_Section):
    user_header: str = "X-Forwarded-User"
    teams_header: str = "X-Forwarded-Groups"
    from_: list[str] = Field(default_factory=list, alias="from")


class ApiSettings(_Section):
    tokens: list[ApiToken] = Field(default_factory=list)
    trusted_proxy: TrustedProxy | None = None
    admin_teams: list[str] = Field(default_factory=list)
    metrics_token_sha256: str | None = None
    max_body_bytes: int = 1024 * 1024
    cursor_key: str | None = None

    _check_refs = field_validator("cursor_key")(_reference)


class _YamlFileSource(PydanticBaseSettingsSource):
    """Reads the optional YAML configuration file."""

    def __init__(self, settings_cls: type[BaseSettings], path: Path | None) -> None:
        super().__init__(settings_cls)
        self.path = path

    def get_field_value(self, field: Any, field_name: str) -> tuple[Any, str, bool]:
        # Unused: __call__ returns the whole file at once.
        return None, field_name, False

    def __call__(self) -> dict[str, Any]:
        if self.path is None:
            return {}
        try:
            document = load_yaml_file(self.path)
        except OSError as exc:
            raise ConfigError(f"{self.path}: cannot read ({exc.strerror})") from exc
        except YamlLoadError as exc:
            raise ConfigError(f"{self.path}:{exc.position}: {exc.message}") from exc
        if document.data is None:
            return {}
        if not isinstance(document.data, dict):
            raise ConfigError(f"{self.path}:1:1: the file must hold a mapping")
        # Top-level keys are camelCase in the file, snake_case as fields.
        return {_to_snake(str(key)): value for key, value in document.data.items()}


def _to_snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


class Settings(BaseSettings):
    """Everything pao reads at start-up."""

    model_config = SettingsConfigDict(
        env_prefix="PAO_",
        env_nested_delimiter="__",
        populate_by_name=True,
        extra="forbid",
    )

    catalog_repo: str | None = None
    requests_repo: str | None = None
    data_dir: Path = Path(".pao")
    poll_interval: float = Field(default=30.0, gt=0)
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("database_url", "DATABASE_URL"),
    )
    redis_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("redis_url", "REDIS_URL"),
    )
    correlation_id_header: str = Field(
        default="X-Correlation-ID",
        validation_alias=AliasChoices("correlation_id_header", "CORRELATION_ID_HEADER"),
    )
    log_format: Literal["json", "console"] = "json"
    log_level: str = "info"
    workers: int = Field(default=4, ge=1, le=64)
    # How long a worker's claim on a request lasts without a heartbeat:
    # after a crash, its requests are picked up again this much later.
    lease_seconds: float = Field(default=30.0, gt=0)
    github: GitHubSettings | None = None
    jira: JiraSettings | None = None
    terraform: TerraformSettings | None = None
    api: ApiSettings = Field(default_factory=ApiSettings)
    environment: list[str] = Field(default_factory=list)
    # Environment variables a request's password field may name as
    # ``env:NAME``. Requesters write those references, so by default they
    # may name none: otherwise a request could send the controller's own
    # credentials to a target of its choosing.
    request_secret_env: list[str] = Field(default_factory=list)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = os.environ.get("PAO_CONFIG") or _CONFIG_PATH.get("path")
        yaml_source = _YamlFileSource(settings_cls, Path(path) if path else None)
        return (init_settings, env_settings, yaml_source)

    def github_webhook_secret(self) -> str | None:
        """The reference to the GitHub webhook secret, wherever it was given."""
        if self.github and self.github.webhook_secret:
            return self.github.webhook_secret
        if "GITHUB_WEBHOOK_SECRET" in os.environ:
            return "env:GITHUB_WEBHOOK_SECRET"
        return None


# Set by load_settings for the duration of one load; pydantic-settings gives
# sources no other way to receive a per-call argument.
_CONFIG_PATH: dict[str, str] = {}


def load_settings(config: Path | None = None, **overrides: Any) -> Settings:
    """Load settings from *config* (or ``PAO_CONFIG``), the environment and
    the explicit *overrides* (``None`` values are ignored)."""
    given = {key: value for key, value in overrides.items() if value is not None}
    if config is not None:
        _CONFIG_PATH["path"] = str(config)
    try:
        settings = Settings(**given)
    except ConfigError:
        raise
    except ValueError as exc:
        raise ConfigError(_describe(exc)) from None
    finally:
        _CONFIG_PATH.clear()
    _apply_established_names(settings)
    return settings


def _apply_established_names(settings: Settings) -> None:
    # The seed's variable names keep working without a config file.
    repo = os.environ.get("CATALOG_GITHUB_REPO")
    if repo:
        if settings.github is None:
            settings.github = GitHubSettings()
        settings.github.catalog_repo = settings.github.catalog_repo or repo
    if "JIRA_API_TOKEN" in os.environ and settings.jira is not None:
        for instance in settings.jira.instances.values():
            if instance.auth.token is None:
                instance.auth.token = "env:JIRA_API_TOKEN"  # noqa: S105


def _describe(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return str(exc)
    lines = []
    for error in errors():
        where = ".".join(str(part) for part in error["loc"]) or "(root)"
        lines.append(f"{where}: {error['msg']}")
    return "invalid configuration: " + "; ".join(lines)
