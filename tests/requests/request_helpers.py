"""A catalog with one item of every field type, and requests against it."""

from __future__ import annotations

from pao.catalog import CatalogItem, CatalogLoad, validate_item_text
from pao.core.diagnostics import Diagnostic
from pao.requests import validate_request_text

ITEM = """\
apiVersion: pao/v1
kind: CatalogItem
metadata:
  id: postgres-database
  name: PostgreSQL database
  version: 1.4.0
  category: databases
  owner: {team: acme/dba}
presentation:
  form:
    groups:
      - id: basics
        name: Basics
        fields:
          - id: instanceName
            name: Instance name
            type: string
            required: true
            validation:
              pattern: "^[a-z][a-z0-9-]{2,30}$"
              message: lowercase letters, digits and hyphens
          - {id: engine, name: Engine, type: select, default: postgres,
             options: [postgres, {value: aurora, label: Aurora}]}
          - {id: sizeGb, name: Size, type: number, default: 20,
             validation: {min: 10, max: 100, step: 10}}
          - {id: cpu, name: CPU, type: number, validation: {step: 0.1}}
          - {id: replicas, name: Replicas, type: number, required: true,
             conditional: {dependsOn: engine, condition: equals, value: aurora}}
          - {id: regions, name: Regions, type: multiselect, options: [eu, us],
             validation: {minLength: 1}}
      - id: extras
        name: Extras
        fields:
          - {id: backup, name: Backup, type: boolean, default: true}
          - {id: retentionDays, name: Retention, type: number,
             conditional: {dependsOn: backup, value: true}}
          - {id: until, name: Until, type: date}
          - {id: notes, name: Notes, type: textarea, validation: {maxLength: 20}}
          - {id: adminPassword, name: Admin password, type: password,
             required: true}
fulfillment:
  manual: {project: DBA, summary: Create it}
"""

# Line numbers matter: tests that edit this text assert on them.
REQUEST = """\
apiVersion: pao/v1
kind: Request
catalogItem: postgres-database
team: acme/payments
fields:
  instanceName: orders-db
  adminPassword: vault:secret/payments/orders#password
"""


def item_from(text: str = ITEM) -> CatalogItem:
    item, found = validate_item_text(text)
    assert item is not None, found
    return item


def catalog_of(*texts: str) -> CatalogLoad:
    return CatalogLoad.from_items(item_from(text) for text in texts or (ITEM,))


CATALOG = catalog_of()


def diagnostics(
    text: str, catalog: CatalogLoad = CATALOG, filename: str = "req.yaml"
) -> list[str]:
    _, found = validate_request_text(text, catalog, filename=filename)
    return [str(d) for d in found]


def with_fields(*lines: str) -> str:
    """REQUEST with more lines under ``fields`` (from line 8 on)."""
    return REQUEST + "".join(f"  {line}\n" for line in lines)


def codes(found: list[Diagnostic]) -> list[str]:
    return [d.code for d in found]
