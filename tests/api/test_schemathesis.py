"""The feature endpoints against their OpenAPI document, over a populated
index.

Schemathesis generates requests from the document, both valid ones and
ones that break it (wrong types, missing fields, bad content), and checks
every answer: never a 5xx, a documented status code and content type, a
body matching its schema, and 4xx for what the document forbids. Path
ids come from the index half of the time, so the 200 answers are checked
as well as the 404s.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance
from starlette.applications import Starlette

from pao.api import catalog, requests, tools
from pao.store import open_store

from .conftest import AppFactory, Recorder
from .seeding import ADMIN, BROKEN_ITEM, TEAM_CONFIG, Seeded, seeded_template

MODULES = (catalog.MODULE, requests.MODULE, tools.MODULE)
OPERATIONS = [
    (operation.method, operation.full_path)
    for module in MODULES
    for operation in module.operations
]
# Valid by the document yet refused by design: opaque cursors that do not
# verify, the 405s pointing to git, and form previews of invalid items.
REFUSING = {
    ("GET", "/api/v1/catalog"),
    ("GET", "/api/v1/catalog/validation-errors"),
    ("GET", "/api/v1/requests"),
    ("POST", "/api/v1/requests"),
    ("POST", "/api/v1/requests/{request_id}/retry"),
    ("POST", "/api/v1/requests/{request_id}/abort"),
    ("POST", "/api/v1/requests/{request_id}/escalate"),
    ("POST", "/api/v1/preview/form"),
}


@pytest.fixture(scope="module")
def seeded_app(
    tmp_path_factory: pytest.TempPathFactory, migrated_database: Path
) -> Iterator[tuple[Starlette, Seeded]]:
    directory = tmp_path_factory.mktemp("seeded")
    path, seeded = seeded_template(directory, migrated_database)
    with open_store(f"sqlite:///{path}", data_dir=directory) as store:
        yield AppFactory(store=store, recorder=Recorder())(config=TEAM_CONFIG), seeded


@pytest.fixture(scope="module")
def schema(seeded_app: tuple[Starlette, Seeded]) -> Any:
    app, _ = seeded_app
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", app, headers=ADMIN)


def known_ids(seeded: Seeded, path: str) -> dict[str, list[str]]:
    if "{item_id}" in path:
        return {"item_id": [*sorted(seeded.items)[:5], BROKEN_ITEM]}
    if "{request_id}" in path:
        return {"request_id": sorted(seeded.requests)[:6]}
    return {}


def strategy(operation: Any, mode: GenerationMode, ids: dict[str, list[str]]) -> Any:
    if mode is GenerationMode.NEGATIVE:
        # Any text is a valid YAML body: only JSON bodies can break the
        # document.
        negative = operation.as_strategy(generation_mode=mode)
        return negative.filter(
            lambda case: case.media_type in (None, "application/json")
        )
    generated = operation.as_strategy(generation_mode=mode)
    if not ids:
        return generated
    ((name, values),) = ids.items()
    real = [
        operation.as_strategy(generation_mode=mode, path_parameters={name: value})
        for value in values
    ]
    return st.one_of(generated, *real)


@pytest.mark.parametrize("mode", list(GenerationMode), ids=str)
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_operation_answers_as_documented(
    schema: Any,
    seeded_app: tuple[Starlette, Seeded],
    method: str,
    path: str,
    mode: GenerationMode,
) -> None:
    operation = schema[path][method]
    excluded = [positive_data_acceptance] if (method, path) in REFUSING else []
    cases = strategy(operation, mode, known_ids(seeded_app[1], path))

    @settings(
        max_examples=25,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=cases)
    def check(case: schemathesis.Case) -> None:
        case.call_and_validate(headers=ADMIN, excluded_checks=excluded)

    check()
