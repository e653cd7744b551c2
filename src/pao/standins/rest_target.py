"""A generic JSON REST service and webhook receiver for ``rest-api``/``webhook``.

Resources live under ``/v1/<collection>``: POST creates one (201, with an
id and ``"status": "ready"``), GET/PUT/PATCH/DELETE read and change it.
A request carrying an ``Idempotency-Key`` header is done once: repeating
the key replays the first response (marked ``Idempotent-Replayed: true``);
repeating it with a different method, path or body is refused with 422.

``POST /oauth/token`` issues client-credentials tokens when OAuth clients
are configured. ``POST /hooks/<name>`` receives signed webhooks and checks
``X-Pao-Signature-256: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">``
against ``X-Pao-Timestamp`` when a secret is configured.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from pao.standins.base import Standin

__all__ = [
    "ReceivedWebhook",
    "RestTarget",
    "RestTargetState",
    "StoredResponse",
    "pao_signature",
]

_IDEMPOTENT_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

_Handler = Callable[[Request, bytes], Response]


def pao_signature(secret: str, timestamp: str, body: bytes) -> str:
    """``sha256=`` + hex HMAC-SHA256 of ``"<timestamp>.<body>"``."""
    message = timestamp.encode() + b"." + body
    digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


@dataclass(frozen=True)
class StoredResponse:
    """The first response to an idempotency key, and what it answered."""

    fingerprint: tuple[str, str, bytes]
    status: int
    body: bytes


@dataclass(frozen=True)
class ReceivedWebhook:
    """A webhook that arrived at ``/hooks/...`` and the verdict on it."""

    path: str
    headers: dict[str, str]
    body: bytes
    signature_valid: bool | None
    reason: str

    @property
    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class RestTargetState:
    """Everything the target holds; guarded by ``lock``."""

    resources: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    idempotent: dict[str, StoredResponse] = field(default_factory=dict)
    webhooks: list[ReceivedWebhook] = field(default_factory=list)
    tokens: set[str] = field(default_factory=set)
    create_status: str = "ready"
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": code, "message": message}, status_code=status)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class RestTarget(Standin):
    """A generic REST API with idempotency keys, auth and signed webhooks."""

    name = "rest-target"

    def __init__(
        self,
        *,
        expected_headers: Mapping[str, str] | None = None,
        oauth_clients: Mapping[str, str] | None = None,
        webhook_secret: str | None = None,
        webhook_max_age: float | None = 300.0,
    ) -> None:
        super().__init__()
        self.state = RestTargetState()
        self.expected_headers = {
            k.lower(): v for k, v in (expected_headers or {}).items()
        }
        self.oauth_clients = dict(oauth_clients or {})
        self.webhook_secret = webhook_secret
        self.webhook_max_age = webhook_max_age

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/oauth/token", self._token, methods=["POST"]),
            Route("/hooks/{name:path}", self._hook, methods=["POST"]),
            Route("/v1/{collection}", self._collection, methods=["GET", "POST"]),
            Route(
                "/v1/{collection}/{id}",
                self._item,
                methods=["GET", "PUT", "PATCH", "DELETE"],
            ),
        ]

    def error_body(self, status: int) -> tuple[bytes, str]:
        body = {"error": "unavailable", "message": f"scripted fault ({status})"}
        return json.dumps(body).encode(), "application/json"

    # -- what tests assert on ------------------------------------------------

    def deliveries_by_key(self) -> dict[str, int]:
        """Raw arrivals per ``Idempotency-Key``, faulted ones included."""
        keys = (request.idempotency_key for request in self.requests.all())
        return dict(Counter(key for key in keys if key is not None))

    def repeated_keys(self) -> list[str]:
        """Idempotency keys that arrived more than once."""
        return [key for key, count in self.deliveries_by_key().items() if count > 1]

    def resources(self, collection: str) -> list[dict[str, Any]]:
        with self.state.lock:
            return [
                dict(item) for item in self.state.resources.get(collection, {}).values()
            ]

    # -- auth --------------------------------------------------------------------

    def _authorized(self, request: Request) -> bool:
        if not self.expected_headers and not self.oauth_clients:
            return True
        if self.expected_headers and all(
            request.headers.get(name) == value
            for name, value in self.expected_headers.items()
        ):
            return True
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        with self.state.lock:
            return scheme.lower() == "bearer" and token in self.state.tokens

    async def _token(self, request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("latin-1")))
        client_id, client_secret = _client_credentials(request, form)
        if form.get("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        expected = self.oauth_clients.get(client_id or "")
        if expected is None or not hmac.compare_digest(expected, client_secret or ""):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        token = secrets.token_urlsafe(24)
        with self.state.lock:
            self.state.tokens.add(token)
        body = {"access_token": token, "token_type": "Bearer", "expires_in": 3600}
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    # -- resources ---------------------------------------------------------------

    async def _collection(self, request: Request) -> Response:
        if not self._authorized(request):
            return _error(401, "unauthorized", "missing or wrong credentials")
        collection = request.path_params["collection"]
        if request.method == "GET":
            return JSONResponse({"items": self.resources(collection)})
        return await self._idempotently(request, self._create)

    async def _item(self, request: Request) -> Response:
        if not self._authorized(request):
            return _error(401, "unauthorized", "missing or wrong credentials")
        if request.method == "GET":
            return self._read(request)
        return await self._idempotently(request, self._change)

    async def _idempotently(self, request: Request, handler: _Handler) -> Response:
        body = await request.body()
        key = request.headers.get("idempotency-key")
        if key is None or request.method not in _IDEMPOTENT_METHODS:
            return handler(request, body)
        fingerprint = (request.method, request.url.path, body)
        with self.state.lock:
            stored = self.state.idempotent.get(key)
            if stored is None:
                response = handler(request, body)
                self.state.idempotent[key] = StoredResponse(
                    fingerprint, response.status_code, bytes(response.body)
                )
                return response
        if stored.fingerprint != fingerprint:
            message = "this Idempotency-Key was first used with another request"
            return _error(422, "idempotency_key_reused", message)
        return Response(
            stored.body,
            status_code=stored.status,
            media_type="application/json",
            headers={"Idempotent-Replayed": "true"},
        )

    def _create(self, request: Request, body: bytes) -> Response:
        fields = _json_object(body)
        if fields is None:
            return _error(400, "invalid_json", "the body must be a JSON object")
        collection = request.path_params["collection"]
        item_id = f"{collection[:3]}-{secrets.token_hex(6)}"
        resource = {
            **fields,
            "id": item_id,
            "status": self.state.create_status,
            "createdAt": _now(),
        }
        with self.state.lock:
            self.state.resources.setdefault(collection, {})[item_id] = resource
        location = f"/v1/{collection}/{item_id}"
        return JSONResponse(resource, status_code=201, headers={"Location": location})

    def _read(self, request: Request) -> Response:
        collection = request.path_params["collection"]
        with self.state.lock:
            item = self.state.resources.get(collection, {}).get(
                request.path_params["id"]
            )
            if item is None:
                return _error(404, "not_found", "no such resource")
            return JSONResponse(dict(item))

    def _change(self, request: Request, body: bytes) -> Response:
        collection = request.path_params["collection"]
        item_id = request.path_params["id"]
        with self.state.lock:
            items = self.state.resources.get(collection, {})
            if item_id not in items:
                return _error(404, "not_found", "no such resource")
            if request.method == "DELETE":
                del items[item_id]
                return Response(status_code=204)
            fields = _json_object(body)
            if fields is None:
                return _error(400, "invalid_json", "the body must be a JSON object")
            kept = {"id": item_id, "createdAt": items[item_id]["createdAt"]}
            if request.method == "PATCH":
                items[item_id] = {**items[item_id], **fields, **kept}
            else:
                items[item_id] = {**fields, "status": "ready", **kept}
            items[item_id]["updatedAt"] = _now()
            return JSONResponse(dict(items[item_id]))

    # -- webhooks ------------------------------------------------------------------

    async def _hook(self, request: Request) -> Response:
        body = await request.body()
        valid, reason = self._verify(request, body)
        received = ReceivedWebhook(
            path=request.url.path,
            headers=dict(request.headers),
            body=body,
            signature_valid=valid,
            reason=reason,
        )
        with self.state.lock:
            self.state.webhooks.append(received)
        if valid is False:
            return _error(401, "invalid_signature", reason)
        return JSONResponse({"received": True})

    def _verify(self, request: Request, body: bytes) -> tuple[bool | None, str]:
        if self.webhook_secret is None:
            return None, "no secret configured"
        timestamp = request.headers.get("x-pao-timestamp")
        signature = request.headers.get("x-pao-signature-256")
        if timestamp is None or signature is None:
            return False, "X-Pao-Timestamp or X-Pao-Signature-256 missing"
        expected = pao_signature(self.webhook_secret, timestamp, body)
        if not hmac.compare_digest(expected, signature):
            return False, "signature does not match"
        if self.webhook_max_age is not None and not _fresh(
            timestamp, self.webhook_max_age
        ):
            return False, "timestamp outside the accepted window"
        return True, "valid"


def _fresh(timestamp: str, max_age: float) -> bool:
    try:
        sent = float(timestamp)
    except ValueError:
        return False
    return abs(time.time() - sent) <= max_age


def _json_object(body: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(body)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _client_credentials(
    request: Request, form: Mapping[str, str]
) -> tuple[str | None, str | None]:
    scheme, _, encoded = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(encoded).decode()
        except ValueError:
            return None, None
        client_id, _, client_secret = decoded.partition(":")
        return client_id, client_secret
    return form.get("client_id"), form.get("client_secret")
