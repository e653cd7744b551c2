"""check_item_templates: every template of an item, checked at its line."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from pao.catalog import validate_item_text
from pao.catalog.template_checks import check_item_templates
from pao.core import Diagnostic, Severity, load_yaml

ITEM = textwrap.dedent(
    """\
    apiVersion: pao/v1
    kind: CatalogItem
    metadata:
      id: postgres-database
      name: PostgreSQL
      owner:
        team: acme/dba
    presentation:
      form:
        groups:
          - id: basics
            fields:
              - id: instanceName
                type: string
              - id: adminPassword
                type: password
    fulfillment:
      secrets:
        dbApiToken: env:DB_API_TOKEN
      actions:
        - id: create-db
          type: rest-api
          config:
            url: "{{environment.DB_API_URL}}/v1/{{fields.instanceName}}"
            headers: {X-Team: "{{metadata.owner.team}}", X-By: "{{request.user.email}}"}
            body:
              password: "{{fields.adminPassword}}"
              at: "{{system.timestamp}}"
            auth: {type: bearer, token: "{{secrets.dbApiToken}}"}
          outputs:
            databaseId: "{{response.body.id}}"
          cleanup:
            instructions: Delete {{outputs.create-db.databaseId}}.
        - id: create-role
          type: rest-api
          when: "{{#if fields.instanceName}}true{{/if}}"
          config:
            url: "/v1/{{outputs.create-db.databaseId}}/roles"
            body: |
              {{#each request.user.teams}}
              team {{@index}}: {{this}}
              {{/each}}
          outputs:
            roleName: "{{response.body.name}}"
          cleanup:
            instructions: >-
              Drop the role on
              {{outputs.create-db.databaseId}}.
        - id: notify
          type: jira-ticket
          config:
            summary: "{{outputs.create-role.roleName | default('none')}}"
      update:
        - id: resize
          type: rest-api
          config:
            url: "/v1/{{outputs.create-db.databaseId}}"
      decommission:
        - id: snapshot
          type: rest-api
          config: {url: /snap}
          outputs: {snapshotId: "{{response.body.id}}"}
        - id: delete
          type: rest-api
          config:
            query: {snap: "{{outputs.snapshot.snapshotId}}"}
    """
)


def _check(text: str, *, with_source: bool = True) -> list[Diagnostic]:
    document = load_yaml(text)
    source = text if with_source else None
    return check_item_templates(document, file="catalog/db/item.yaml", source=source)


def _short(found: list[Diagnostic]) -> list[tuple[int, int, str, str]]:
    return [(d.line, d.column, d.code, d.message) for d in found]


def test_a_correct_item_has_no_findings() -> None:
    assert _check(ITEM) == []
    assert _check(ITEM, with_source=False) == []


def _broken(old: str, new: str) -> str:
    assert old in ITEM
    return ITEM.replace(old, new, 1)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "/v1/{{fields.instanceName}}",
            "/v1/{{fields.instanceNam}}",
            (
                24,
                47,
                "template-unknown-field",
                "template references fields.instanceNam, which is not a field of "
                "this item (did you mean instanceName?)",
            ),
        ),
        (
            'token: "{{secrets.dbApiToken}}"',
            'token: "{{secrets.dbToken}}"',
            (
                29,
                40,
                "template-unknown-secret",
                "template references secrets.dbToken, which is not declared in "
                "fulfillment.secrets (did you mean dbApiToken?)",
            ),
        ),
        (
            '"{{metadata.owner.team}}"',
            '"{{metadata.owner.teem}}"',
            (
                25,
                30,
                "template-unknown-metadata",
                "template references metadata.owner.teem, which is not set in this "
                "item's metadata (did you mean team?)",
            ),
        ),
        (
            '"{{request.user.email}}"',
            '"{{request.user.mail}}"',
            (
                25,
                63,
                "template-unknown-request",
                "template references request.user.mail, which is not a request "
                "variable (did you mean email?)",
            ),
        ),
        (
            '"{{system.timestamp}}"',
            '"{{system.time}}"',
            (
                28,
                18,
                "template-unknown-system",
                "template references system.time, which is not a system variable "
                "(did you mean timestamp?)",
            ),
        ),
        (
            '"{{environment.DB_API_URL}}',
            '"{{env.DB_API_URL}}',
            (
                24,
                17,
                "template-unknown-scope",
                "template references env.DB_API_URL, but env is not a variable scope "
                "(fields, metadata, request, system, environment, outputs, secrets)",
            ),
        ),
        (
            '"{{fields.adminPassword}}"',
            '"{{response.body.password}}"',
            (
                27,
                24,
                "template-response-outside-outputs",
                "template references response.body.password, but response is only "
                "available in an action's outputs",
            ),
        ),
        (
            '"/v1/{{outputs.create-db.databaseId}}/roles"',
            '"/v1/{{outputs.create-dB.databaseId}}/roles"',
            (
                38,
                21,
                "template-unknown-action",
                "template references outputs.create-dB.databaseId, but there is no "
                "action create-dB (did you mean create-db?)",
            ),
        ),
        (
            'url: "/v1/{{outputs.create-db.databaseId}}/roles"',
            'url: "/v1/{{outputs.create-role.databaseId}}/roles"',
            (
                38,
                21,
                "template-output-cycle",
                "template references outputs.create-role.databaseId, an output of this "
                "same action; only its cleanup instructions can use it",
            ),
        ),
        (
            "          {{outputs.create-db.databaseId}}.",
            "          {{outputs.delete.snapshotId}}.",
            (
                48,
                13,
                "template-unknown-action",
                "template references outputs.delete.snapshotId, but there is no action "
                "delete",
            ),
        ),
        (
            "team {{@index}}: {{this}}",
            "team {{@index}}: {{this}} {{fields.bad}}",
            (
                41,
                39,
                "template-unknown-field",
                "template references fields.bad, which is not a field of this item",
            ),
        ),
        (
            "team {{@index}}: {{this}}",
            "team {{@index}}: {{this}",
            (41, 34, "template-syntax", "invalid template: unexpected character '}'"),
        ),
        (
            '"{{#if fields.instanceName}}true{{/if}}"',
            '"{{#if fields.instanceName}}true"',
            (
                36,
                14,
                "template-syntax",
                "invalid template: {{#if}} is never closed (missing {{/if}})",
            ),
        ),
        (
            '{snap: "{{outputs.snapshot.snapshotId}}"}',
            '{snap: "{{outputs.snapshot.snapshot}}"}',
            (
                66,
                26,
                "template-unknown-output",
                "template references outputs.snapshot.snapshot, but action "
                "snapshot has no output snapshot (did you mean snapshotId?)",
            ),
        ),
    ],
)
def test_each_problem_is_reported_at_its_line_and_column(
    old: str, new: str, expected: tuple[int, int, str, str]
) -> None:
    found = _check(_broken(old, new))

    assert _short(found) == [expected]
    assert found[0].file == "catalog/db/item.yaml"


def test_reading_a_later_action_is_reported() -> None:
    text = _broken(
        '"{{response.body.id}}"\n',
        '"{{response.body.id}}"\n      when: "{{outputs.notify.key}}"\n',
    ).replace("{{outputs.create-role.roleName | default('none')}}", "Ticket")

    found = _check(text)

    assert _short(found) == [
        (
            32,
            16,
            "template-later-action",
            "template references outputs.notify.key, but action notify runs after "
            "this one (create-db)",
        ),
    ]


def test_outputs_chains_that_loop_are_cycles() -> None:
    text = _broken(
        'databaseId: "{{response.body.id}}"',
        'databaseId: "{{outputs.notify.key}}"',
    ).replace(
        "summary: \"{{outputs.create-role.roleName | default('none')}}\"",
        'summary: "{{outputs.create-db.databaseId}}"',
    )

    found = _check(text)

    assert _short(found) == [
        (
            31,
            24,
            "template-output-cycle",
            "template references outputs.notify.key, which makes a cycle: "
            "create-db → notify → create-db",
        ),
    ]


def test_outputs_names_of_jira_tickets_include_key_and_url() -> None:
    text = _broken(
        "summary: \"{{outputs.create-role.roleName | default('none')}}\"",
        "summary: x\n    - id: after\n      type: webhook\n"
        '      config: {a: "{{outputs.notify.key}} {{outputs.notify.url}}",'
        ' b: "{{outputs.notify.nope}}"}',
    )

    found = _check(text)

    assert [(d.code, d.severity) for d in found] == [
        ("template-unknown-output", Severity.WARNING),
    ]
    assert "has no output nope" in found[0].message


def test_environment_names_are_checked_only_against_a_given_allow_list() -> None:
    document = load_yaml(ITEM)

    free = check_item_templates(document, file="f.yaml")
    strict = check_item_templates(
        document, file="f.yaml", source=ITEM, environment=["AWS_REGION"]
    )

    assert free == []
    assert _short(strict) == [
        (
            24,
            17,
            "template-unknown-environment",
            "template references environment.DB_API_URL, which is not in the "
            "environment allow-list",
        ),
    ]


def test_without_the_source_lines_are_still_right_for_block_scalars() -> None:
    text = _broken("team {{@index}}: {{this}}", "team {{@index}}: {{fields.bad}}")

    found = _check(text, with_source=False)

    assert [(d.line, d.code) for d in found] == [(41, "template-unknown-field")]


def test_manual_tickets_are_checked_and_see_no_action_outputs() -> None:
    text = textwrap.dedent(
        """\
        metadata: {id: x}
        fulfillment:
          manual:
            project: OPS
            summary: "Create {{fields.name}} for {{outputs.a.b}}"
            description: |
              Requested by {{request.user.email}}
              {{response.status}}
        """
    )

    found = _check(text)

    assert _short(found) == [
        (
            5,
            24,
            "template-unknown-field",
            "template references fields.name, which is not a field of this item",
        ),
        (
            5,
            44,
            "template-unknown-action",
            "template references outputs.a.b, but there is no action a",
        ),
        (
            8,
            9,
            "template-response-outside-outputs",
            "template references response.status, but response is only available "
            "in an action's outputs",
        ),
    ]


def test_documents_that_are_not_items_give_no_findings() -> None:
    assert check_item_templates(load_yaml("- a\n- b\n"), file="f.yaml") == []
    assert check_item_templates(load_yaml("fulfillment: [1]\n"), file="f.yaml") == []


def test_the_catalog_loader_runs_the_template_checks(examples_dir: Path) -> None:
    name = "catalog/databases/postgres-database.yaml"
    text = (examples_dir / "catalog-repo" / name).read_text(encoding="utf-8")
    broken = text.replace('"{{fields.instanceName}}"', '"{{fields.instanceNam}}"', 1)

    _, clean = validate_item_text(text, filename=name)
    _, found = validate_item_text(broken, filename=name)

    assert clean == []
    assert [d.code for d in found] == ["template-unknown-field"]
    assert "fields.instanceNam" in found[0].message
