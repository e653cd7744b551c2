"""The request document (``requests/<item-id>/<request-name>.yaml``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, alias_generators
from pydantic_core import PydanticCustomError

from pao.catalog import syntax

__all__ = ["REQUEST_KEYS", "Request"]


def _team(value: Any) -> Any:
    if not isinstance(value, str) or syntax.TEAM.fullmatch(value) is None:
        message = "must be a team written org/team-slug"
        raise PydanticCustomError("bad-team", message)
    return value


def _item_id(value: Any) -> Any:
    if not isinstance(value, str) or syntax.ITEM_ID.fullmatch(value) is None:
        message = "must be a catalog item id (lowercase letters, digits and hyphens)"
        raise PydanticCustomError("bad-id", message)
    return value


class Request(BaseModel):
    """A team's request for one catalog item, with the form's values."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        alias_generator=alias_generators.to_camel,
    )

    api_version: Literal["pao/v1"]
    kind: Literal["Request"]
    catalog_item: Annotated[str, BeforeValidator(_item_id)]
    team: Annotated[str, BeforeValidator(_team)]
    fields: dict[str, Any] = Field(default_factory=dict)


REQUEST_KEYS = frozenset(
    info.alias or name for name, info in Request.model_fields.items()
)
