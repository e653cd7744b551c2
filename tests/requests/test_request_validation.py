"""Each kind of problem in a request file, pinned to its line and column."""

from __future__ import annotations

from pathlib import Path

import pytest
from request_helpers import (
    CATALOG,
    ITEM,
    REQUEST,
    catalog_of,
    codes,
    diagnostics,
    with_fields,
)

from pao.catalog import CatalogLoad, load_catalog
from pao.requests import (
    expected_item_for,
    validate_request_file,
    validate_request_text,
)


def test_a_valid_request_gives_the_model_and_no_diagnostics() -> None:
    request, found = validate_request_text(REQUEST, CATALOG)

    assert found == []
    assert request is not None
    assert request.catalog_item == "postgres-database"
    assert request.team == "acme/payments"
    assert request.fields["instanceName"] == "orders-db"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "sizeGb: 0",
            "req.yaml:8:11: error: fields.sizeGb: must be at least 10 [invalid-field]",
        ),
        (
            "sizeGb: 200",
            "req.yaml:8:11: error: fields.sizeGb: must be at most 100 [invalid-field]",
        ),
        (
            "sizeGb: 25",
            "req.yaml:8:11: error: fields.sizeGb: must be a multiple of 10"
            " [invalid-field]",
        ),
        (
            "sizeGb: '20'",
            "req.yaml:8:11: error: fields.sizeGb: must be a finite number,"
            " got a string [invalid-field]",
        ),
        (
            "sizeGb: .inf",
            "req.yaml:8:11: error: fields.sizeGb: must be a finite number,"
            " got a non-finite number [invalid-field]",
        ),
        (
            "cpu: 0.35",
            "req.yaml:8:8: error: fields.cpu: must be a multiple of 0.1"
            " [invalid-field]",
        ),
        (
            "engine: mysql",
            "req.yaml:8:11: error: fields.engine: 'mysql' is not one of the options:"
            " 'postgres', 'aurora' [invalid-field]",
        ),
        (
            "regions: []",
            "req.yaml:8:12: error: fields.regions: must choose at least 1 option"
            " [invalid-field]",
        ),
        (
            "regions: [eu, eu]",
            "req.yaml:8:12: error: fields.regions: must not choose an option twice"
            " [invalid-field]",
        ),
        (
            "regions: [eu, asia]",
            "req.yaml:8:17: error: fields.regions[1]: 'asia' is not one of the"
            " options: 'eu', 'us' [invalid-field]",
        ),
        (
            "regions: eu",
            "req.yaml:8:12: error: fields.regions: must be a list, got a string"
            " [invalid-field]",
        ),
        (
            "backup: yes",
            "req.yaml:8:11: error: fields.backup: must be true or false,"
            " got a string [invalid-field]",
        ),
        (
            "until: 2025-02-30",
            "req.yaml:8:10: error: fields.until: '2025-02-30' is not a real calendar"
            " date written YYYY-MM-DD [invalid-field]",
        ),
        (
            "notes: this text is longer than twenty",
            "req.yaml:8:10: error: fields.notes: must be at most 20 characters long"
            " [invalid-field]",
        ),
        (
            "notes: null",
            "req.yaml:8:10: error: fields.notes: must be a string, got null"
            " [invalid-field]",
        ),
        (
            "sizeGB: 20",
            "req.yaml:8:3: error: unknown field 'sizeGB' (did you mean 'sizeGb'?)"
            " [unknown-field]",
        ),
    ],
)
def test_field_errors_point_at_the_value(line: str, message: str) -> None:
    assert diagnostics(with_fields(line)) == [message]


def test_a_pattern_error_uses_the_items_message() -> None:
    text = REQUEST.replace("orders-db", "Orders_DB")

    assert diagnostics(text) == [
        "req.yaml:6:17: error: fields.instanceName: lowercase letters, digits and"
        " hyphens [invalid-field]",
    ]


