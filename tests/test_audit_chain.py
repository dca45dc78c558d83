"""The audit chain detects edited, deleted and reordered records, on both databases."""

import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from szcore.audit import AuditLog
from szcore.auth import Principal, Role
from szcore.db import create_engine
from tests.support.databases import DatabaseFactory
from tests.support.eventservice import Base, infra

ACTOR = Principal(subject="official-1", role=Role.city_admin)


@pytest.fixture
async def session(databases: DatabaseFactory) -> AsyncIterator[AsyncSession]:
    url = await databases.create(f"audit_{uuid.uuid4().hex[:6]}")
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(Base.metadata.create_all)
    async with AsyncSession(engine, expire_on_commit=False) as session:
        yield session
    await engine.dispose()


async def write_records(session: AsyncSession, audit: AuditLog, count: int, chain: str = "default") -> None:
    for n in range(count):
        await audit.append(
            session,
            actor=ACTOR,
            action="claim.approved",
            entity_type="claim",
            entity_id=f"C{n}",
            data={"amount_fen": 100_00 * n, "note": "审核通过"},
            chain=chain,
        )
    await session.commit()


class TestAuditChain:
    async def test_an_untouched_chain_verifies(self, session: AsyncSession) -> None:
        audit = AuditLog(infra.audit_log)
        await write_records(session, audit, 5)
        result = await audit.verify(session)
        assert result.ok and result.checked == 5

    async def test_an_edited_row_is_detected(self, session: AsyncSession) -> None:
        audit = AuditLog(infra.audit_log)
        await write_records(session, audit, 5)
        table = infra.audit_log
        await session.execute(update(table).where(table.c.seq == 3).values(data='{"amount_fen":99999999}'))
        await session.commit()
        result = await audit.verify(session)
        assert not result.ok and result.first_broken_seq == 3 and "edited" in (result.reason or "")

    async def test_an_edited_row_with_a_recomputed_hash_breaks_the_next_link(
        self, session: AsyncSession
    ) -> None:
        audit = AuditLog(infra.audit_log)
        await write_records(session, audit, 5)
        table = infra.audit_log
        await session.execute(update(table).where(table.c.seq == 2).values(hash="f" * 64))
        await session.commit()
        result = await audit.verify(session)
        assert not result.ok and result.first_broken_seq == 2

    async def test_a_deleted_row_is_detected(self, session: AsyncSession) -> None:
        audit = AuditLog(infra.audit_log)
        await write_records(session, audit, 5)
        await session.execute(delete(infra.audit_log).where(infra.audit_log.c.seq == 2))
        await session.commit()
        result = await audit.verify(session)
        assert not result.ok and result.first_broken_seq == 3

    async def test_reordered_rows_are_detected(self, session: AsyncSession) -> None:
        audit = AuditLog(infra.audit_log)
        await write_records(session, audit, 4)
        table = infra.audit_log
        await session.execute(update(table).where(table.c.seq == 2).values(seq=100))
        await session.execute(update(table).where(table.c.seq == 3).values(seq=2))
        await session.execute(update(table).where(table.c.seq == 100).values(seq=3))
        await session.commit()
        result = await audit.verify(session)
        assert not result.ok and result.first_broken_seq == 2

    async def test_chains_are_independent(self, session: AsyncSession) -> None:
        audit = AuditLog(infra.audit_log)
        await write_records(session, audit, 2, chain="ledger")
        await write_records(session, audit, 3, chain="reviews")
        assert sorted(await audit.chains(session)) == ["ledger", "reviews"]
        assert (await audit.verify(session, "ledger")).checked == 2
        rows = (
            await session.execute(select(infra.audit_log.c.seq).where(infra.audit_log.c.chain == "reviews"))
        ).all()
        assert [r.seq for r in rows] == [1, 2, 3]
