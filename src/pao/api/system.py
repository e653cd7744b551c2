"""Health, readiness, version and Prometheus metrics.

Liveness and version answer on the event loop; readiness and metrics ask
the store, so they run in the threadpool like every sync endpoint.
"""

from __future__ import annotations

from typing import Literal

import structlog
from pydantic import BaseModel
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from pao.api.auth import Access
from pao.api.errors import ServiceUnavailable
from pao.api.operations import ApiModule, Operation, Reply
from pao.api.services import ReadinessProbe, services_of
from pao.core.metrics import CONTENT_TYPE

__all__ = ["MODULE", "Health", "Readiness", "Version"]

log = structlog.get_logger(__name__)

CheckResult = Literal["ok", "failed", "error"]


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready"]
    checks: dict[str, CheckResult]


class Version(BaseModel):
    version: str
    git_sha: str | None


async def _health(request: Request) -> Response:
    return JSONResponse(Health(status="ok").model_dump())


def _ready(request: Request) -> Response:
    checks = {
        name: _run_probe(name, probe)
        for name, probe in services_of(request).readiness_checks().items()
    }
    failed = sorted(name for name, result in checks.items() if result != "ok")
    if failed:
        raise ServiceUnavailable(
            f"not ready: {', '.join(failed)}",
            code="not_ready",
            details={"checks": checks},
        )
    return JSONResponse(Readiness(status="ready", checks=checks).model_dump())


def _run_probe(name: str, probe: ReadinessProbe) -> CheckResult:
    try:
        return "ok" if probe() else "failed"
    except Exception as exc:
        # The probe is public; its error stays in the log.
        log.warning("readiness_probe_error", check=name, error=type(exc).__name__)
        return "error"


async def _version(request: Request) -> Response:
    info = services_of(request).version
    return JSONResponse(
        Version(version=info.version, git_sha=info.git_sha).model_dump()
    )


def _metrics(request: Request) -> Response:
    body = services_of(request).metrics.exposition()
    return Response(body, media_type=CONTENT_TYPE)


MODULE = ApiModule(
    name="system",
    description="Liveness, readiness, version and metrics.",
    operations=(
        Operation(
            method="GET",
            path="/health",
            endpoint=_health,
            operation_id="getHealth",
            summary="Liveness: the process answers",
            tags=("system",),
            access=Access.PUBLIC,
            responses={200: Reply("The process is alive.", model=Health)},
        ),
        Operation(
            method="GET",
            path="/health/ready",
            endpoint=_ready,
            operation_id="getReadiness",
            summary="Readiness: store reachable, repos fetched, schema current",
            description="503 names the checks that failed in `error.details.checks`.",
            tags=("system",),
            access=Access.PUBLIC,
            responses={
                200: Reply("Every check passed.", model=Readiness),
                503: Reply(
                    "At least one check failed.",
                    schema={"$ref": "#/components/schemas/Error"},
                ),
            },
        ),
        Operation(
            method="GET",
            path="/version",
            endpoint=_version,
            operation_id="getVersion",
            summary="The running version and commit",
            tags=("system",),
            access=Access.PUBLIC,
            responses={200: Reply("Version information.", model=Version)},
        ),
        Operation(
            method="GET",
            path="/metrics",
            endpoint=_metrics,
            operation_id="getMetrics",
            summary="Prometheus metrics, text exposition format",
            description="Takes only the metrics token when `metricsTokenSha256` "
            "is configured; otherwise any authenticated caller.",
            tags=("system",),
            access=Access.METRICS,
            responses={
                200: Reply(
                    "Metrics.", schema={"type": "string"}, content_type="text/plain"
                )
            },
        ),
    ),
)
