"""Each kind of problem in an item file, pinned to its line and column."""

from __future__ import annotations

import pytest

from pao.catalog import validate_item_text

from .conftest import DEMO_PATH, VALID_ITEM, check, item_with_fields

F = DEMO_PATH


def test_valid_item_has_no_diagnostics_and_loads() -> None:
    item, found = validate_item_text(VALID_ITEM, filename=DEMO_PATH)

    assert found == []
    assert item is not None
    assert item.metadata.id == "demo"
    assert item.fields[0].id == "name"


def test_yaml_syntax_error_is_located() -> None:
    text = VALID_ITEM.replace("  name: Demo\n", "  name: [Demo\n")

    assert check(text) == [
        f"{F}:6:10: error: did not find expected ',' or ']' [yaml]",
    ]


def test_duplicate_key_is_an_error_at_the_second_key() -> None:
    text = VALID_ITEM.replace("  name: Demo\n", "  name: Demo\n  name: Again\n")

    assert check(text) == [
        f"{F}:6:3: error: duplicate key 'name' (first defined at line 5) [yaml]",
    ]


def test_unknown_keys_are_reported_at_the_key_with_a_hint() -> None:
    text = VALID_ITEM.replace("    team: acme/platform\n", "    tem: acme/platform\n")
    text = text.replace("kind: CatalogItem\n", "kind: CatalogItem\nextra: 1\n")

    assert check(text) == [
        f"{F}:3:1: error: unknown key 'extra' [unknown-key]",
        f"{F}:9:3: error: metadata.owner: missing required key 'team' [missing-key]",
        f"{F}:10:5: error: metadata.owner: unknown key 'tem' (did you mean 'team'?)"
        " [unknown-key]",
    ]


def test_wrong_types_name_what_was_expected() -> None:
    text = VALID_ITEM.replace("  name: Demo\n", "  name: [Demo]\n")
    text = text.replace("            required: true\n", "            required: yes\n")

    assert check(text) == [
        f"{F}:5:9: error: metadata.name: expected a string, got a list [wrong-type]",
        f"{F}:19:23: error: presentation.form.groups[0].fields[0].required:"
        " expected a boolean, got a string [wrong-type]",
    ]


def test_unknown_field_type_and_action_type() -> None:
    text = VALID_ITEM.replace("type: string", "type: text")
    text += "  actions:\n    - id: create\n      type: rest\n      name: Create\n"

    assert check(text) == [
        f"{F}:18:19: error: presentation.form.groups[0].fields[0].type: unknown"
        " field type 'text'; one of: string, number, boolean, select, multiselect,"
        " date, textarea, password [unknown-field-type]",
        f"{F}:26:13: error: fulfillment.actions[0].type: unknown action type 'rest';"
        " one of: jira-ticket, rest-api, terraform, github-workflow, webhook"
        " [unknown-action-type]",
    ]


def test_id_must_equal_the_file_name_and_category_the_folder() -> None:
    assert check(VALID_ITEM, filename="catalog/databases/other.yaml") == [
        "catalog/databases/other.yaml:4:7: error: metadata.id 'demo' must equal"
        " the file name 'other' [id-mismatch]",
        "catalog/databases/other.yaml:7:13: error: metadata.category 'tools' must"
        " equal the folder 'databases' [category-mismatch]",
    ]


def test_without_a_catalog_path_id_and_category_are_not_compared() -> None:
    assert check(VALID_ITEM, filename="<input>") == []


def test_metadata_formats() -> None:
    text = (
        VALID_ITEM.replace("id: demo", "id: Demo_1")
        .replace("1.0.0", "1.0")
        .replace("acme/platform", "platform")
    )

    assert check(text, filename="<input>") == [
        "<input>:4:7: error: metadata.id: must be lowercase letters, digits and"
        " hyphens [bad-id]",
        "<input>:6:12: error: metadata.version: must be a semantic version"
        " (MAJOR.MINOR.PATCH) [bad-version]",
        "<input>:9:11: error: metadata.owner.team: must be a team written"
        " org/team-slug [bad-team]",
    ]


def test_api_version_and_kind() -> None:
    text = VALID_ITEM.replace("pao/v1", "pao/v2").replace(
        "kind: CatalogItem", "kind: Item"
    )

    assert check(text) == [
        f"{F}:1:13: error: apiVersion: must be pao/v1, got 'pao/v2' [bad-api-version]",
        f"{F}:2:7: error: kind: must be CatalogItem, got 'Item' [bad-kind]",
    ]


