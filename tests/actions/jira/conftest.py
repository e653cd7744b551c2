"""Jira stand-ins (Cloud and Data Center) and a service configured for them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import MappingProxyType

import pytest

from pao.actions.http import HttpSender
from pao.actions.jira import JiraService, JiraTicketExecutor
from pao.actions.vendor_config import (
    EscalationTarget,
    JiraAuthConfig,
    JiraConfig,
    JiraInstanceConfig,
)
from pao.standins import JiraStandin

EMAIL = "pao-bot@acme.example"
API_TOKEN = "jira-api-token-0042"
PAT = "jira-personal-access-token"


def basic_auth(token: str = API_TOKEN) -> JiraAuthConfig:
    return JiraAuthConfig(type="api_token", username=EMAIL, token=lambda: token)


def instance_of(
    jira: JiraStandin, *, name: str = "platform", auth: JiraAuthConfig | None = None
) -> JiraInstanceConfig:
    return JiraInstanceConfig(
        name=name, base_url=jira.url, flavor=jira.flavor, auth=auth or basic_auth()
    )


def config_of(
    *instances: JiraInstanceConfig, project: str = "ORCHESTRATION"
) -> JiraConfig:
    return JiraConfig(
        instances=MappingProxyType({i.name: i for i in instances}),
        escalation=EscalationTarget(project=project),
        poll_interval=300.0,
    )


@pytest.fixture(scope="module")
def _cloud() -> Iterator[JiraStandin]:
    jira = JiraStandin(flavor="cloud", api_token=API_TOKEN, bearer_token=PAT)
    with jira.serve():
        yield jira


@pytest.fixture(scope="module")
def _datacenter() -> Iterator[JiraStandin]:
    jira = JiraStandin(flavor="datacenter", api_token=API_TOKEN, bearer_token=PAT)
    with jira.serve():
        yield jira


@pytest.fixture(params=["cloud", "datacenter"])
def jira(
    request: pytest.FixtureRequest, _cloud: JiraStandin, _datacenter: JiraStandin
) -> JiraStandin:
    """A Jira of each flavour, its scripted faults cleared."""
    standin = _cloud if request.param == "cloud" else _datacenter
    standin.faults.clear()
    standin.requests.clear()
    return standin


@pytest.fixture
def cloud(_cloud: JiraStandin) -> JiraStandin:
    _cloud.faults.clear()
    _cloud.requests.clear()
    return _cloud


@pytest.fixture
def datacenter(_datacenter: JiraStandin) -> JiraStandin:
    _datacenter.faults.clear()
    _datacenter.requests.clear()
    return _datacenter


@pytest.fixture
def make_service(sender: HttpSender) -> Callable[..., JiraService]:
    def make(*instances: JiraInstanceConfig) -> JiraService:
        return JiraService(config_of(*instances), sender=sender)

    return make


@pytest.fixture
def service(jira: JiraStandin, make_service: Callable[..., JiraService]) -> JiraService:
    return make_service(instance_of(jira))


@pytest.fixture
def executor(service: JiraService) -> JiraTicketExecutor:
    return JiraTicketExecutor(service)
