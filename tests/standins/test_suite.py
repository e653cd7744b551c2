"""Starting the stand-ins together, and the package's public names."""

from __future__ import annotations

import httpx
import pytest

import pao.standins
from pao.standins import (
    GithubActionsOptions,
    JiraOptions,
    StandinNotServing,
    StandinsConfig,
    TerraformOptions,
    start_all,
)


def test_start_all_serves_each_configured_standin_until_closed() -> None:
    config = StandinsConfig(
        jira=JiraOptions(api_token="t", flavor="datacenter"),
        terraform=TerraformOptions(token="t"),
        github_actions=GithubActionsOptions(token="t"),
    )

    with start_all(config) as standins:
        urls = standins.urls
        answers = {
            "jira": httpx.get(
                urls["jira"] + "/rest/api/2/myself", auth=("pao-bot@acme.example", "t")
            ),
            "terraform": httpx.get(
                urls["terraform"] + "/api/v2/organizations/acme/workspaces",
                headers={"Authorization": "Bearer t"},
            ),
            "github-actions": httpx.get(
                urls["github-actions"] + "/repos/a/b/actions/runs",
                headers={"Authorization": "Bearer t"},
            ),
            "rest-target": httpx.get(urls["rest-target"] + "/v1/things"),
        }

    assert {name: a.status_code for name, a in answers.items()} == {
        "jira": 200,
        "terraform": 200,
        "github-actions": 404,
        "rest-target": 200,
    }
    assert len(set(urls.values())) == 4
    with pytest.raises(StandinNotServing):
        _ = standins.jira.url  # type: ignore[union-attr]


def test_start_all_leaves_out_what_is_not_configured() -> None:
    with start_all(StandinsConfig(rest_target=False)) as standins:
        assert standins.urls == {}


def test_public_names_are_pinned() -> None:
    assert sorted(pao.standins.__all__) == [
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
    for name in pao.standins.__all__:
        assert getattr(pao.standins, name) is not None