def test_missing_required_fields_point_at_the_fields_key() -> None:
    text = REQUEST.replace("  instanceName: orders-db\n", "")

    assert diagnostics(text) == [
        "req.yaml:5:1: error: missing required field 'instanceName'"
        " (Instance name) [missing-field]",
    ]


def test_a_password_literal_is_rejected_without_echoing_it() -> None:
    text = REQUEST.replace("vault:secret/payments/orders#password", "Tr0ub4dor&3")

    found = diagnostics(text)

    assert found == [
        "req.yaml:7:18: error: fields.adminPassword: must be a secret reference"
        " (vault:PATH#KEY or env:NAME), not a literal value [secret-literal]",
    ]
    assert "Tr0ub4dor" not in found[0]


@pytest.mark.parametrize("value", ["[Tr0ub4dor]", "{v: Tr0ub4dor}", "12345"])
def test_a_password_of_another_shape_is_not_echoed_either(value: str) -> None:
    text = REQUEST.replace("vault:secret/payments/orders#password", value)

    found = diagnostics(text)

    assert len(found) == 1
    assert "Tr0ub4dor" not in found[0]
    assert "12345" not in found[0]


def test_env_references_are_accepted_for_passwords() -> None:
    text = REQUEST.replace("vault:secret/payments/orders#password", "env:DB_PW")

    assert diagnostics(text) == []


def test_a_hidden_field_is_not_required() -> None:
    assert diagnostics(with_fields("engine: postgres")) == []


def test_a_shown_conditional_field_is_required_and_validated() -> None:
    assert diagnostics(with_fields("engine: aurora")) == [
        "req.yaml:5:1: error: missing required field 'replicas' (Replicas)"
        " [missing-field]",
    ]
    assert diagnostics(with_fields("engine: aurora", "replicas: x")) == [
        "req.yaml:9:13: error: fields.replicas: must be a finite number,"
        " got a string [invalid-field]",
    ]


def test_a_value_for_a_hidden_field_is_ignored_with_a_warning() -> None:
    text = with_fields("replicas: not even a number")

    request, found = validate_request_text(text, CATALOG, filename="req.yaml")

    assert request is not None
    assert [str(d) for d in found] == [
        "req.yaml:8:3: warning: fields.replicas is ignored: it applies only when"
        " engine equals 'aurora' [hidden-field]",
    ]


def test_a_default_decides_a_condition_when_the_dependency_is_absent() -> None:
    # backup defaults to true, so retentionDays is shown and validated.
    assert diagnostics(with_fields("retentionDays: x")) == [
        "req.yaml:8:18: error: fields.retentionDays: must be a finite number,"
        " got a string [invalid-field]",
    ]
    assert codes_of(with_fields("backup: false", "retentionDays: x")) == [
        "hidden-field"
    ]


def codes_of(text: str) -> list[str]:
    return codes(validate_request_text(text, CATALOG)[1])


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "apiVersion: pao/v1",
            "apiVersion: v1",
            "req.yaml:1:13: error: apiVersion: must be pao/v1, got 'v1'"
            " [bad-api-version]",
        ),
        (
            "kind: Request",
            "kind: CatalogItem",
            "req.yaml:2:7: error: kind: must be Request, got 'CatalogItem' [bad-kind]",
        ),
        (
            "team: acme/payments",
            "team: payments",
            "req.yaml:4:7: error: team: must be a team written org/team-slug"
            " [bad-team]",
        ),
        (
            "team: acme/payments",
            "team: acme/payments\nowner: me",
            "req.yaml:5:1: error: unknown key 'owner' [unknown-key]",
        ),
        (
            "catalogItem: postgres-database",
            "catalogItem: postgres-databse",
            "req.yaml:3:14: error: unknown catalog item 'postgres-databse'"
            " (did you mean 'postgres-database'?) [unknown-item]",
        ),
    ],
)
def test_envelope_errors(old: str, new: str, message: str) -> None:
    assert diagnostics(REQUEST.replace(old, new)) == [message]