def test_pattern_that_does_not_compile() -> None:
    text = VALID_ITEM.replace(
        "            required: true\n",
        "            required: true\n"
        "            validation:\n"
        '              pattern: "^[a-z"\n',
    )

    assert check(text) == [
        f"{F}:21:24: error: presentation.form.groups[0].fields[0].validation.pattern:"
        " does not compile as a regular expression: unterminated character set at"
        " position 1 [bad-pattern]",
    ]


def test_depends_on_must_name_a_field() -> None:
    text = item_with_fields(
        "          - id: name\n"
        "            name: Name\n"
        "            type: string\n"
        "            conditional: {dependsOn: nmae, value: x}\n"
    )

    assert check(text) == [
        f"{F}:19:38: error: conditional.dependsOn names no field of this form:"
        " 'nmae' [unknown-dependency]",
    ]


def test_dependency_cycles_are_reported_once() -> None:
    text = item_with_fields(
        "          - id: a\n"
        "            name: A\n"
        "            type: string\n"
        "            conditional: {dependsOn: b, value: x}\n"
        "          - id: b\n"
        "            name: B\n"
        "            type: string\n"
        "            conditional: {dependsOn: a, value: y}\n"
    )

    assert check(text) == [
        f"{F}:19:38: error: conditional dependencies form a cycle: a -> b -> a"
        " [dependency-cycle]",
    ]


@pytest.mark.parametrize("kind", ["select", "multiselect"])
def test_select_fields_need_options(kind: str) -> None:
    text = item_with_fields(
        "          - id: size\n"
        "            name: Size\n"
        f"            type: {kind}\n"
        "          - id: tier\n"
        "            name: Tier\n"
        f"            type: {kind}\n"
        "            options: []\n"
    )

    assert check(text) == [
        f"{F}:18:19: error: a {kind} field needs at least one option [missing-options]",
        f"{F}:22:22: error: a {kind} field needs at least one option [missing-options]",
    ]


@pytest.mark.parametrize(
    ("field", "message"),
    [
        (
            "type: string\n            default: ABC\n"
            "            validation: {pattern: '^[a-z]+$', message: lowercase only}",
            "default lowercase only",
        ),
        (
            "type: string\n            default: ab\n"
            "            validation: {minLength: 3}",
            "default must be at least 3 characters long",
        ),
        (
            "type: number\n            default: 5\n"
            "            validation: {min: 10, max: 20}",
            "default must be at least 10",
        ),
        (
            "type: number\n            default: 25\n"
            "            validation: {min: 10, max: 20}",
            "default must be at most 20",
        ),
        (
            "type: number\n            default: 0.35\n"
            "            validation: {step: 0.1}",
            "default must be a multiple of 0.1",
        ),
        (
            "type: select\n            default: large\n"
            "            options: [small, medium]",
            "default 'large' is not one of the options: 'small', 'medium'",
        ),
        (
            "type: multiselect\n            default: [a, a]\n"
            "            options: [a, b]",
            "default must not choose an option twice",
        ),
        (
            "type: boolean\n            default: 'true'",
            "default must be true or false, got a string",
        ),
        (
            "type: number\n            default: '10'",
            "default must be a finite number, got a string",
        ),
        (
            "type: date\n            default: 2025-02-30",
            "default '2025-02-30' is not a real calendar date written YYYY-MM-DD",
        ),
        (
            "type: password\n            default: hunter2",
            "default must be a secret reference (vault:PATH#KEY or env:NAME),"
            " not a literal value",
        ),
    ],
)
def test_defaults_must_pass_their_own_validation(field: str, message: str) -> None:
    text = item_with_fields(
        f"          - id: value\n            name: Value\n            {field}\n"
    )

    assert check(text) == [f"{F}:19:22: error: {message} [bad-default]"]


def test_good_defaults_pass() -> None:
    text = item_with_fields(
        "          - id: size\n"
        "            name: Size\n"
        "            type: number\n"
        "            default: 0.3\n"
        "            validation: {min: 0.1, max: 1, step: 0.1}\n"
        "          - id: when\n"
        "            name: When\n"
        "            type: date\n"
        "            default: 2024-02-29\n"
    )

    assert check(text) == []


def test_duplicate_field_and_group_ids() -> None:
    text = item_with_fields(
        "          - id: name\n"
        "            name: Name\n"
        "            type: string\n"
        "      - id: main\n"
        "        name: Again\n"
        "        fields:\n"
        "          - id: name\n"
        "            name: Name again\n"
        "            type: string\n"
    )

    assert check(text) == [
        f"{F}:19:13: error: duplicate group id 'main' (first used at line 13)"
        " [duplicate-group-id]",
        f"{F}:22:17: error: duplicate field id 'name' (first used at line 16)"
        " [duplicate-field-id]",
    ]


