"""The executors that call Jira, Terraform Cloud and GitHub Actions.

Importing :mod:`pao.actions` registers them unconfigured, so that catalog
validation knows their config shapes; their calls fail until the
controller, at start-up, calls :func:`register_vendor_executors` with the
configuration. That returns the executors and the :class:`JiraService`
the controller uses for comments and escalations.
"""

from __future__ import annotations

from dataclasses import dataclass

from pao.actions.executor import ActionExecutor
from pao.actions.github_workflow import GithubWorkflowExecutor
from pao.actions.http import HttpSender
from pao.actions.jira import JiraService, JiraTicketExecutor
from pao.actions.registry import register
from pao.actions.terraform import TerraformExecutor
from pao.actions.vendor_config import VendorConfig
from pao.core.settings import Settings

__all__ = ["VendorExecutors", "build_vendor_executors", "register_vendor_executors"]


@dataclass(frozen=True)
class VendorExecutors:
    """The vendor executors of one configuration, and pao's Jira."""

    config: VendorConfig
    jira: JiraService
    jira_ticket: JiraTicketExecutor
    terraform: TerraformExecutor
    github_workflow: GithubWorkflowExecutor

    def executors(self) -> tuple[ActionExecutor, ...]:
        return (self.jira_ticket, self.terraform, self.github_workflow)


def build_vendor_executors(
    config: VendorConfig | Settings, *, sender: HttpSender | None = None
) -> VendorExecutors:
    """The executors for *config* (or the settings it comes from)."""
    if isinstance(config, Settings):
        config = VendorConfig.from_settings(config)
    jira = JiraService(config.jira, sender=sender)
    return VendorExecutors(
        config=config,
        jira=jira,
        jira_ticket=JiraTicketExecutor(jira),
        terraform=TerraformExecutor(config.terraform, sender=sender),
        github_workflow=GithubWorkflowExecutor(config.github, sender=sender),
    )


def register_vendor_executors(
    config: VendorConfig | Settings, *, sender: HttpSender | None = None
) -> VendorExecutors:
    """Serve ``jira-ticket``, ``terraform`` and ``github-workflow`` actions
    with *config*, replacing the executors registered before."""
    built = build_vendor_executors(config, sender=sender)
    for executor in built.executors():
        register(executor, replace=True)
    return built
