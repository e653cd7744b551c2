"""The example catalog and requests repos stay valid and keep covering the
format; the broken examples keep failing for the reasons they state."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from pao.catalog import CatalogLoad, load_catalog
from pao.catalog.models import ACTION_TYPES, FIELD_TYPES, CatalogItem
from pao.core.diagnostics import Diagnostic, Severity
from pao.requests.validate import validate_request_file

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CATALOG_REPO = EXAMPLES / "catalog-repo"
REQUESTS_REPO = EXAMPLES / "requests-repo"
INVALID = EXAMPLES / "invalid"

BEGIN = "# BEGIN pao generated (do not edit)"
END = "# END pao generated"

# What each broken file must be reported for (its header comment says why).
BROKEN_ITEMS = {
    "access/ssh-access.yaml": {"yaml"},
    "caches/memcached-cluster.yaml": {"bad-pattern", "unknown-field-type"},
    "ci/build-cache.yaml": {"bad-secret-ref"},
    "databases/oracle-database.yaml": {"id-mismatch", "bad-version", "bad-team"},
    "dns/dns-zone.yaml": {"template-unknown-field", "template-unknown-secret"},
    "kubernetes/k8s-cluster.yaml": {"template-later-action", "duplicate-action-id"},
    "observability/log-index.yaml": {"no-fulfillment", "invalid-value"},
    "queues/sqs-queue.yaml": {"bad-condition", "unknown-dependency"},
}
BROKEN_REQUESTS = {
    "ci-runner/yaml-boolean.yaml": {"invalid-field"},
    "dns-record/unknown-option.yaml": {"invalid-field"},
    "iam-access-grant/bad-date-and-option.yaml": {"invalid-field"},
    "k8s-namespace/typos.yaml": {"bad-team", "missing-field", "unknown-field"},
    "object-store/unknown-item.yaml": {"unknown-item"},
    "postgres-database/literal-password.yaml": {"secret-literal"},
    "postgres-database/out-of-range.yaml": {"invalid-field"},
    "redis-cache/wrong-folder.yaml": {"item-mismatch"},
    "s3-bucket/missing-required.yaml": {"missing-field"},
}


@pytest.fixture(scope="module")
def catalog() -> CatalogLoad:
    return load_catalog(CATALOG_REPO)


def _items(catalog: CatalogLoad) -> list[CatalogItem]:
    return [loaded.item for loaded in catalog.items.values()]


def _codes(diagnostics: list[Diagnostic], severity: Severity) -> set[str]:
    return {d.code for d in diagnostics if d.severity is severity}


def _request_files(root: Path) -> list[Path]:
    return sorted((root / "requests").glob("*/*.yaml"))


def test_example_catalog_loads_without_diagnostics(catalog: CatalogLoad) -> None:
    assert [str(d) for d in catalog.diagnostics] == []
    assert len(catalog.items) >= 14
    assert len({item.metadata.category for item in _items(catalog)}) >= 6


def test_example_catalog_covers_the_format(catalog: CatalogLoad) -> None:
    items = _items(catalog)
    fields = [field for item in items for field in item.fields]
    actions = [
        action
        for item in items
        for action in (*item.fulfillment.actions, *item.fulfillment.update)
    ]

    assert {field.type for field in fields} == set(FIELD_TYPES)
    assert {action.type for action in actions} == set(ACTION_TYPES)
    conditions = {f.conditional.condition for f in fields if f.conditional}
    assert conditions == {"equals", "notEquals", "in", "notIn"}
    assert any(action.when for action in actions)
    assert any("{{outputs." in str(action.config) for action in actions)
    assert any(i.fulfillment.manual and not i.fulfillment.actions for i in items)
    assert any(i.fulfillment.update and i.fulfillment.decommission for i in items)
    deprecated = [i for i in items if i.lifecycle.status == "deprecated"]
    assert deprecated
    assert all(i.lifecycle.replacement in catalog.items for i in deprecated)


def test_example_catalog_reads_urls_from_the_environment(
    catalog: CatalogLoad,
) -> None:
    urls = [
        value
        for item in _items(catalog)
        for action in (
            *item.fulfillment.actions,
            *item.fulfillment.update,
            *item.fulfillment.decommission,
        )
        for key, value in action.config.items()
        if key == "url"
    ]

    assert urls
    assert all(re.match(r"^\{\{environment\.[A-Z_]+\}\}/", url) for url in urls)


@pytest.mark.parametrize(
    "path", _request_files(REQUESTS_REPO), ids=lambda p: f"{p.parent.name}/{p.name}"
)
def test_example_request_is_valid(path: Path, catalog: CatalogLoad) -> None:
    request, diagnostics = validate_request_file(path, catalog)

    assert [str(d) for d in diagnostics] == []
    assert request is not None


def test_example_requests_cover_most_items(catalog: CatalogLoad) -> None:
    requested = {path.parent.name for path in _request_files(REQUESTS_REPO)}

    assert requested <= set(catalog.items)
    assert len(requested) >= 8


def test_requests_codeowners_block_routes_every_item_to_its_owner(
    catalog: CatalogLoad,
) -> None:
    text = (REQUESTS_REPO / "CODEOWNERS").read_text()
    before, rest = text.split(BEGIN + "\n")
    block, _after = rest.split(END + "\n")

    routes = dict(line.split() for line in block.splitlines())
    expected = {
        f"/requests/{item.id}/": f"@{item.metadata.owner.team}"
        for item in _items(catalog)
    }
    assert routes == expected
    assert "* @acme/platform-admins" in " ".join(before.split())


def test_catalog_codeowners_covers_every_category(catalog: CatalogLoad) -> None:
    patterns = {
        line.split()[0]
        for line in (CATALOG_REPO / "CODEOWNERS").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }

    categories = {item.metadata.category for item in _items(catalog)}
    assert {f"/catalog/{category}/" for category in categories} <= patterns


def test_broken_catalog_items_fail_for_their_stated_reasons() -> None:
    broken = load_catalog(INVALID / "catalog-repo")

    found: dict[str, set[str]] = {}
    for diagnostic in broken.diagnostics:
        name = diagnostic.file.removeprefix("catalog/")
        found.setdefault(name, set()).update(_codes([diagnostic], Severity.ERROR))
    assert found == BROKEN_ITEMS


@pytest.mark.parametrize("name", sorted(BROKEN_REQUESTS))
def test_broken_request_fails_for_its_stated_reasons(
    name: str, catalog: CatalogLoad
) -> None:
    request, diagnostics = validate_request_file(INVALID / "requests" / name, catalog)

    assert request is None
    assert _codes(diagnostics, Severity.ERROR) == BROKEN_REQUESTS[name]


def test_request_for_a_deprecated_item_only_warns(catalog: CatalogLoad) -> None:
    path = INVALID / "requests" / "mysql-legacy-database" / "reporting-db.yaml"

    request, diagnostics = validate_request_file(path, catalog)

    assert request is not None
    assert _codes(diagnostics, Severity.ERROR) == set()
    assert _codes(diagnostics, Severity.WARNING) == {"deprecated-item"}


def test_every_broken_example_is_listed() -> None:
    items = {
        str(path.relative_to(INVALID / "catalog-repo" / "catalog"))
        for path in (INVALID / "catalog-repo" / "catalog").glob("*/*.yaml")
    }
    requests = {
        f"{path.parent.name}/{path.name}"
        for path in _request_files(INVALID)
        if path.parent.name != "mysql-legacy-database"
    }

    assert items == set(BROKEN_ITEMS)
    assert requests == set(BROKEN_REQUESTS)