def test_fields_must_be_a_mapping() -> None:
    text = REQUEST.split("fields:")[0] + "fields: [a, b]\n"

    assert diagnostics(text) == [
        "req.yaml:5:9: error: fields: expected a mapping, got a list [wrong-type]",
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "",
            "req.yaml:1:1: error: a request must be a mapping, got an empty"
            " document [wrong-type]",
        ),
        (
            "- a\n",
            "req.yaml:1:1: error: a request must be a mapping, got not a"
            " mapping [wrong-type]",
        ),
        ("a: [\n", "req.yaml:2:1: error: did not find expected node content [yaml]"),
    ],
)
def test_documents_that_are_not_requests(text: str, message: str) -> None:
    assert diagnostics(text) == [message]


def lifecycle_catalog(status: str) -> CatalogLoad:
    return catalog_of(
        ITEM
        + "lifecycle:\n"
        + f"  status: {status}\n"
        + "  replacement: postgres-v2\n"
        + "  sunsetDate: 2027-01-31\n"
    )


def test_a_deprecated_item_accepts_requests_with_a_warning() -> None:
    request, found = validate_request_text(
        REQUEST, lifecycle_catalog("deprecated"), filename="req.yaml"
    )

    assert request is not None
    assert [str(d) for d in found] == [
        "req.yaml:3:14: warning: catalog item 'postgres-database' is deprecated;"
        " use 'postgres-v2' instead; sunset on 2027-01-31 [deprecated-item]",
    ]


def test_a_retired_item_rejects_requests() -> None:
    assert diagnostics(REQUEST, lifecycle_catalog("retired")) == [
        "req.yaml:3:14: error: catalog item 'postgres-database' is retired;"
        " use 'postgres-v2' instead; sunset on 2027-01-31 [retired-item]",
    ]


def test_a_request_for_an_invalid_item_says_so() -> None:
    catalog = CatalogLoad(broken={"postgres-database": "catalog/db/pg.yaml"})

    assert diagnostics(REQUEST, catalog) == [
        "req.yaml:3:14: error: catalog item 'postgres-database' is invalid:"
        " fix catalog/db/pg.yaml first [invalid-item]",
    ]


def test_the_folder_decides_the_item(tmp_path: Path) -> None:
    path = tmp_path / "requests" / "redis-cache" / "orders.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(REQUEST, encoding="utf-8")

    _, found = validate_request_file(path, CATALOG, file="requests/x.yaml")

    assert expected_item_for(path) == "redis-cache"
    assert expected_item_for(tmp_path / "orders.yaml") is None
    assert [str(d) for d in found] == [
        "requests/x.yaml:3:14: error: catalogItem 'postgres-database' must equal"
        " the folder 'redis-cache' [item-mismatch]",
    ]


def test_an_editor_schema_comment_line_is_just_a_comment() -> None:
    text = (
        "# yaml-language-server: $schema=https://pao.dev/schemas/v1/requests/"
        "postgres-database.json\n" + REQUEST
    )

    assert diagnostics(text) == []


def test_every_example_request_validates(examples_dir: Path) -> None:
    catalog = load_catalog(examples_dir / "catalog-repo")
    files = sorted((examples_dir / "requests-repo").glob("requests/*/*.yaml"))

    found = [str(d) for path in files for d in validate_request_file(path, catalog)[1]]

    assert len(files) >= 12
    assert found == []


def test_broken_example_requests_fail_as_their_comments_say(
    examples_dir: Path,
) -> None:
    catalog = load_catalog(examples_dir / "catalog-repo")
    files = sorted((examples_dir / "invalid").glob("requests/*/*.yaml"))

    rejected = {
        path.name: validate_request_file(path, catalog)[0] is None for path in files
    }

    said = {path.name: path.read_text().startswith("# Invalid") for path in files}
    assert files
    assert rejected == said