def test_duplicate_action_ids_within_one_list() -> None:
    text = VALID_ITEM + (
        "  actions:\n"
        "    - {id: create, type: rest-api, name: One, config: {url: x}}\n"
        "    - {id: create, type: rest-api, name: Two, config: {url: y}}\n"
        "  decommission:\n"
        "    - {id: create, type: rest-api, name: Three, config: {url: z}}\n"
    )

    assert check(text) == [
        f"{F}:26:12: error: duplicate action id 'create' (first used at line 25)"
        " [duplicate-action-id]",
    ]


def test_secret_references_must_be_well_formed() -> None:
    text = VALID_ITEM + (
        "  secrets:\n"
        "    token: s3cr3t\n"
        "    good: vault:secret/app#token\n"
        "  actions:\n"
        "    - id: hook\n"
        "      type: webhook\n"
        "      name: Hook\n"
        "      config: {url: 'https://hooks.example', secret: plain}\n"
    )

    assert check(text) == [
        f"{F}:25:12: error: fulfillment.secrets.token: must be a secret reference:"
        " env:NAME, file:PATH or vault:PATH#KEY [bad-secret-ref]",
        f"{F}:31:54: error: config.secret must be a secret reference (env:NAME,"
        " file:PATH or vault:PATH#KEY) or a {{secrets.NAME}} template"
        " [bad-secret-ref]",
    ]


def test_fulfillment_needs_actions_or_a_manual_ticket() -> None:
    text = VALID_ITEM.split("fulfillment:")[0] + "fulfillment:\n  secrets: {}\n"

    assert check(text) == [
        f"{F}:21:3: error: fulfillment needs actions, or a manual ticket to fall"
        " back on [no-fulfillment]",
    ]


def test_timeouts_accept_seconds_and_durations() -> None:
    text = VALID_ITEM + (
        "  actions:\n"
        "    - {id: a, type: rest-api, name: A, timeout: 30s}\n"
        "    - {id: b, type: rest-api, name: B, timeout: 2h}\n"
        "    - {id: c, type: rest-api, name: C, timeout: 45}\n"
        "    - {id: d, type: rest-api, name: D, timeout: soon}\n"
    )

    item, found = validate_item_text(text.replace("timeout: soon", "timeout: 1m"))

    assert [action.timeout for action in item.fulfillment.actions] == [
        30.0,
        7200.0,
        45.0,
        60.0,
    ]
    assert found == []
    assert check(text) == [
        f"{F}:28:49: error: fulfillment.actions[3].timeout: must be seconds or a"
        " duration such as 30s, 10m or 2h [bad-duration]",
    ]


def test_lifecycle_dates_are_real_days() -> None:
    text = VALID_ITEM + (
        "lifecycle:\n"
        "  status: deprecated\n"
        "  replacement: demo\n"
        "  sunsetDate: 2027-02-30\n"
    )

    assert check(text) == [
        f"{F}:26:16: error: lifecycle.replacement names the item itself"
        " [bad-replacement]",
        f"{F}:27:15: error: lifecycle.sunsetDate: must be a real calendar date"
        " written YYYY-MM-DD [invalid-value]",
    ]


def test_warnings_for_rules_that_do_not_apply_do_not_block_the_item() -> None:
    text = item_with_fields(
        "          - id: name\n"
        "            name: Name\n"
        "            type: boolean\n"
        "            options: [a]\n"
        "            validation: {pattern: x}\n"
    )

    item, found = validate_item_text(text, filename=DEMO_PATH)

    assert item is not None
    assert [str(d) for d in found] == [
        f"{F}:19:13: warning: options have no effect on a boolean field"
        " [unused-options]",
        f"{F}:20:26: warning: validation.pattern has no effect on a boolean field"
        " [unused-validation]",
    ]


def test_monitoring_is_free_form() -> None:
    text = VALID_ITEM + "monitoring:\n  anything: {goes: [1, 2]}\n  here: true\n"

    assert check(text) == []


def test_every_problem_of_a_file_is_reported_at_once() -> None:
    text = (
        VALID_ITEM.replace("1.0.0", "one")
        .replace("type: string", "type: text")
        .replace("    project: OPS\n", "    project: OPS\n    colour: red\n")
    )

    codes = [line.rsplit("[", 1)[1] for line in check(text)]

    assert codes == ["bad-version]", "unknown-field-type]", "unknown-key]"]


def test_an_editor_schema_comment_line_is_just_a_comment() -> None:
    text = (
        "# yaml-language-server: $schema=https://pao.dev/schemas/v1/catalog-item.json\n"
        + VALID_ITEM
    )

    assert check(text) == []
