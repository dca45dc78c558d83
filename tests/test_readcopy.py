"""Set-based read copies (`szcore.readcopy`): a batch leaves the copy as its events applied one by one, in as
few statements as per-key order allows, on both databases."""

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from shuzhuan.events.v1.enrollment_pb2 import EnterpriseAdmitted, EnterpriseRegistered, EnterpriseUpdated
from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from services.funding.db import Base
from services.funding.enterprise.models import EnterpriseCopy
from services.funding.enterprise.repository import REGISTER, UPDATE
from services.funding.enterprise.service import apply_enterprise_event, apply_enterprise_events
from szcore.db import create_engine
from szcore.events import Event, new_envelope, to_timestamp
from szcore.readcopy import plan
from tests.support.databases import DatabaseFactory

A, B, C = "91410703MA00000A1X", "91410703MA00000B2X", "91410703MA00000C3X"


@pytest.fixture
async def engine(databases: DatabaseFactory) -> AsyncIterator[AsyncEngine]:
    url = await databases.create(f"readcopy_{uuid.uuid4().hex[:6]}")
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    yield engine
    await engine.dispose()


def at(day: int) -> datetime:
    return datetime(2026, 5, day, tzinfo=UTC)


def event(payload: object) -> Event:
    uscc = payload.uscc  # type: ignore[attr-defined]
    envelope = new_envelope(payload, producer="enrollment", aggregate_type="enterprise", aggregate_id=uscc)  # type: ignore[arg-type]
    return Event(envelope, payload)  # type: ignore[arg-type]


def registered(uscc: str, name: str = "注册名") -> Event:
    return event(
        EnterpriseRegistered(
            uscc=uscc, name=name, county_code="410703", industry_code="C34", registered_at=to_timestamp(at(1))
        )
    )


def updated(uscc: str, version: int, name: str) -> Event:
    return event(
        EnterpriseUpdated(
            uscc=uscc,
            name=name,
            county_code="410702",
            industry_code="C35",
            pilot_industry="装备",
            srdi_status="provincial",
            cloud_adopted=True,
            version=version,
            changed_at=to_timestamp(at(version + 1)),
        )
    )


def admitted(uscc: str, pilot_industry: str = "") -> Event:
    return event(
        EnterpriseAdmitted(
            uscc=uscc,
            programme_id="P1",
            batch_number=2,
            county_code="410703",
            pilot_industry=pilot_industry,
            admitted_at=to_timestamp(at(9)),
        )
    )


# Out of order on purpose: an update before the registration, a stale update, a blank pilot industry.
STREAM = [
    updated(B, 2, "先更新"),
    registered(A),
    registered(B),
    updated(A, 3, "三版"),
    admitted(A),
    updated(A, 2, "过时"),
    admitted(C, "纺织"),
    registered(A, "重注册"),
    updated(C, 1, "C一版"),
]


async def copies(engine: AsyncEngine) -> dict[str, tuple[object, ...]]:
    async with AsyncSession(engine) as session:
        rows = (await session.execute(select(EnterpriseCopy))).scalars().all()
        return {
            row.uscc: (
                row.name,
                row.county_code,
                row.industry_code,
                row.size_class,
                row.registered_at,
                row.pilot_industry,
                row.srdi_status,
                row.cloud_adopted,
                row.dossier_version,
                row.admitted_at,
                row.programme_id,
                row.batch_number,
                row.paid_fen,
            )
            for row in rows
        }


class TestReadCopy:
    def test_a_key_keeps_its_order_and_other_keys_share_statements(self) -> None:
        writes = [
            (REGISTER, {"uscc": A}),
            (REGISTER, {"uscc": B}),
            (UPDATE, {"uscc": A}),
            (REGISTER, {"uscc": C}),
        ]
        writes += [(REGISTER, {"uscc": A}), (UPDATE, {"uscc": B})]
        groups = [(upsert, [row["uscc"] for row in rows]) for upsert, rows in plan(writes)]
        assert groups == [(REGISTER, [A, B, C]), (UPDATE, [A, B]), (REGISTER, [A])]

    async def test_a_batch_leaves_the_copy_as_one_event_at_a_time(self, engine: AsyncEngine) -> None:
        async with AsyncSession(engine) as session, session.begin():
            for item in STREAM:
                await apply_enterprise_event(session, item)
        one_by_one = await copies(engine)
        async with engine.begin() as connection:
            await connection.execute(EnterpriseCopy.__table__.delete())

        statements: list[str] = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        sa_event.listen(engine.sync_engine, "before_cursor_execute", listener)
        async with AsyncSession(engine) as session, session.begin():
            await apply_enterprise_events(session, STREAM)
        sa_event.remove(engine.sync_engine, "before_cursor_execute", listener)
        assert await copies(engine) == one_by_one
        assert len([s for s in statements if s.startswith("INSERT")]) == 6

        assert one_by_one[A][0] == "重注册" and one_by_one[A][8] == 3  # the stale update changed nothing
        assert one_by_one[A][5] == "装备"  # a blank pilot industry keeps the copy's
        assert one_by_one[B][0] == "注册名" and one_by_one[B][4] == at(1)
        assert one_by_one[C][4] == at(9) and one_by_one[C][5] == "装备"

    async def test_objects_the_session_holds_show_the_write(self, engine: AsyncEngine) -> None:
        async with AsyncSession(engine) as session, session.begin():
            await apply_enterprise_event(session, registered(A))
            copy = await session.get(EnterpriseCopy, A)
            assert copy is not None
            copy.paid_fen = 500  # pending, not flushed
            await apply_enterprise_event(session, updated(A, 1, "新名"))
            assert (copy.name, copy.paid_fen) == ("新名", 500)
