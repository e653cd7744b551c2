"""How fast is catalog validation, next to libyaml alone?

Generates a catalog of realistic items (several groups, fields and actions
each) in a temporary folder, then times

* the floor: ``yaml.load(..., Loader=yaml.CSafeLoader)`` over the same
  files, reading included;
* ``load_catalog`` in-process (everything ``pao catalog validate`` does);
* ``pao catalog validate`` as a subprocess (with interpreter start-up);
* validating one request against the loaded catalog.

Targets: catalog validation at most 2x the floor; one request under 2 ms.
Times are CPU seconds (the process's and its children's), so that other
work on the machine does not skew the comparison.

    python bench/bench_catalog_validate.py [--items 5000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from pao.catalog import CatalogItem, CatalogLoad, load_catalog
from pao.catalog.checks import check_item_document
from pao.catalog.template_checks import check_item_templates
from pao.core.yamlio import load_yaml
from pao.requests import validate_request_text

CATEGORIES = [f"category-{n:02d}" for n in range(20)]

ITEM = """\
# yaml-language-server: $schema=https://pao.dev/schemas/v1/catalog-item.json
apiVersion: pao/v1
kind: CatalogItem
metadata:
  id: {id}
  name: Service {n}
  description: >-
    A managed service number {n}, with backups, monitoring and an optional
    replica in a second region.
  version: 1.{minor}.0
  category: {category}
  tags: [generated, tier-{tier}, {category}]
  owner:
    team: acme/team-{tier}
    jiraProject: T{tier}
    contact: team-{tier}@acme.example
  sla:
    fulfillmentHours: {hours}
presentation:
  form:
    groups:
      - id: basics
        name: Basics
        description: What to create and for whom.
        fields:
          - id: instanceName
            name: Instance name
            type: string
            required: true
            placeholder: orders-db
            validation:
              pattern: "^[a-z][a-z0-9-]{{2,30}}$"
              message: 3 to 31 lowercase letters, digits and hyphens
          - id: environment
            name: Environment
            type: select
            required: true
            default: staging
            options: [development, staging, production]
          - id: description
            name: Description
            type: textarea
            validation: {{minLength: 10, maxLength: 500}}
          - id: owner
            name: Owner email
            type: string
            required: true
            validation:
              pattern: "^[^@\\\\s]+@acme\\\\.example$"
              message: an acme.example address
      - id: sizing
        name: Sizing
        fields:
          - id: sizeGb
            name: Size (GiB)
            type: number
            default: 20
            validation: {{min: 10, max: 1000, step: 10}}
          - id: highAvailability
            name: High availability
            type: boolean
            default: false
          - id: replicas
            name: Replicas
            type: number
            default: 1
            validation: {{min: 1, max: 5, step: 1}}
            conditional: {{dependsOn: highAvailability, condition: equals, value: true}}
          - id: regions
            name: Regions
            type: multiselect
            options:
              - {{value: eu-west-1, label: Ireland}}
              - {{value: eu-central-1, label: Frankfurt}}
              - {{value: us-east-1, label: Virginia}}
            validation: {{minLength: 1, maxLength: 2}}
            conditional: {{dependsOn: highAvailability, condition: equals, value: true}}
      - id: access
        name: Access
        fields:
          - id: adminPassword
            name: Admin password
            type: password
            required: true
          - id: expiresOn
            name: Expires on
            type: date
          - id: costCenter
            name: Cost center
            type: string
            validation: {{pattern: "^CC-[0-9]{{4}}$"}}
fulfillment:
  secrets:
    apiToken: env:SERVICE_API_TOKEN
    hookSecret: vault:secret/platform/hooks#signing
  actions:
    - id: create
      type: rest-api
      name: Create the instance
      timeout: 10m
      retry: {{maxAttempts: 3, backoff: 2}}
      config:
        method: POST
        url: https://api.acme.example/v1/services/{id}
        headers: {{X-Team: "{{{{request.user.teams[0]}}}}"}}
        body:
          name: "{{{{fields.instanceName}}}}"
          size: "{{{{fields.sizeGb}}}}"
          environment: "{{{{fields.environment}}}}"
        auth: {{type: bearer, token: "{{{{secrets.apiToken}}}}"}}
        expectedStatus: [200, 201]
      outputs:
        instanceId: "{{{{response.body.id}}}}"
      cleanup:
        instructions: Delete instance {{{{outputs.create.instanceId}}}}.
    - id: ticket
      type: jira-ticket
      name: Record the instance
      config:
        project: T{tier}
        issueType: Task
        summary: "Created {{{{fields.instanceName}}}}"
        description: "Instance {{{{outputs.create.instanceId}}}}"
        labels: [pao]
    - id: notify
      type: webhook
      name: Tell the team
      when: "{{{{fields.highAvailability}}}}"
      config:
        url: https://hooks.acme.example/pao
        secret: "{{{{secrets.hookSecret}}}}"
        payload: {{event: created, id: "{{{{outputs.create.instanceId}}}}"}}
  manual:
    project: T{tier}
    issueType: Task
    summary: "Create {{{{fields.instanceName}}}} by hand"
lifecycle:
  status: active
monitoring:
  healthCheck: {{url: "https://api.acme.example/health", intervalSeconds: 60}}
