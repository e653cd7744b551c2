"""Local stand-ins for the systems pao's actions call.

Real HTTP servers on 127.0.0.1, shaped after each vendor's documented API,
used by the test suite and by ``pao demo``: a generic REST target and
webhook receiver, Jira (Cloud and Data Center), Terraform Cloud, GitHub
Actions, and GitHub itself (REST API, git remotes, webhooks). Each keeps
its state in a plain object tests can read and script, records every
request, and can be told to fail.
"""

from __future__ import annotations

from pao.standins.base import Delivery, Standin, StandinNotServing
from pao.standins.faults import Fault, RecordedRequest
from pao.standins.github import GithubStandin
from pao.standins.github_actions import GithubActionsStandin
from pao.standins.github_actions_model import WorkflowInput
from pao.standins.github_webhooks import HookDelivery, github_signature
from pao.standins.jira import JiraStandin
from pao.standins.jira_model import adf_paragraph, adf_text
from pao.standins.rest_target import RestTarget, pao_signature
from pao.standins.runner import RunningServer, ServerStartError, serve_app
from pao.standins.suite import (
    GithubActionsOptions,
    JiraOptions,
    Standins,
    StandinsConfig,
    TerraformOptions,
    start_all,
)
from pao.standins.terraform import TerraformStandin
from pao.standins.terraform_model import TfOutput

__all__ = [
    "Delivery",
    "Fault",
    "GithubActionsOptions",
    "GithubActionsStandin",
    "GithubStandin",
    "HookDelivery",
    "JiraOptions",
    "JiraStandin",
    "RecordedRequest",
    "RestTarget",
    "RunningServer",
    "ServerStartError",
    "Standin",
    "StandinNotServing",
    "Standins",
    "StandinsConfig",
    "TerraformOptions",
    "TerraformStandin",
    "TfOutput",
    "WorkflowInput",
    "adf_paragraph",
    "adf_text",
    "github_signature",
    "pao_signature",
    "serve_app",
    "start_all",
]
