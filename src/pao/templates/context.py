"""Builds the mapping of scopes a template renders against.

Callers (the request planner, the action runner) build one context per
request with :func:`build_context` and reuse it for every template of that
request; rendering itself does no further copying.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from pao.templates.functions import utc_timestamp
from pao.templates.secrets import Secret, SecretResolver

__all__ = ["RequestInfo", "build_context", "environment_scope", "system_scope"]


@dataclass(frozen=True, slots=True)
class RequestInfo:
    """Who asked for what: the ``request`` scope."""

    id: str
    user_email: str | None = None
    user_teams: tuple[str, ...] = field(default=())
    team: str | None = None
    timestamp: str | None = None
    correlation_id: str | None = None

    def as_scope(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "user": {"email": self.user_email, "teams": list(self.user_teams)},
            "team": self.team,
            "timestamp": self.timestamp,
            "correlation_id": self.correlation_id,
        }


@lru_cache(maxsize=1)
def _hostname() -> str:
    return socket.gethostname()


def system_scope(
    *, now: datetime | None = None, hostname: str | None = None
) -> dict[str, str]:
    """``system``: date and timestamp (UTC), a fresh uuid, the hostname."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return {
        "date": moment.strftime("%Y-%m-%d"),
        "timestamp": utc_timestamp(moment),
        "uuid": str(uuid.uuid4()),
        "hostname": hostname if hostname is not None else _hostname(),
    }


def environment_scope(
    allowed: Collection[str], *, environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """``environment``: only the allowed names, read from *environ*."""
    source = os.environ if environ is None else environ
    return {name: source[name] for name in allowed if name in source}


def build_context(
    *,
    fields: Mapping[str, Any] | None = None,
    password_fields: Collection[str] = (),
    metadata: Mapping[str, Any] | None = None,
    request: RequestInfo | None = None,
    outputs: Mapping[str, Mapping[str, Any]] | None = None,
    secrets: Mapping[str, str] | None = None,
    environment_allow: Collection[str] = (),
    environ: Mapping[str, str] | None = None,
    resolver: SecretResolver | None = None,
    field_resolver: SecretResolver | None = None,
    now: datetime | None = None,
    hostname: str | None = None,
) -> dict[str, Any]:
    """The scopes for rendering one request's templates.

    *secrets* maps the names of ``fulfillment.secrets`` to references,
    resolved through *resolver* (default: env and file references, no
    vault). The fields named in *password_fields* hold references too,
    resolved through *field_resolver* (default: *resolver*). Requesters
    write those, so give them a resolver limited to what requests may read
    (``DefaultSecretResolver(allowed_env=…, file_roots=…)``). Only the
    environment variables named in *environment_allow* are read.
    """
    return {
        "fields": _fields_scope(
            fields or {}, password_fields, field_resolver or resolver
        ),
        "metadata": dict(metadata or {}),
        "request": request.as_scope() if request else {},
        "system": system_scope(now=now, hostname=hostname),
        "environment": environment_scope(environment_allow, environ=environ),
        "outputs": {action: dict(values) for action, values in (outputs or {}).items()},
        "secrets": {
            name: Secret(reference, name=f"secrets.{name}", resolver=resolver)
            for name, reference in (secrets or {}).items()
        },
    }


def _fields_scope(
    fields: Mapping[str, Any],
    password_fields: Collection[str],
    resolver: SecretResolver | None,
) -> dict[str, Any]:
    scope = dict(fields)
    for name in password_fields:
        value = scope.get(name)
        if isinstance(value, str):
            scope[name] = Secret(value, name=f"fields.{name}", resolver=resolver)
    return scope
