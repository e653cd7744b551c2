"""A catalog item and request files for controller tests."""

from __future__ import annotations

import yaml

WIDGET = """\
apiVersion: pao/v1
kind: CatalogItem
metadata:
  id: widget
  name: Widget
  description: A widget made through the widget API.
  version: 1.0.0
  category: things
  owner: {team: acme/widgets, jiraProject: WID}
presentation:
  form:
    groups:
      - id: basics
        name: Basics
        fields:
          - {id: name, name: Name, type: string, required: true}
          - {id: size, name: Size, type: number, required: false, default: 1}
          - {id: fancy, name: Fancy, type: boolean, required: false, default: false}
fulfillment:
  secrets:
    token: env:WIDGET_TOKEN
  actions:
    - id: create
      type: rest-api
      name: Create the widget
      retry: {maxAttempts: 2, backoff: 0.01}
      config:
        method: POST
        url: "{{environment.TARGET_URL}}/v1/widgets"
        auth: {type: bearer, token: "{{secrets.token}}"}
        body: {name: "{{fields.name}}", size: "{{fields.size}}"}
      outputs:
        widgetId: "{{response.body.id}}"
      cleanup:
        instructions: Delete widget {{outputs.create.widgetId}}.
    - id: polish
      type: rest-api
      name: Polish it
      when: "{{fields.fancy}}"
      config:
        method: POST
        url: "{{environment.TARGET_URL}}/v1/polish"
        body: {widget: "{{outputs.create.widgetId}}"}
    - id: register
      type: rest-api
      name: Register it
      retry: {maxAttempts: 2, backoff: 0.01}
      config:
        method: POST
        url: "{{environment.TARGET_URL}}/v1/registrations"
        body: {widget: "{{outputs.create.widgetId}}", owner: "{{request.user.email}}"}
"""


def request_file(name: str, **fields: object) -> str:
    document = {
        "apiVersion": "pao/v1",
        "kind": "Request",
        "catalogItem": "widget",
        "team": "acme/payments",
        "fields": {"name": name, **fields},
    }
    return yaml.safe_dump(document, sort_keys=False)