"""

REQUEST = """\
apiVersion: pao/v1
kind: Request
catalogItem: {id}
team: acme/payments
fields:
  instanceName: orders-db
  environment: production
  description: The orders database of the checkout service.
  owner: jane@acme.example
  sizeGb: 120
  highAvailability: true
  replicas: 2
  regions: [eu-west-1, eu-central-1]
  adminPassword: vault:secret/payments/orders#password
  expiresOn: "2027-01-31"
  costCenter: CC-4210
"""


def generate(root: Path, count: int) -> list[Path]:
    files = []
    for n in range(count):
        category = CATEGORIES[n % len(CATEGORIES)]
        item_id = f"service-{n:05d}"
        folder = root / "catalog" / category
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{item_id}.yaml"
        text = ITEM.format(
            id=item_id, n=n, minor=n % 7, category=category, tier=n % 9, hours=4
        )
        path.write_text(text, encoding="utf-8")
        files.append(path)
    return files


def timed(run: Callable[[], object]) -> float:
    """CPU seconds spent by *run*, in this process and in its children.

    CPU time rather than wall time: on a shared machine the wall clock
    mostly measures the neighbours.
    """
    start = _cpu_seconds()
    run()
    return _cpu_seconds() - start


def _cpu_seconds() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def paired(repeat: int, floor: Callable[[], object], run: Callable[[], object]) -> Pair:
    """Best times of *floor* and *run*, and the median of their ratios.

    The two alternate so that both see the same machine load; the median
    ratio is the figure to trust on a busy machine.
    """
    floors, runs = [], []
    for _ in range(repeat):
        floors.append(timed(floor))
        runs.append(timed(run))
    ratio = statistics.median(r / f for r, f in zip(runs, floors, strict=True))
    return Pair(min(floors), min(runs), ratio)


@dataclass(frozen=True)
class Pair:
    floor: float
    run: float
    ratio: float


def libyaml_floor(files: list[Path]) -> None:
    for path in files:
        with open(path, "rb") as handle:
            yaml.load(handle.read(), Loader=yaml.CSafeLoader)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = generate(root, args.items)
        size = sum(path.stat().st_size for path in files) / len(files)
        print(f"{len(files)} items, {size / 1024:.1f} KiB each on average")

        catalog = load_catalog(root)
        if catalog.diagnostics or len(catalog.items) != args.items:
            print(textwrap.indent("\n".join(map(str, catalog.diagnostics[:5])), "  "))
            raise SystemExit("the generated catalog should be valid")
        floor = lambda: libyaml_floor(files)  # noqa: E731
        inproc = paired(args.repeat, floor, lambda: load_catalog(root))
        command = [sys.executable, "-m", "pao", "catalog", "validate", str(root)]
        cli = paired(
            args.repeat,
            floor,
            lambda: subprocess.run(command, check=True, stderr=subprocess.DEVNULL),
        )
        parts = breakdown(catalog, files)

        request = REQUEST.format(id="service-00042")
        validate_request_text(request, catalog)  # compile the form once
        rounds = 2000
        per_request = (
            timed(
                lambda: [validate_request_text(request, catalog) for _ in range(rounds)]
            )
            / rounds
        )
        _, found = validate_request_text(request, catalog)
        assert not found, found

    n = args.items
    report("libyaml CSafeLoader alone", inproc.floor, n)
    report_pair("load_catalog in-process", inproc, n)
    report_pair("pao catalog validate (CLI)", cli, n)
    for name, seconds in parts.items():
        print(f"  of which {name + ':':26} {seconds:6.2f} s")
    print(f"one request against the catalog: {per_request * 1000:.3f} ms")


def report(label: str, seconds: float, items: int, ratio: float | None = None) -> None:
    line = f"{label + ':':29} {seconds:6.2f} s {items / seconds:7.0f} items/s"
    if ratio is not None:
        line += f"  {ratio:.2f}x the floor (median of paired runs)"
    print(line)


def report_pair(label: str, pair: Pair, items: int) -> None:
    report(label, pair.run, items, pair.ratio)
    print(f"{'':29} {pair.run / pair.floor:.2f}x the floor (best against best)")


def breakdown(catalog: CatalogLoad, files: list[Path]) -> dict[str, float]:
    """Time each stage of item checking alone, over the same files.

    With the cycle collector paused, as ``load_catalog`` runs.
    """
    gc.disable()
    try:
        return stages(catalog, files)
    finally:
        gc.enable()


def stages(catalog: CatalogLoad, files: list[Path]) -> dict[str, float]:
    contents = [path.read_bytes() for path in files]
    documents = [load_yaml(content) for content in contents]
    loaded = list(catalog.items.values())
    return {
        "YAML with positions": timed(lambda: [load_yaml(c) for c in contents]),
        "pydantic models": timed(
            lambda: [CatalogItem.model_validate(d.data) for d in documents]
        ),
        "cross-value checks": timed(
            lambda: [
                check_item_document(x.document, file=x.path, item=x.item)
                for x in loaded
            ]
        ),
        "template checks": timed(
            lambda: [check_item_templates(x.document, file=x.path) for x in loaded]
        ),
    }


if __name__ == "__main__":
    main()
