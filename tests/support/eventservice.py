"""A minimal service built only from szcore, for testing the event backbone without domain code."""

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from shuzhuan.events.v1.enrollment_pb2 import EnterpriseRegistered, SizeClass
from sqlalchemy import Integer, String, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from szcore.bus import Subscription
from szcore.db import create_engine, declarative_base
from szcore.events import Event
from szcore.outbox import Outbox
from szcore.service import ServiceRuntime, build_runtime
from szcore.settings import Settings
from szcore.tables import define_infra_tables
from tests.support.databases import DatabaseFactory

Base = declarative_base()
infra = define_infra_tables(Base.metadata)
outbox = Outbox(infra, producer="enrollment")


class Applied(Base):
    __tablename__ = "applied"

    uscc: Mapped[str] = mapped_column(String(18), primary_key=True)
    times: Mapped[int] = mapped_column(Integer, default=0)


@dataclass
class Behaviour:
    """What the test handler does; tests flip it to make a consumer fail."""

    fail_for: set[str] = field(default_factory=set)
    calls: int = 0


def make_handler(behaviour: Behaviour) -> Callable[[AsyncSession, Event], Awaitable[None]]:
    async def handler(session: AsyncSession, event: Event) -> None:
        behaviour.calls += 1
        payload = event.payload
        assert isinstance(payload, EnterpriseRegistered)
        if payload.uscc in behaviour.fail_for:
            raise RuntimeError(f"cannot apply {payload.uscc}")
        row = await session.get(Applied, payload.uscc)
        if row is None:
            session.add(Applied(uscc=payload.uscc, times=1))
        else:
            row.times += 1

    return handler


def registered(uscc: str) -> EnterpriseRegistered:
    return EnterpriseRegistered(
        uscc=uscc,
        name="测试企业",
        county_code="410322",
        industry_code="C34",
        size_class=SizeClass.SIZE_CLASS_ABOVE_SCALE,
    )


async def create_schema(url: str) -> None:
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    await engine.dispose()


@asynccontextmanager
async def schema_database(databases: DatabaseFactory, prefix: str) -> AsyncIterator[tuple[str, AsyncEngine]]:
    """A new database with this service's schema: its URL and an engine on it."""
    url = await databases.create(f"{prefix}_{uuid.uuid4().hex[:6]}")
    await create_schema(url)
    engine = create_engine(url)
    try:
        yield url, engine
    finally:
        await engine.dispose()


def event_runtime(
    settings: Settings,
    url: str,
    behaviour: Behaviour,
    consumer: str | None = None,
    ack_wait_seconds: float = 30,
) -> ServiceRuntime:
    subscription = Subscription(
        name=consumer or f"test-{uuid.uuid4().hex[:6]}",
        events=[("enrollment", "EnterpriseRegistered")],
        handler=make_handler(behaviour),
        ack_wait_seconds=ack_wait_seconds,
    )
    return build_runtime("enrollment", infra, [subscription], settings, url)


async def emit(runtime: ServiceRuntime, *usccs: str) -> None:
    async with runtime.sessionmaker() as session, session.begin():
        for uscc in usccs:
            await outbox.add(session, registered(uscc), aggregate_type="enterprise", aggregate_id=uscc)


async def applied(engine: AsyncEngine) -> dict[str, int]:
    async with AsyncSession(engine) as session:
        return {row.uscc: row.times for row in (await session.execute(select(Applied))).scalars()}


async def unpublished(engine: AsyncEngine) -> int:
    async with AsyncSession(engine) as session:
        query = select(func.count()).select_from(infra.outbox).where(infra.outbox.c.published_at.is_(None))
        return (await session.execute(query)).scalar_one()


async def eventually(
    check: Callable[[], Awaitable[bool]], timeout: float = 20, interval: float = 0.1
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if await check():
            return
        await asyncio.sleep(interval)
    raise AssertionError(f"condition not met within {timeout}s")
