"""The Jira, Terraform and GitHub Actions stand-ins, set up for the examples.

Jira projects and issue types, and each workflow's inputs, are read from
the example catalog itself, so that an edited example still finds what it
calls; Terraform workspaces and their outputs are Acme's, written down
here. Every stand-in posts its webhooks to pao's API.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from pao.catalog import Action, CatalogItem, CatalogLoad
from pao.standins import (
    GithubActionsStandin,
    JiraStandin,
    TerraformStandin,
    TfOutput,
    WorkflowInput,
)

__all__ = [
    "JIRA_EMAIL",
    "ORGANIZATION",
    "VendorSecrets",
    "build_github",
    "build_jira",
    "build_terraform",
    "repository_workspaces",
]

JIRA_EMAIL = "pao-bot@acme.example"
ORGANIZATION = "acme"
# Where escalations go; the examples never name it, pao's settings do.
ESCALATION_PROJECT = ("ORCHESTRATION", "Incident")
CORRELATION_INPUT = "correlation_id"
# Runs and workflow runs move one state per step: quick enough for a demo
# to finish in seconds, slow enough to watch.
STEP_SECONDS = 0.4

_FIELD = re.compile(r"\{\{\s*fields\.([A-Za-z0-9_]+)\s*\}\}")


def _outputs(workspace: str) -> dict[str, TfOutput]:
    """Outputs a workspace's module would give; ``{var}`` is a variable."""
    kind, _, cluster = workspace.partition("-")
    if kind == "mysql":
        host = f"{workspace}.db.acme.internal"
        return {
            "jdbc_url": TfOutput(f"jdbc:mysql://{host}:3306/{{schema_name}}"),
            "user": TfOutput("{user_name}"),
        }
    if kind == "kafka":
        return {
            "topic": TfOutput("{topic_name}"),
            "bootstrap_servers": TfOutput(f"{cluster}.kafka.acme.internal:9093"),
        }
    if kind == "dns":
        return {"fqdn": TfOutput("{record_name}.{zone}")}
    return {
        "bucket_arn": TfOutput("arn:aws:s3:::{bucket_name}"),
        "bucket_domain_name": TfOutput("{bucket_name}.s3.{region}.amazonaws.com"),
    }


@dataclass(frozen=True)
class VendorSecrets:
    """The credentials the vendor stand-ins and pao share."""

    jira_api_token: str
    jira_webhook_secret: str
    terraform_token: str
    terraform_notification_token: str
    github_token: str
    github_webhook_secret: str


def _all_actions(catalog: CatalogLoad) -> Iterator[tuple[CatalogItem, Action]]:
    for loaded in catalog.items.values():
        fulfillment = loaded.item.fulfillment
        for action in (
            *fulfillment.actions,
            *fulfillment.update,
            *fulfillment.decommission,
        ):
            yield loaded.item, action


def _jira_issue_types(catalog: CatalogLoad) -> dict[str, set[str]]:
    types: dict[str, set[str]] = {ESCALATION_PROJECT[0]: {ESCALATION_PROJECT[1]}}
    for _, action in _all_actions(catalog):
        if action.type == "jira-ticket":
            project = str(action.config["project"])
            issue_type = str(action.config.get("issueType", "Task"))
            types.setdefault(project, set()).add(issue_type)
    for loaded in catalog.items.values():
        manual = loaded.item.fulfillment.manual
        if manual is not None:
            types.setdefault(manual.project, set()).add(manual.issue_type)
    return types


def build_jira(
    catalog: CatalogLoad, secrets: VendorSecrets, *, webhook_url: str
) -> JiraStandin:
    """Jira Cloud with every project and issue type the items use."""
    issue_types = _jira_issue_types(catalog)
    jira = JiraStandin(
        flavor="cloud",
        projects=sorted(issue_types),
        email=JIRA_EMAIL,
        api_token=secrets.jira_api_token,
        webhook_url=webhook_url,
        webhook_secret=secrets.jira_webhook_secret,
    )
    for key, wanted in issue_types.items():
        project = jira.state.projects[key]
        extra = sorted(wanted - set(project.issue_types))
        project.issue_types = (*project.issue_types, *extra)
    return jira


def repository_workspaces(catalog: CatalogLoad) -> dict[str, str]:
    """The workspace for each repository a ``terraform`` action names."""
    return {
        str(action.config["repository"]): str(action.config["repository"]).split("/")[
            -1
        ]
        for _, action in _all_actions(catalog)
        if action.type == "terraform" and "repository" in action.config
    }


def _workspaces(catalog: CatalogLoad) -> list[str]:
    names = set(repository_workspaces(catalog).values())
    for item, action in _all_actions(catalog):
        if action.type == "terraform" and "workspace" in action.config:
            names.update(_expand(str(action.config["workspace"]), item))
    return sorted(names)


def _expand(template: str, item: CatalogItem) -> list[str]:
    # A workspace named after a select field (mysql-{{fields.cluster}}):
    # one workspace per option.
    match = _FIELD.search(template)
    if match is None:
        return [template]
    field = next((f for f in item.fields if f.id == match.group(1)), None)
    options = field.normalized_options if field is not None else []
    return [_FIELD.sub(str(option.value), template, count=1) for option in options]


def build_terraform(
    catalog: CatalogLoad, secrets: VendorSecrets, *, notification_url: str
) -> TerraformStandin:
    """Terraform Cloud with the workspaces the items run in."""
    terraform = TerraformStandin(
        token=secrets.terraform_token,
        organization=ORGANIZATION,
        step_seconds=STEP_SECONDS,
        notification_url=notification_url,
        notification_token=secrets.terraform_notification_token,
    )
    repositories = {name: repo for repo, name in repository_workspaces(catalog).items()}
    for name in _workspaces(catalog):
        terraform.add_workspace(
            name, outputs=_outputs(name), vcs_repo=repositories.get(name)
        )
    return terraform


def _workflows(catalog: CatalogLoad) -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for _, action in _all_actions(catalog):
        if action.type == "github-workflow":
            key = (str(action.config["repository"]), str(action.config["workflow"]))
            inputs = found.setdefault(key, set())
            inputs.update(str(name) for name in action.config.get("inputs", {}))
    return found


def build_github(
    catalog: CatalogLoad, secrets: VendorSecrets, *, webhook_url: str
) -> GithubActionsStandin:
    """GitHub with the repositories and workflows the items dispatch.

    Each workflow declares the inputs the items send plus the correlation
    input, and names its runs after it, as pao's docs ask of real ones.
    """
    github = GithubActionsStandin(
        token=secrets.github_token,
        step_seconds=STEP_SECONDS,
        webhook_url=webhook_url,
        webhook_secret=secrets.github_webhook_secret,
    )
    workflows = _workflows(catalog)
    for repository in sorted({repo for repo, _ in workflows}):
        github.add_repo(repository)
    for (repository, workflow), inputs in sorted(workflows.items()):
        declared = {name: WorkflowInput() for name in sorted(inputs)}
        declared[CORRELATION_INPUT] = WorkflowInput()
        title = workflow.rsplit(".", 1)[0]
        github.add_workflow(
            repository,
            workflow,
            run_name=f"{title} (${{{{ inputs.{CORRELATION_INPUT} }}}})",
            inputs=declared,
        )
    return github
