"""pao's HTTP API, served under ``/api/v1``.

``pao serve`` builds an :class:`ApiServices` (store, configuration with
secrets resolved, the workers' queue, readiness probes) and passes it to
:func:`create_app`; uvicorn serves the result. Run uvicorn without
``--proxy-headers``: trusted-proxy authentication reads the real peer
address.

Modules: :mod:`~pao.api.errors` (error bodies), :mod:`~pao.api.auth`
(tokens, proxy identity, visibility), :mod:`~pao.api.pagination`
(signed cursors), :mod:`~pao.api.middleware` (correlation id, request
log), :mod:`~pao.api.operations` (route + contract declarations),
:mod:`~pao.api.openapi` and :mod:`~pao.api.docs` (the API describing
itself), :mod:`~pao.api.system` (health, readiness, version, metrics),
:mod:`~pao.api.webhooks` over :mod:`~pao.api.webhooks_sansio`.

Adding endpoints
----------------

Write one module per feature (``pao/api/catalog.py``, …) ending in an
:class:`ApiModule` named ``MODULE``, and add it to ``MODULES`` in
:mod:`pao.api.app`::

    def list_requests(request: Request) -> Response:   # sync is fine
        principal = principal_of(request)
        page = read_page(request, listing="requests")
        result = services_of(request).store.list_requests(...)
        return page_response(request, result.items, page=page,
                             render=..., has_more=result.has_more,
                             next_keys=..., total_count=result.total_count)

    MODULE = ApiModule(
        name="requests",
        description="Requests and their progress.",
        operations=(
            Operation(
                method="GET", path="/requests", endpoint=list_requests,
                operation_id="listRequests", summary="List requests",
                tags=("requests",),
                parameters=(*PAGE_PARAMETERS, Parameter("status", "…")),
                responses={200: Reply("A page.", model=RequestOut,
                                      paginated=True)},
            ),
        ),
    )

The declaration is the contract: callers are authenticated per
``access`` (``USER`` by default) before the endpoint runs, query
parameters not declared are refused with 400, a declared ``Body`` is read
under the size cap and validated against its pydantic ``model`` (the
endpoint gets it from :func:`body_model`), and the same declaration
becomes the operation in ``/api/v1/openapi.json`` and ``/api/v1/docs``.
Raise :class:`ApiError` subclasses for errors; for a request the caller
may not see, :func:`require_visible_request` raises the same 404 as for
a missing one. ``tests/api/sample.py`` is a complete small module.
"""

from __future__ import annotations

from pao.api.app import create_app
from pao.api.auth import (
    Access,
    Principal,
    can_see_request,
    principal_of,
    require_visible_request,
)
from pao.api.config import ApiConfig, ProxyTrust, TokenGrant
from pao.api.errors import (
    ApiError,
    BadRequest,
    NotFound,
    PayloadTooLarge,
    ServiceUnavailable,
    Unauthorized,
    UnsupportedMediaType,
    ValidationFailed,
)
from pao.api.operations import (
    ApiModule,
    Body,
    Operation,
    Parameter,
    Reply,
    body_bytes,
    body_json,
    body_model,
)
from pao.api.pagination import (
    PAGE_PARAMETERS,
    PageRequest,
    page_response,
    read_page,
    trim_page,
)
from pao.api.services import ApiServices, VersionInfo, services_of
from pao.api.webhooks_sansio import Delivery

__all__ = [
    "PAGE_PARAMETERS",
    "Access",
    "ApiConfig",
    "ApiError",
    "ApiModule",
    "ApiServices",
    "BadRequest",
    "Body",
    "Delivery",
    "NotFound",
    "Operation",
    "PageRequest",
    "Parameter",
    "PayloadTooLarge",
    "Principal",
    "ProxyTrust",
    "Reply",
    "ServiceUnavailable",
    "TokenGrant",
    "Unauthorized",
    "UnsupportedMediaType",
    "ValidationFailed",
    "VersionInfo",
    "body_bytes",
    "body_json",
    "body_model",
    "can_see_request",
    "create_app",
    "page_response",
    "principal_of",
    "read_page",
    "require_visible_request",
    "services_of",
    "trim_page",
]
