"""Start the stand-ins a demo or a test needs, together, and stop them."""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from pao.standins.base import Standin
from pao.standins.github_actions import GithubActionsStandin
from pao.standins.jira import JiraStandin
from pao.standins.jira_model import Flavor
from pao.standins.rest_target import RestTarget
from pao.standins.terraform import TerraformStandin

__all__ = [
    "GithubActionsOptions",
    "JiraOptions",
    "Standins",
    "StandinsConfig",
    "TerraformOptions",
    "start_all",
]


@dataclass(frozen=True)
class JiraOptions:
    api_token: str
    flavor: Flavor = "cloud"
    projects: tuple[str, ...] = ("DBA", "NET", "ORCHESTRATION")
    email: str = "pao-bot@acme.example"
    webhook_url: str | None = None
    webhook_secret: str | None = None


@dataclass(frozen=True)
class TerraformOptions:
    token: str
    organization: str = "acme"
    step_seconds: float | None = 1.0
    notification_url: str | None = None
    notification_token: str | None = None


@dataclass(frozen=True)
class GithubActionsOptions:
    token: str
    step_seconds: float | None = 1.0
    webhook_url: str | None = None
    webhook_secret: str | None = None


@dataclass(frozen=True)
class StandinsConfig:
    """Which stand-ins to start; None leaves one out."""

    rest_target: bool = True
    webhook_secret: str | None = None
    jira: JiraOptions | None = None
    terraform: TerraformOptions | None = None
    github_actions: GithubActionsOptions | None = None


@dataclass
class Standins:
    """The running stand-ins; ``close()`` (or leaving the context) stops them."""

    rest_target: RestTarget | None = None
    jira: JiraStandin | None = None
    terraform: TerraformStandin | None = None
    github_actions: GithubActionsStandin | None = None
    _stack: ExitStack = field(default_factory=ExitStack, repr=False)

    @property
    def urls(self) -> dict[str, str]:
        """Each running stand-in's base URL, by name."""
        return {standin.name: standin.url for standin in self.all()}

    def all(self) -> list[Standin]:
        """The configured stand-ins, started or not."""
        candidates = (self.rest_target, self.jira, self.terraform, self.github_actions)
        return [standin for standin in candidates if standin is not None]

    def close(self) -> None:
        self._stack.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _build(config: StandinsConfig) -> Standins:
    standins = Standins()
    if config.rest_target:
        standins.rest_target = RestTarget(webhook_secret=config.webhook_secret)
    if (jira := config.jira) is not None:
        standins.jira = JiraStandin(
            flavor=jira.flavor,
            projects=jira.projects,
            email=jira.email,
            api_token=jira.api_token,
            webhook_url=jira.webhook_url,
            webhook_secret=jira.webhook_secret,
        )
    if (tfc := config.terraform) is not None:
        standins.terraform = TerraformStandin(
            token=tfc.token,
            organization=tfc.organization,
            step_seconds=tfc.step_seconds,
            notification_url=tfc.notification_url,
            notification_token=tfc.notification_token,
        )
    if (gha := config.github_actions) is not None:
        standins.github_actions = GithubActionsStandin(
            token=gha.token,
            step_seconds=gha.step_seconds,
            webhook_url=gha.webhook_url,
            webhook_secret=gha.webhook_secret,
        )
    return standins


def start_all(config: StandinsConfig) -> Standins:
    """Start every stand-in *config* asks for; stop them all on failure."""
    standins = _build(config)
    with ExitStack() as stack:
        for standin in standins.all():
            stack.enter_context(standin.serve())
        standins._stack = stack.pop_all()
    return standins
