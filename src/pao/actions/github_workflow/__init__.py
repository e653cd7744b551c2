"""GitHub Actions: the ``github-workflow`` action."""

from __future__ import annotations

from pao.actions.github_workflow.client import (
    API_VERSION,
    GitHubActionsClient,
    explain_github_error,
)
from pao.actions.github_workflow.executor import (
    GithubWorkflowConfig,
    GithubWorkflowExecutor,
    input_text,
)

__all__ = [
    "API_VERSION",
    "GitHubActionsClient",
    "GithubWorkflowConfig",
    "GithubWorkflowExecutor",
    "explain_github_error",
    "input_text",
]
