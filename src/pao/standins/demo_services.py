"""A stand-in for the example catalog's own service APIs, for ``pao demo``.

One server answers for all eight environment names the example items read
(``DB_API_URL`` and the rest), each under its own path prefix; see
:data:`SERVICE_PREFIXES` and ``examples/catalog-repo/README.md`` for the
calls. Credentials are checked the way each item sends them (bearer, API
key header, basic, OAuth2 client credentials) against :class:`DemoSecrets`;
the webhook gateway verifies ``X-Pao-Signature-256``. A repeated
``Idempotency-Key`` gets the first answer again. Names listed in
``conflict_once`` are refused with 409 the first time they are created, so
a demo has a failure a retry can fix.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Awaitable, Callable, Collection
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from pao.actions.signing import verify_webhook_signature
from pao.standins.base import Standin
from pao.standins.demo_services_model import (
    HOOK_PATHS,
    PROVISIONER,
    SERVICE_PREFIXES,
    Body,
    DemoSecrets,
    DemoState,
    Guard,
    Handler,
    ReceivedHook,
    StoredAnswer,
    basic_guard,
    bearer_guard,
    credentials_of,
    error,
    header_guard,
    later,
    new_id,
)

__all__ = ["SERVICE_PREFIXES", "DemoSecrets", "DemoServices", "ReceivedHook"]


class DemoServices(Standin):
    """The database, cache, queue, storage, certificate, access, artifact
    and webhook services the example catalog items call."""

    name = "demo-services"

    def __init__(
        self, credentials: DemoSecrets, *, conflict_once: Collection[str] = ()
    ) -> None:
        super().__init__()
        self.credentials = credentials
        self.state = DemoState(conflicts=set(conflict_once))

    def environment(self) -> dict[str, str]:
        """The eight environment names the items read, pointed at this server."""
        return {name: self.url + prefix for name, prefix in SERVICE_PREFIXES.items()}

    def records(self, kind: str) -> list[Body]:
        """What was created of *kind* (``databases``, ``grants``, …)."""
        with self.state.lock:
            return [dict(record) for record in self.state.kind(kind).values()]

    def hooks(self) -> list[ReceivedHook]:
        with self.state.lock:
            return list(self.state.hooks)

    def routes(self) -> list[BaseRoute]:
        return [
            Mount(SERVICE_PREFIXES["DB_API_URL"], routes=self._database_routes()),
            Mount(SERVICE_PREFIXES["CACHE_API_URL"], routes=self._cache_routes()),
            Mount(SERVICE_PREFIXES["QUEUE_API_URL"], routes=self._queue_routes()),
            Mount(SERVICE_PREFIXES["STORAGE_API_URL"], routes=self._storage_routes()),
            Mount(SERVICE_PREFIXES["DNS_API_URL"], routes=self._certificate_routes()),
            Mount(SERVICE_PREFIXES["IAM_API_URL"], routes=self._access_routes()),
            Mount(SERVICE_PREFIXES["CI_API_URL"], routes=self._artifact_routes()),
            Mount(SERVICE_PREFIXES["HOOKS_URL"], routes=self._hook_routes()),
        ]

    def _database_routes(self) -> list[BaseRoute]:
        db = bearer_guard(self.credentials.db_api_token)
        by_name = "/v1/databases/by-name/{name}"
        return [
            Route("/healthz", self._healthz, methods=["GET"]),
            self._route("/v1/databases", db, self._create_database),
            self._route("/v1/databases/{id}/roles", db, self._create_role),
            self._route("/v1/databases/{id}/replicas", db, self._create_replica),
            self._route(by_name, db, self._change_database, "PATCH", "DELETE"),
            self._route(f"{by_name}/snapshots", db, self._snapshot),
            self._route("/v1/legacy/mysql", db, self._create_legacy),
        ]

    def _cache_routes(self) -> list[BaseRoute]:
        cache = header_guard("x-api-key", self.credentials.cache_api_key)
        instance = "/v2/instances/{id}"
        return [
            self._route("/v2/instances", cache, self._create_cache),
            self._route(f"{instance}/snapshot-schedule", cache, self._schedule, "PUT"),
            self._route(f"{instance}/auth", cache, self._set_auth, "PUT"),
        ]

    def _queue_routes(self) -> list[BaseRoute]:
        admin = basic_guard(PROVISIONER, self.credentials.queue_admin_password)
        registry = bearer_guard(self.credentials.queue_api_token)
        return [
            self._route("/api/vhosts/{vhost}", admin, self._put_vhost, "PUT"),
            self._route(
                "/api/vhost-limits/{vhost}/max-queues", admin, self._put_limit, "PUT"
            ),
            self._route("/api/users/{user}", admin, self._put_user, "PUT"),
            self._route(
                "/api/permissions/{vhost}/{user}", admin, self._put_permissions, "PUT"
            ),
            self._route("/schema-registry/subjects", registry, self._register_subject),
        ]

    def _storage_routes(self) -> list[BaseRoute]:
        keys = "/v1/buckets/{bucket}/access-keys"
        return [
            Route("/oauth/token", self._token, methods=["POST"]),
            self._route(keys, self._oauth, self._issue_key),
        ]

    def _certificate_routes(self) -> list[BaseRoute]:
        certs = header_guard("authorization", f"ApiKey {self.credentials.dns_api_key}")
        return [self._route("/v1/certificates", certs, self._order_certificate)]

    def _access_routes(self) -> list[BaseRoute]:
        iam = bearer_guard(self.credentials.iam_api_token)
        return [self._route("/v1/grants", iam, self._grants, "POST", "DELETE")]

    def _artifact_routes(self) -> list[BaseRoute]:
        ci = bearer_guard(self.credentials.ci_api_token)
        return [
            self._route("/api/repositories/{key}", ci, self._put_repository, "PUT"),
            self._route("/api/security/tokens", ci, self._create_token),
        ]

    def _hook_routes(self) -> list[BaseRoute]:
        return [Route("/{path:path}", self._hook, methods=["POST"])]

    # -- the shared request handling ---------------------------------------

    def _route(self, path: str, guard: Guard, handler: Handler, *methods: str) -> Route:
        endpoint = self._endpoint(guard, handler)
        return Route(path, endpoint, methods=list(methods) or ["POST"])

    def _endpoint(
        self, guard: Guard, handler: Handler
    ) -> Callable[[Request], Awaitable[Response]]:
        async def endpoint(request: Request) -> Response:
            if not guard(request):
                return error(401, "unauthorized", "missing or wrong credentials")
            raw = await request.body()
            try:
                body = json.loads(raw) if raw else {}
            except ValueError:
                return error(400, "invalid_json", "the body must be JSON")
            if not isinstance(body, dict):
                return error(400, "invalid_json", "the body must be a JSON object")
            return self._once(request, raw, lambda: handler(request, body))

        return endpoint

    def _once(
        self, request: Request, raw: bytes, answer: Callable[[], Response]
    ) -> Response:
        key = request.headers.get("idempotency-key")
        fingerprint = (request.method, request.url.path, raw)
        with self.state.lock:
            if key is None:
                return answer()
            stored = self.state.answers.get(key)
            if stored is None:
                response = answer()
                self.state.answers[key] = StoredAnswer(fingerprint, response)
                return response
        if stored.fingerprint != fingerprint:
            message = "this Idempotency-Key was first used with another request"
            return error(422, "idempotency_key_reused", message)
        return stored.response

    def _conflict(self, name: str, what: str) -> JSONResponse | None:
        if name not in self.state.conflicts:
            return None
        self.state.conflicts.discard(name)
        message = f"{what} {name!r} is locked by a maintenance job; try again"
        return error(409, "conflict", message)

    def _create(self, kind: str, record: Body, status: int = 201) -> JSONResponse:
        self.state.kind(kind)[record["id"]] = record
        return JSONResponse(record, status_code=status)

    def _find(self, kind: str, key: str, value: Any) -> Body | None:
        found = self.state.kind(kind).values()
        return next((r for r in found if r.get(key) == value), None)

    # -- databases -----------------------------------------------------------

    async def _healthz(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    def _create_database(self, request: Request, body: Body) -> Response:
        name = str(body.get("name") or "")
        if not name:
            return error(422, "invalid", "name is required")
        if self._find("databases", "name", name) is not None:
            return error(409, "exists", f"a database named {name!r} exists")
        host = f"{name}.{body.get('environment', 'dev')}.pg.acme.internal"
        record = {"id": new_id("db"), "name": name, "host": host, "port": 5432}
        return self._create("databases", record | {"status": "provisioning"})

    def _database(self, request: Request) -> Body | None:
        return self.state.kind("databases").get(request.path_params["id"])

    def _create_role(self, request: Request, body: Body) -> Response:
        if (database := self._database(request)) is None:
            return error(404, "not_found", "no such database")
        role = {"id": new_id("role"), "name": body.get("name"), "owner": True}
        return self._create("roles", role | {"database": database["id"]})

    def _create_replica(self, request: Request, body: Body) -> Response:
        if (database := self._database(request)) is None:
            return error(404, "not_found", "no such database")
        region = str(body.get("region") or "eu-west-1")
        host = f"{database['name']}-replica.{region}.pg.acme.internal"
        replica = {"id": new_id("rep"), "host": host, "region": region}
        return self._create("replicas", replica, status=202)

    def _change_database(self, request: Request, body: Body) -> Response:
        database = self._find("databases", "name", request.path_params["name"])
        if database is None:
            return error(404, "not_found", "no such database")
        if request.method == "DELETE":
            del self.state.kind("databases")[database["id"]]
            return Response(status_code=204)
        database.update({k: v for k, v in body.items() if k not in ("id", "name")})
        return JSONResponse(database)

    def _snapshot(self, request: Request, body: Body) -> Response:
        if self._find("databases", "name", request.path_params["name"]) is None:
            return error(404, "not_found", "no such database")
        return self._create("snapshots", {"id": new_id("snap"), **body}, status=202)

    def _create_legacy(self, request: Request, body: Body) -> Response:
        return self._create(
            "legacy", {"id": new_id("mysql57"), "name": body.get("name")}
        )

    # -- caches --------------------------------------------------------------

    def _create_cache(self, request: Request, body: Body) -> Response:
        name = str(body.get("name") or "")
        if (conflict := self._conflict(name, "cache")) is not None:
            return conflict
        tls = str(body.get("tls")).lower() == "true"
        scheme, port = ("rediss", 6380) if tls else ("redis", 6379)
        record = {"id": new_id("cache"), "name": name, "status": "creating"}
        record["endpoint"] = f"{scheme}://{name}.cache.acme.internal:{port}"
        response = self._create("caches", record)
        response.headers["Location"] = f"{request.url}/{record['id']}"
        return response

    def _schedule(self, request: Request, body: Body) -> Response:
        cache = self.state.kind("caches").get(request.path_params["id"])
        if cache is None:
            return error(404, "not_found", "no such instance")
        cache["snapshotSchedule"] = body
        return JSONResponse(cache)

    def _set_auth(self, request: Request, body: Body) -> Response:
        if request.path_params["id"] not in self.state.kind("caches"):
            return error(404, "not_found", "no such instance")
        return Response(status_code=204)

    # -- queues (RabbitMQ management API and schema registry) ----------------

    def _put(self, kind: str, key: str, body: Body) -> Response:
        created = key not in self.state.kind(kind)
        self.state.kind(kind)[key] = {"id": key, **body}
        return Response(status_code=201 if created else 204)

    def _put_vhost(self, request: Request, body: Body) -> Response:
        vhost = request.path_params["vhost"]
        conflict = self._conflict(vhost, "virtual host")
        return conflict or self._put("vhosts", vhost, body)

    def _put_limit(self, request: Request, body: Body) -> Response:
        vhost = self.state.kind("vhosts").get(request.path_params["vhost"])
        if vhost is None:
            return error(404, "not_found", "Object Not Found")
        vhost["maxQueues"] = body.get("value")
        return Response(status_code=204)

    def _put_user(self, request: Request, body: Body) -> Response:
        safe = {k: v for k, v in body.items() if k != "password"}
        return self._put("users", request.path_params["user"], safe)

    def _put_permissions(self, request: Request, body: Body) -> Response:
        vhost, user = request.path_params["vhost"], request.path_params["user"]
        if vhost not in self.state.kind("vhosts") or user not in self.state.kind(
            "users"
        ):
            return error(400, "bad_request", "vhost or user does not exist")
        return self._put("permissions", f"{vhost}/{user}", body)

    def _register_subject(self, request: Request, body: Body) -> Response:
        subject = str(body.get("subject") or "")
        existing = self._find("subjects", "subject", subject)
        if existing is not None:
            return JSONResponse(existing)
        return self._create("subjects", {"id": new_id("sub"), **body})

    # -- object storage keys ---------------------------------------------------

    async def _token(self, request: Request) -> Response:
        form = dict(parse_qsl((await request.body()).decode("latin-1")))
        if form.get("grant_type") != "client_credentials":
            return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
        expected = basic_guard(PROVISIONER, self.credentials.storage_client_secret)
        if not expected(request):
            return JSONResponse({"error": "invalid_client"}, status_code=401)
        token = secrets.token_urlsafe(24)
        with self.state.lock:
            self.state.oauth_tokens.add(token)
        body = {"access_token": token, "token_type": "Bearer", "expires_in": 3600}
        return JSONResponse(body, headers={"Cache-Control": "no-store"})

    def _oauth(self, request: Request) -> bool:
        token = credentials_of(request, "Bearer")
        with self.state.lock:
            return token in self.state.oauth_tokens

    def _issue_key(self, request: Request, body: Body) -> Response:
        # The key is written to Vault; each new key is a new version there.
        path = str(body.get("deliverTo") or "").removeprefix("vault:")
        keys = self.state.kind("keys").values()
        vault = {"path": path, "version": 1 + sum(k["path"] == path for k in keys)}
        key_id = "AKIA" + secrets.token_hex(8).upper()
        record = {"id": key_id, "keyId": key_id, "path": path, "vault": vault}
        return self._create("keys", record | {"bucket": request.path_params["bucket"]})

    # -- certificates ------------------------------------------------------------

    def _order_certificate(self, request: Request, body: Body) -> Response:
        if request.query_params.get("validation") not in ("dns-01", "http-01"):
            return error(400, "invalid", "validation must be dns-01 or http-01")
        name = str(body.get("commonName") or "")
        store = {"path": f"secret/certificates/{name}"}
        record = {"id": new_id("cert"), "commonName": name, "status": "issued"}
        return self._create(
            "certificates", record | {"notAfter": later(90), "store": store}
        )

    # -- access grants -----------------------------------------------------------

    def _grants(self, request: Request, body: Body) -> Response:
        if request.method == "DELETE":
            wanted = dict(request.query_params).items()
            grants = self.state.kind("grants")
            found = [k for k, g in grants.items() if wanted <= g.items()]
            for key in found:
                del grants[key]
            return Response(status_code=204 if found else 404)
        if not request.headers.get("x-approval-ticket"):
            return error(403, "forbidden", "grants need an approval ticket")
        grant = {"id": new_id("grant"), **body}
        return self._create("grants", grant | {"grantId": grant["id"]})

    # -- artifact server ---------------------------------------------------------

    def _put_repository(self, request: Request, body: Body) -> Response:
        key = request.path_params["key"]
        if (conflict := self._conflict(key, "repository")) is not None:
            return conflict
        created = key not in self.state.kind("repositories")
        url = f"https://artifacts.acme.example/artifactory/{key}/"
        record = {"id": key, "key": key, "url": url}
        record["packageType"] = body.get("packageType")
        return self._create("repositories", record, status=201 if created else 200)

    def _create_token(self, request: Request, body: Body) -> Response:
        record = {"id": new_id("tok"), "scope": body.get("scope")}
        return self._create("tokens", record | {"tokenId": record["id"]})

    # -- webhook gateway ---------------------------------------------------------

    async def _hook(self, request: Request) -> Response:
        path = request.path_params["path"]
        if path not in HOOK_PATHS:
            return error(404, "not_found", f"no receiver at /{path}")
        raw = await request.body()
        valid = verify_webhook_signature(
            self.credentials.hooks_signing_secret,
            request.headers.get("x-pao-timestamp", ""),
            raw,
            request.headers.get("x-pao-signature-256", ""),
        )
        if not valid:
            return error(401, "invalid_signature", "signature missing or wrong")
        with self.state.lock:
            self.state.hooks.append(ReceivedHook(path, json.loads(raw)))
        return JSONResponse({"accepted": True}, status_code=202)
