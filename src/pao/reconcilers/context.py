"""The template scopes of one request, as its actions see them."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from pao.catalog import CatalogItem
from pao.requests import visible_fields
from pao.store import RequestRecord
from pao.templates import RequestInfo, SecretResolver, build_context

__all__ = ["build_request_context", "password_fields"]


def password_fields(item: CatalogItem) -> list[str]:
    return [field.id for field in item.fields if field.type == "password"]


def build_request_context(
    *,
    request: RequestRecord,
    item: CatalogItem,
    document: Mapping[str, Any],
    outputs: Mapping[str, Mapping[str, Any]],
    environment_allow: Collection[str],
    resolver: SecretResolver | None = None,
    field_resolver: SecretResolver | None = None,
    correlation_id: str | None = None,
) -> dict[str, Any]:
    """Scopes for *request*: only the fields its form shows are passed on."""
    fields = visible_fields(item, document.get("fields") or {})
    info = RequestInfo(
        id=request.id,
        user_email=request.requester,
        user_teams=(request.team,),
        team=request.team,
        timestamp=request.created_at.isoformat(),
        correlation_id=correlation_id or request.id,
    )
    return build_context(
        fields=fields,
        password_fields=password_fields(item),
        metadata=item.metadata.model_dump(by_alias=True, mode="json"),
        request=info,
        outputs=outputs,
        secrets=dict(item.fulfillment.secrets),
        environment_allow=environment_allow,
        resolver=resolver,
        field_resolver=field_resolver,
    )
