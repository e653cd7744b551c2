"""Which actions a request revision runs, and the data a revision carries.

A revision is one version of a request file as pao indexed it. Its stored
data (``RequestRevision.data``) is a :class:`RevisionData` dict: the kind of
change (create, update, decommission), the catalog item version it was
validated against, and the request document itself.
"""

from __future__ import annotations

import uuid
from typing import Any, Literal, TypedDict

from pao.catalog import Action, CatalogItem

__all__ = [
    "MANUAL_ACTION_ID",
    "RevisionData",
    "RevisionKind",
    "actions_for",
    "request_id_for",
]

RevisionKind = Literal["create", "update", "decommission"]

# The manual fallback runs as one synthetic action of this id, so the
# engine, the status file and the API treat it like any other.
MANUAL_ACTION_ID = "manual"

# Request ids are stable across `pao reindex`: derived from the path alone.
_NAMESPACE = uuid.UUID("6f1f3f5e-8d5e-4a51-9a51-3c0d2c7e9b10")


class RevisionData(TypedDict, total=False):
    """What pao keeps about one revision of a request file."""

    kind: RevisionKind
    item_version: str
    item_commit: str
    document: dict[str, Any]
    diagnostics: list[dict[str, Any]]


def request_id_for(item_id: str, name: str) -> str:
    """The id of the request stored at ``requests/<item_id>/<name>.yaml``."""
    return str(uuid.uuid5(_NAMESPACE, f"{item_id}/{name}"))


def actions_for(item: CatalogItem, kind: RevisionKind) -> list[Action]:
    """The actions a revision of *kind* runs for *item*, in order."""
    fulfillment = item.fulfillment
    if kind == "update":
        return list(fulfillment.update)
    if kind == "decommission":
        return list(fulfillment.decommission)
    if fulfillment.actions:
        return list(fulfillment.actions)
    if fulfillment.manual is not None:
        return [_manual_action(item)]
    return []


def _manual_action(item: CatalogItem) -> Action:
    manual = item.fulfillment.manual
    assert manual is not None
    config: dict[str, Any] = {
        "project": manual.project,
        "issueType": manual.issue_type,
        "summary": manual.summary,
        "waitForResolution": True,
    }
    optional = {
        "instance": manual.instance,
        "priority": manual.priority,
        "description": manual.description,
        "labels": manual.labels or None,
        "customFields": manual.custom_fields or None,
    }
    config.update({key: value for key, value in optional.items() if value})
    return Action.model_validate(
        {
            "id": MANUAL_ACTION_ID,
            "type": "jira-ticket",
            "name": f"Manual fulfilment by {item.metadata.owner.team}",
            "config": config,
        }
    )
