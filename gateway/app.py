import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from strawberry.fastapi import GraphQLRouter

from gateway.clients import Clients
from gateway.context import build_context
from gateway.county import PREFIX as COUNTY_PREFIX
from gateway.county import mount_county_api
from gateway.guard import GraphQLGuard
from gateway.live import LiveHub
from gateway.national.api import create_national_app
from gateway.oauth import router as oauth_router
from gateway.performance.endpoints import router as performance_router
from gateway.schema import build_schema
from gateway.sync.runtime import SyncRuntime
from szcore.errors import install_error_handlers
from szcore.logging import configure_logging
from szcore.middleware import RequestContextMiddleware
from szcore.settings import Environment, Settings, get_settings
from szcore.tracing import FASTAPI_TELEMETRY, configure_tracing

PROCESS = "gateway"


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(PROCESS, settings.log_level)
    configure_tracing(PROCESS, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await app.state.live.start()
        await app.state.sync.start()
        try:
            yield
        finally:
            await app.state.sync.stop()
            await app.state.live.stop()
            await app.state.clients.close()

    app = FastAPI(
        title="Shuzhuan gateway",
        description="数转 GraphQL gateway: one API over enrollment, assessment, funding and matching.",
        version="0.1.0",
        lifespan=lifespan,
        telemetry=FASTAPI_TELEMETRY,
    )
    app.state.settings = settings
    app.state.clients = Clients(settings)
    app.state.live = LiveHub(settings)
    app.state.sync = SyncRuntime(settings)
    install_error_handlers(app)
    # Added first, so it runs inside the request-context middleware (body size cap, request id).
    app.add_middleware(GraphQLGuard, settings=settings)
    app.add_middleware(
        RequestContextMiddleware,
        process=PROCESS,
        max_body_bytes=settings.gateway_max_request_bytes,
        max_body_bytes_by_prefix={f"{COUNTY_PREFIX}/": settings.county_push_max_bytes},
    )
    graphql = GraphQLRouter(
        build_schema(settings),
        context_getter=build_context,
        graphql_ide="graphiql" if settings.env != Environment.prod else None,
    )
    app.include_router(graphql, prefix="/graphql")
    app.include_router(performance_router)
    app.mount("/national/v1", create_national_app(settings, app.state.clients))
    app.include_router(oauth_router)
    mount_county_api(app)

    @app.get("/healthz", tags=["operations"])
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/readyz", tags=["operations"])
    async def readyz() -> JSONResponse:
        # Upstreams are reported, not required: a dead service degrades only the fields that need it.
        clients: Clients = app.state.clients

        async def probe(name: str) -> str:
            try:
                response = await clients.by_name[name].http.get("/healthz", timeout=2)
                return "ok" if response.status_code == 200 else f"error: {response.status_code}"
            except httpx.HTTPError as exc:
                return f"error: {type(exc).__name__}"

        names = list(clients.by_name)
        results = await asyncio.gather(*(probe(name) for name in names))
        return JSONResponse({"status": "ok", "upstreams": dict(zip(names, results, strict=True))})

    @app.get("/metrics", include_in_schema=False)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return app
