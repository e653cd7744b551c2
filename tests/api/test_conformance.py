"""Every documented operation answers as its OpenAPI operation says.

Schemathesis generates requests from the document (valid and invalid
parameters and bodies) and checks each response: no 5xx, a documented
status code and content type, and a body matching the response schema.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance
from starlette.applications import Starlette

from pao.api import ApiConfig
from pao.api.app import MODULES
from pao.store import Store

from .conftest import ALICE_TOKEN, GRANTS, AppFactory
from .sample import MODULE

OPERATIONS = [
    (operation.method, operation.full_path)
    for module in (*MODULES, MODULE)
    for operation in module.operations
    # A 500 is what this sample endpoint is for.
    if operation.operation_id != "boom"
]
# A cursor is opaque: any string matches its schema, few are valid.
OPAQUE = {
    "/api/v1/items",
    "/api/v1/others",
    "/api/v1/catalog",
    "/api/v1/catalog/validation-errors",
    "/api/v1/requests",
}
# Refusing is what these do: the 405s that point to git, and a form
# preview of text that is no valid item (422).
REFUSING = {
    ("POST", "/api/v1/requests"),
    ("POST", "/api/v1/requests/{request_id}/retry"),
    ("POST", "/api/v1/requests/{request_id}/abort"),
    ("POST", "/api/v1/requests/{request_id}/escalate"),
    ("POST", "/api/v1/preview/form"),
}
AUTH = {"Authorization": f"Bearer {ALICE_TOKEN}"}


@pytest.fixture
def app(make_app: AppFactory, store: Store) -> Starlette:
    for repo in ("catalog", "requests"):
        store.set_repo_state(repo=repo, fetched_at=datetime.now(UTC))
    config = ApiConfig(
        tokens=GRANTS,
        github_webhook_secret="gh",
        jira_webhook_secret="jira",
        terraform_notification_token="tf",
    )
    return make_app(config=config, modules=[MODULE])


@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_operation_conforms_to_its_document(
    app: Starlette, method: str, path: str
) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app, headers=AUTH)
    operation = schema[path][method]
    refusing = path in OPAQUE or (method, path) in REFUSING
    excluded = [positive_data_acceptance] if refusing else []

    @settings(
        max_examples=10,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy())
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=AUTH, excluded_checks=excluded)

    check()
