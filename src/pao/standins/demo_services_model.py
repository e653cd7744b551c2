"""The state, credentials and request checks of the demo services stand-in."""

from __future__ import annotations

import base64
import hmac
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

__all__ = [
    "HOOK_PATHS",
    "PROVISIONER",
    "SERVICE_PREFIXES",
    "Body",
    "DemoSecrets",
    "DemoState",
    "Guard",
    "Handler",
    "ReceivedHook",
    "StoredAnswer",
    "basic_guard",
    "bearer_guard",
    "credentials_of",
    "error",
    "header_guard",
    "later",
    "new_id",
]

#: Environment name → path prefix of that service on the demo server.
SERVICE_PREFIXES = {
    "DB_API_URL": "/db",
    "CACHE_API_URL": "/cache",
    "QUEUE_API_URL": "/queue",
    "STORAGE_API_URL": "/storage",
    "DNS_API_URL": "/certs",
    "IAM_API_URL": "/iam",
    "CI_API_URL": "/artifacts",
    "HOOKS_URL": "/hooks",
}
HOOK_PATHS = frozenset(
    {"inventory", "chat/streaming-changes", "chat/certificates", "reminders"}
    | {"vpn/profiles", "vpn/profiles/disable", "finops/allocations"}
    | {"alertmanager/routes"}
)
#: The user name the example items sign in with, to OAuth2 and RabbitMQ.
PROVISIONER = "pao-provisioner"

Body = dict[str, Any]
Handler = Callable[[Request, Body], Response]
Guard = Callable[[Request], bool]


@dataclass(frozen=True)
class DemoSecrets:
    """The services' credentials; ``environ()`` names them as the items do."""

    db_api_token: str
    cache_api_key: str
    queue_admin_password: str
    queue_api_token: str
    storage_client_secret: str
    dns_api_key: str
    iam_api_token: str
    ci_api_token: str
    hooks_signing_secret: str

    @classmethod
    def generate(cls) -> DemoSecrets:
        """Fresh random values, one per credential."""
        return cls(**{f.name: secrets.token_urlsafe(18) for f in fields(cls)})

    def environ(self) -> dict[str, str]:
        """``DB_API_TOKEN`` and the rest, as the example items read them."""
        return {f.name.upper(): getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class ReceivedHook:
    """A signed post that reached the webhook gateway."""

    path: str
    payload: Any


@dataclass(frozen=True)
class StoredAnswer:
    """The first answer to an idempotency key and the request it answered."""

    fingerprint: tuple[str, str, bytes]
    response: Response


@dataclass
class DemoState:
    """What the services created, by kind and id; guarded by ``lock``."""

    records: dict[str, dict[str, Body]] = field(default_factory=dict)
    answers: dict[str, StoredAnswer] = field(default_factory=dict)
    oauth_tokens: set[str] = field(default_factory=set)
    hooks: list[ReceivedHook] = field(default_factory=list)
    conflicts: set[str] = field(default_factory=set)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def kind(self, name: str) -> dict[str, Body]:
        return self.records.setdefault(name, {})


def error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status)


def new_id(prefix: str) -> str:
    return f"{prefix}-{secrets.token_hex(5)}"


def later(days: int) -> str:
    moment = datetime.now(UTC) + timedelta(days=days)
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def credentials_of(request: Request, scheme: str) -> str:
    """What follows *scheme* in the ``Authorization`` header, or ``""``."""
    given, _, value = request.headers.get("authorization", "").partition(" ")
    return value if given.lower() == scheme.lower() else ""


def _same(given: str, expected: str) -> bool:
    return bool(given) and hmac.compare_digest(given.encode(), expected.encode())


def bearer_guard(token: str) -> Guard:
    """``Authorization: Bearer <token>``."""
    return lambda request: _same(credentials_of(request, "Bearer"), token)


def basic_guard(username: str, password: str) -> Guard:
    """HTTP basic with *username* and *password*."""

    def check(request: Request) -> bool:
        try:
            decoded = base64.b64decode(credentials_of(request, "Basic")).decode()
        except ValueError:
            return False
        return _same(decoded, f"{username}:{password}")

    return check


def header_guard(name: str, value: str) -> Guard:
    """A header holding exactly *value* (an API key)."""
    return lambda request: _same(request.headers.get(name, ""), value)
