"""The catalog item document (``catalog/<category>/<item-id>.yaml``).

Field names follow the file format exactly (``apiVersion``, ``dependsOn``…);
Python attributes are their snake_case twins. Every model forbids unknown
keys and coerces nothing, so a typo or a quoted number is reported instead
of silently accepted. Only ``monitoring`` and action ``config`` are
free-form: the first is for operators' tools, the second is checked by the
action that runs it.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections.abc import Iterable
from functools import cached_property
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    WithJsonSchema,
    alias_generators,
    field_validator,
)
from pydantic_core import PydanticCustomError

from pao.catalog import syntax

__all__ = [
    "ACTION_TYPES",
    "API_VERSION",
    "COMPONENTS",
    "FIELD_TYPES",
    "ITEM_KEYS",
    "Action",
    "CatalogItem",
    "Cleanup",
    "Conditional",
    "FieldValidation",
    "Form",
    "FormField",
    "FormGroup",
    "Fulfillment",
    "Lifecycle",
    "ManualTicket",
    "Metadata",
    "Option",
    "Owner",
    "Presentation",
    "Retry",
    "Sla",
]

API_VERSION = "pao/v1"

FieldType = Literal[
    "string",
    "number",
    "boolean",
    "select",
    "multiselect",
    "date",
    "textarea",
    "password",
]
ActionType = Literal[
    "jira-ticket", "rest-api", "terraform", "github-workflow", "webhook"
]
ConditionKind = Literal["equals", "notEquals", "in", "notIn"]
LifecycleStatus = Literal["active", "deprecated", "retired"]

# The UI component each field type is drawn with.
COMPONENTS: dict[str, str] = {
    "string": "text-input",
    "number": "number-input",
    "boolean": "checkbox",
    "select": "dropdown",
    "multiselect": "multi-dropdown",
    "date": "date-picker",
    "textarea": "textarea",
    "password": "password-input",
}
FIELD_TYPES: tuple[str, ...] = tuple(COMPONENTS)
ACTION_TYPES: tuple[str, ...] = (
    "jira-ticket",
    "rest-api",
    "terraform",
    "github-workflow",
    "webhook",
)


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        allow_inf_nan=False,
        alias_generator=alias_generators.to_camel,
    )


def _check_pattern(regex: re.Pattern[str], code: str, message: str) -> Any:
    """A before-validator: a string matching *regex*, else a coded error."""

    def check(value: Any) -> Any:
        if not isinstance(value, str) or regex.fullmatch(value) is None:
            raise PydanticCustomError(code, message)
        return value

    return BeforeValidator(check)


def _seconds(value: Any) -> Any:
    if isinstance(value, str):
        seconds = syntax.parse_duration(value)
        if seconds is None:
            message = "must be seconds or a duration such as 30s, 10m or 2h"
            raise PydanticCustomError("bad-duration", message)
        return seconds
    return value


ItemId = Annotated[
    str,
    _check_pattern(
        syntax.ITEM_ID, "bad-id", "must be lowercase letters, digits and hyphens"
    ),
    WithJsonSchema({"type": "string", "pattern": syntax.ITEM_ID.pattern}),
]
LocalId = Annotated[
    str,
    _check_pattern(
        syntax.LOCAL_ID,
        "bad-id",
        "must start with a letter and hold only letters, digits, _ and -",
    ),
    WithJsonSchema({"type": "string", "pattern": syntax.LOCAL_ID.pattern}),
]
Duration = Annotated[
    float,
    BeforeValidator(_seconds),
    Field(gt=0),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "number", "exclusiveMinimum": 0},
                {"type": "string", "pattern": r"^\d+(\.\d+)?(ms|s|m|h)?$"},
            ]
        }
    ),
]
SecretRef = Annotated[
    str,
    _check_pattern(
        syntax.SECRET_REF,
        "bad-secret-ref",
        "must be a secret reference: env:NAME, file:PATH or vault:PATH#KEY",
    ),
    WithJsonSchema({"type": "string", "pattern": syntax.SECRET_REF.pattern}),
]


class Owner(_Model):
    team: Annotated[
        str,
        _check_pattern(syntax.TEAM, "bad-team", "must be a team written org/team-slug"),
        WithJsonSchema({"type": "string", "pattern": syntax.TEAM.pattern}),
    ]
    jira_project: str | None = None
    contact: str | None = None


class Sla(_Model):
    fulfillment_hours: float = Field(gt=0)


class Metadata(_Model):
    id: ItemId
    name: str = Field(min_length=1)
    description: str = ""
    version: Annotated[
        str,
        _check_pattern(
            syntax.SEMVER,
            "bad-version",
            "must be a semantic version (MAJOR.MINOR.PATCH)",
        ),
        WithJsonSchema({"type": "string", "pattern": syntax.SEMVER.pattern}),
    ]
    category: ItemId
    tags: list[str] = Field(default_factory=list)
    owner: Owner
    sla: Sla | None = None
    documentation: str | None = None


class Option(_Model):
    value: int | float | str
    label: str | None = None

    @property
    def text(self) -> str:
        return self.label if self.label is not None else _display(self.value)


def _display(value: int | float | str) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class FieldValidation(_Model):
    pattern: str | None = None
    message: str | None = None
    min: int | float | None = None
    max: int | float | None = None
    step: int | float | None = Field(default=None, gt=0)
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=0)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                syntax.compile_pattern(value)
            except Exception as exc:  # re.error, or RecursionError on abuse
                raise PydanticCustomError(
                    "bad-pattern",
                    "does not compile as a regular expression: {reason}",
                    {"reason": str(exc)},
                ) from None
        return value


class Conditional(_Model):
    depends_on: str
    condition: ConditionKind = "equals"
    value: Any = None


class FormField(_Model):
    id: LocalId
    name: str
    type: FieldType
    required: bool = False
    default: Any = None
    description: str | None = None
    placeholder: str | None = None
    options: list[int | float | str | Option] | None = None
    validation: FieldValidation | None = None
    conditional: Conditional | None = None

    @property
    def normalized_options(self) -> list[Option]:
        """Options as ``{value, label}`` whatever shape the file used."""
        return [
            option if isinstance(option, Option) else Option(value=option)
            for option in self.options or ()
        ]


class FormGroup(_Model):
    id: LocalId
    name: str
    description: str | None = None
    fields: list[FormField] = Field(default_factory=list)


class Form(_Model):
    groups: list[FormGroup] = Field(default_factory=list)


class Presentation(_Model):
    form: Form = Field(default_factory=Form)


class Retry(_Model):
    max_attempts: int = Field(default=3, ge=1, le=20)
    backoff: float = Field(default=2.0, ge=0)


class Cleanup(_Model):
    instructions: str


class Action(_Model):
    id: LocalId
    type: ActionType
    name: str
    config: dict[str, Any] = Field(default_factory=dict)
    when: str | None = None
    timeout: Duration | None = None
    retry: Retry | None = None
    outputs: dict[str, str] = Field(default_factory=dict)
    cleanup: Cleanup | None = None


class ManualTicket(_Model):
    instance: str | None = None
    project: str
    issue_type: str = "Task"
    priority: str | None = None
    summary: str
    description: str | None = None
    labels: list[str] = Field(default_factory=list)
    custom_fields: dict[str, Any] = Field(default_factory=dict)


class Fulfillment(_Model):
    secrets: dict[str, SecretRef] = Field(default_factory=dict)
    actions: list[Action] = Field(default_factory=list)
    manual: ManualTicket | None = None
    update: list[Action] = Field(default_factory=list)
    decommission: list[Action] = Field(default_factory=list)


def _calendar_date(value: Any) -> Any:
    if not isinstance(value, str) or not syntax.is_calendar_date(value):
        message = "must be a real calendar date written YYYY-MM-DD"
        raise PydanticCustomError("invalid-value", message)
    return value


class Lifecycle(_Model):
    status: LifecycleStatus = "active"
    replacement: ItemId | None = None
    sunset_date: (
        Annotated[
            str,
            BeforeValidator(_calendar_date),
            WithJsonSchema({"type": "string", "format": "date"}),
        ]
        | None
    ) = None


class CatalogItem(_Model):
    """One catalog item: what can be requested, with which form, and how."""

    api_version: Literal["pao/v1"]
    kind: Literal["CatalogItem"]
    metadata: Metadata
    presentation: Presentation = Field(default_factory=Presentation)
    fulfillment: Fulfillment
    lifecycle: Lifecycle = Field(default_factory=Lifecycle)
    monitoring: dict[str, Any] | None = None

    @property
    def id(self) -> str:
        return self.metadata.id

    @property
    def fields(self) -> list[FormField]:
        """Every form field, in form order across groups."""
        return [
            field for group in self.presentation.form.groups for field in group.fields
        ]

    @cached_property
    def fingerprint(self) -> str:
        """A digest of the whole item, for caches keyed on its content."""
        data = self.model_dump_json(by_alias=True).encode()
        return hashlib.sha256(data).hexdigest()


def is_finite_number(value: object) -> bool:
    """A JSON number other than a boolean, infinity or NaN."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    return not isinstance(value, float) or math.isfinite(value)


def _aliases(models: Iterable[type[BaseModel]]) -> frozenset[str]:
    return frozenset(
        info.alias or name
        for model in models
        for name, info in model.model_fields.items()
    )


# Every key the item format knows, for "did you mean" hints.
ITEM_KEYS = _aliases(_Model.__subclasses__())
