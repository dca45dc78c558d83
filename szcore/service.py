"""The runtime every service process shares: engine, event bus, outbox relay, consumers, and the
FastAPI app with errors, request context, health and metrics wired in."""

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from szcore import metrics
from szcore.bus import ConsumerRunner, EventBus, Subscription
from szcore.changefeed import ChangeLog, ChangeSequencer
from szcore.db import SessionOpener, create_engine, is_sqlite, session_scope
from szcore.errors import PROBLEM_RESPONSES, install_error_handlers
from szcore.inbox import Inbox
from szcore.logging import configure_logging
from szcore.middleware import RequestContextMiddleware
from szcore.outbox import OutboxRelay
from szcore.settings import Settings, get_settings
from szcore.tables import InfraTables
from szcore.tracing import FASTAPI_TELEMETRY, configure_tracing


@dataclass
class ServiceRuntime:
    name: str
    settings: Settings
    tables: InfraTables
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    bus: EventBus
    relay: OutboxRelay | None  # None when SZ_OUTBOX_RELAY=separate
    consumers: list[ConsumerRunner] = field(default_factory=list)
    sequencer: ChangeSequencer | None = None
    background_engines: list[AsyncEngine] = field(default_factory=list)

    async def start(self) -> None:
        await self.bus.start()
        if self.relay:
            await self.relay.start()
        if self.sequencer:
            await self.sequencer.start()
        for consumer in self.consumers:
            await consumer.start()

    async def stop(self) -> None:
        for consumer in self.consumers:
            await consumer.stop()
        if self.sequencer:
            await self.sequencer.stop()
        if self.relay:
            await self.relay.stop()
        await self.bus.close()
        await self.engine.dispose()
        for engine in self.background_engines:
            await engine.dispose()


def build_runtime(
    name: str,
    tables: InfraTables,
    subscriptions: Sequence[Subscription] = (),
    settings: Settings | None = None,
    database_url: str | None = None,
) -> ServiceRuntime:
    settings = settings or get_settings()
    url = database_url or settings.database_url(name)
    # The inline relay's one connection comes out of the overflow: a pod still holds 2 x pool size at most.
    overflow = settings.database_pool_size - (settings.outbox_relay == "inline")
    engine = create_engine(url, settings, **({} if is_sqlite(url) else {"max_overflow": overflow}))

    class ServiceSession(Session):
        """A session class of this runtime's own, so that commit hooks stay within it."""

    # Autoflush as in the tests' sessions: a query (or a populate_existing re-read) must see this request's
    # own pending changes, or it silently discards them.
    sessionmaker = async_sessionmaker(engine, expire_on_commit=False, sync_session_class=ServiceSession)
    bus = EventBus(settings, name)
    relay: OutboxRelay | None = None
    background_engines: list[AsyncEngine] = []
    if settings.outbox_relay == "separate":
        OutboxRelay.notify_commits(ServiceSession)
    else:
        relay, relay_engine = build_relay(tables, bus, settings, url, engine)
        if relay_engine is not engine:
            background_engines.append(relay_engine)
        relay.hook_commits(ServiceSession)
    sequencer = ChangeSequencer(
        ChangeLog(tables.change_log), sessionmaker, name=name, poll_seconds=settings.outbox_poll_seconds
    )
    sequencer.hook_commits(ServiceSession)
    inbox = Inbox(tables.inbox)
    consumers = [ConsumerRunner(bus, sessionmaker, inbox, sub) for sub in subscriptions]
    return ServiceRuntime(
        name, settings, tables, engine, sessionmaker, bus, relay, consumers, sequencer, background_engines
    )


def build_relay(
    tables: InfraTables,
    bus: EventBus,
    settings: Settings,
    database_url: str,
    engine: AsyncEngine | None = None,
) -> tuple[OutboxRelay, AsyncEngine]:
    """The relay with a connection of its own on PostgreSQL: waiting for one behind the requests of a busy
    process held publishing back by seconds. (SQLite: the given engine; an in-memory database is per
    engine.)"""
    if is_sqlite(database_url):
        engine = engine or create_engine(database_url, settings, pool_size=1, max_overflow=0)
    else:
        # Every commit on this connection is a relay's mark, which need not wait for the disk: a mark lost
        # in a crash only publishes its rows again (the message id and the inboxes drop the copies).
        engine = create_engine(
            database_url,
            settings,
            pool_size=1,
            max_overflow=0,
            connect_args={"server_settings": {"synchronous_commit": "off"}},
        )
    relay = OutboxRelay(
        tables,
        async_sessionmaker(engine, expire_on_commit=False),
        bus,
        batch_size=settings.outbox_batch_size,
        poll_seconds=settings.outbox_poll_seconds,
    )
    return relay, engine


def get_runtime(request: Request) -> ServiceRuntime:
    return request.app.state.runtime  # type: ignore[no-any-return]


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async for session in session_scope(get_runtime(request).sessionmaker):
        yield session


# scope="function": commit before the response is sent, so a failed commit is the caller's error.
DbSession = Annotated[AsyncSession, Depends(get_session, scope="function")]


def get_session_opener(request: Request) -> SessionOpener:
    return get_runtime(request).sessionmaker


# For an endpoint whose requests mostly need no session of their own (those answered in another request's
# batch, `szcore.combining`): the one that needs it opens it, and commits itself.
OpenSession = Annotated[SessionOpener, Depends(get_session_opener)]


def create_service_app(
    name: str,
    tables: InfraTables,
    *,
    title: str,
    description: str,
    routers: Sequence[APIRouter],
    subscriptions: Sequence[Subscription] = (),
    version: str = "0.1.0",
    settings: Settings | None = None,
    database_url: str | None = None,
    start_background: bool = True,
) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(name, settings.log_level)
    configure_tracing(name, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runtime = build_runtime(name, tables, subscriptions, settings, database_url)
        app.state.runtime = runtime
        if start_background:
            await runtime.start()
        try:
            yield
        finally:
            await runtime.stop()

    app = FastAPI(
        title=title, description=description, version=version, lifespan=lifespan, telemetry=FASTAPI_TELEMETRY
    )
    install_error_handlers(app)
    app.add_middleware(RequestContextMiddleware, process=name, max_body_bytes=settings.max_request_bytes)
    app.include_router(ops_router())
    for router in routers:
        app.include_router(router, responses=PROBLEM_RESPONSES)
    return app


def ops_router() -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get("/healthz", summary="Liveness: the process answers")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness: database and NATS reachable")
    async def readyz(request: Request) -> JSONResponse:
        runtime = get_runtime(request)
        checks: dict[str, Any] = {}
        try:
            async with runtime.engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception as exc:
            checks["database"] = f"error: {type(exc).__name__}"
        checks["nats"] = "ok" if runtime.bus.connected else "error: not connected"
        ready = all(value == "ok" for value in checks.values())
        return JSONResponse(
            {"status": "ok" if ready else "unavailable", "checks": checks}, status_code=200 if ready else 503
        )

    @router.get("/metrics", summary="Prometheus metrics", include_in_schema=False)
    async def metrics_endpoint(request: Request) -> Response:
        runtime = get_runtime(request)
        metrics.observe_pool(runtime.name, runtime.engine)
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
