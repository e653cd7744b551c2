"""A server for the API benchmark, run in a process of its own.

    python bench/bench_api_server.py pao|hello --port N --database-url URL
                                     --redis-url URL --prefix PREFIX

``pao`` serves the real API over the store and a Redis cache, the way
``pao serve`` builds it (JSON logs at info, no access log, no lifespan);
``hello`` serves one bare Starlette endpoint with the same uvicorn settings.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bench_api_data import bench_config
from pao.api import ApiServices, Delivery, create_app
from pao.core.logging import configure_logging
from pao.store import open_store
from pao.store.cache_redis import RedisCache


async def hello(request: Request) -> Response:
    return JSONResponse({"hello": "world"})


def hello_app() -> Starlette:
    return Starlette(routes=[Route("/hello", hello), Route("/api/v1/health", hello)])


def pao_app(args: argparse.Namespace) -> Starlette:
    store = open_store(args.database_url, data_dir=Path("/tmp"))
    queued: list[Delivery] = []
    services = ApiServices(
        config=bench_config(),
        store=store,
        cache=RedisCache(args.redis_url, prefix=args.prefix),
        # The workers' queue: the delivery is already recorded in the store.
        enqueue_delivery=queued.append,
        refresh_catalog=lambda: None,
    )
    return create_app(services=services)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["pao", "hello"])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--redis-url", required=True)
    parser.add_argument("--prefix", required=True)
    args = parser.parse_args()

    configure_logging(json=True, level="info")
    app: Any = pao_app(args) if args.kind == "pao" else hello_app()
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=args.port,
        log_config=None,
        access_log=False,
        lifespan="off",
    )
    uvicorn.Server(config).run()


if __name__ == "__main__":
    main()
