"""The application factory: joins the feature modules into one app."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.middleware import Middleware

from pao.api import catalog, docs, requests, system, tools, webhooks
from pao.api.auth import Authenticator
from pao.api.errors import exception_handlers
from pao.api.middleware import RequestContextMiddleware
from pao.api.openapi import build_openapi
from pao.api.operations import ApiModule, build_routes
from pao.api.pagination import CursorCodec
from pao.api.services import ApiServices, store_request_counts

__all__ = ["MODULES", "create_app"]

#: The feature modules every app serves, in the order the docs list them.
MODULES: tuple[ApiModule, ...] = (
    system.MODULE,
    catalog.MODULE,
    requests.MODULE,
    tools.MODULE,
    webhooks.MODULE,
    docs.MODULE,
)

_DESCRIPTION = (
    "Self-service requests through git: browse the catalog, follow requests, "
    "and receive the webhooks that tell pao to look again. Errors are "
    '`{"error": {"code", "message", "details"}}` with a stable code.'
)


def create_app(
    *, services: ApiServices, modules: Sequence[ApiModule] = ()
) -> Starlette:
    """The ``/api/v1`` application over *services*.

    *modules* are served next to :data:`MODULES`, and enter the OpenAPI
    document like them.
    """
    all_modules = (*MODULES, *modules)
    _check_unique(all_modules)
    config = services.config
    routes = build_routes(
        all_modules, authenticator=Authenticator(config), config=config
    )
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(
                RequestContextMiddleware,
                header=config.correlation_id_header,
                metrics=services.metrics,
            )
        ],
        exception_handlers=exception_handlers(),
    )
    _attach_state(app, services, all_modules)
    _read_metrics_from(services)
    return app


def _read_metrics_from(services: ApiServices) -> None:
    # Fleet-wide numbers come from the store at scrape time; the cache's
    # hit ratio is this process's own.
    metrics, store, cache = services.metrics, services.store, services.cache
    metrics.set_request_count_source(store_request_counts(store))
    metrics.set_queue_depth_source(store.queue_depth)
    metrics.set_cache_hit_ratio_source(lambda: cache.stats.get("catalog").hit_ratio)


def _attach_state(
    app: Starlette, services: ApiServices, modules: Sequence[ApiModule]
) -> None:
    document = build_openapi(
        modules,
        title="pao API",
        version=services.version.version,
        description=_DESCRIPTION,
    )
    app.state.services = services
    app.state.cursor_codec = CursorCodec(services.config.cursor_key)
    app.state.openapi = document
    app.state.docs_html = docs.render_docs(document)


def _check_unique(modules: Sequence[ApiModule]) -> None:
    seen: dict[tuple[str, str], str] = {}
    ids: set[str] = set()
    for module in modules:
        for operation in module.operations:
            key = (operation.method, operation.full_path)
            if key in seen or operation.operation_id in ids:
                message = (
                    f"operation {operation.operation_id} ({operation.method} "
                    f"{operation.full_path}) of module {module.name} is declared "
                    "twice"
                )
                raise ValueError(message)
            seen[key] = module.name
            ids.add(operation.operation_id)
