"""Tamper evidence: rows of the audit chains and of the funding ledger edited, deleted or reordered directly
in the database are found by verify (`python -m ops audit verify`), which names the first broken record;
records cut off the end are found against an anchor (a head printed by an earlier verify). Both backends."""

import uuid
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

import services.funding.models  # noqa: F401  (every funding table on the metadata)
from ops.auditcheck import parse_anchors, verify_service
from services.funding.db import Base as FundingBase
from services.funding.db import audit_log as funding_audit
from services.funding.ledger.chain import EntryType
from services.funding.ledger.models import LedgerEntry
from services.funding.ledger.service import Posting, post, verify_chain
from szcore.audit import parse_anchor
from szcore.auth import Principal, Role
from szcore.db import create_engine
from tests.support.databases import DatabaseFactory

FundingDb = tuple[str, AsyncSession]
ACTOR = Principal(subject="official-1", role=Role.city_admin)
RECORDS = 6


@pytest.fixture
async def funding_db(databases: DatabaseFactory) -> AsyncIterator[tuple[str, AsyncSession]]:
    """A funding database with a 'money' audit chain and a ledger of RECORDS entries each."""
    url = await databases.create(f"tamper_{uuid.uuid4().hex[:6]}")
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(FundingBase.metadata.create_all)
    async with AsyncSession(engine, expire_on_commit=False) as session:
        for n in range(1, RECORDS + 1):
            await post(
                session,
                ACTOR.subject,
                [Posting(EntryType.allocation, "src-city-2025", 2025, 1_000_00 * n, memo=f"拨款 {n}")],
            )
            await funding_audit.append(
                session,
                actor=ACTOR,
                action="funding_source.allocated",
                entity_type="funding_source",
                entity_id="src-city-2025",
                data={"amount_fen": 1_000_00 * n, "ledger_seq": n},
                chain="money",
            )
        await session.commit()
        yield url, session
    await engine.dispose()


def audit_table() -> Table:
    return funding_audit.table


async def swap(session: AsyncSession, table: Table, seq_column: str, a: int, b: int, where: dict) -> None:  # type: ignore[type-arg]
    column = table.c[seq_column]
    filters = [table.c[k] == v for k, v in where.items()]
    await session.execute(update(table).where(column == a, *filters).values({seq_column: -999}))
    await session.execute(update(table).where(column == b, *filters).values({seq_column: a}))
    await session.execute(update(table).where(column == -999, *filters).values({seq_column: b}))
    await session.commit()


class TestAuditChainTampering:
    """The 'money' chain of the funding database (every service's audit_log works the same way)."""

    async def verify(self, session: AsyncSession, anchor: tuple[int, str] | None = None):  # type: ignore[no-untyped-def]
        return await funding_audit.verify(session, "money", anchor=anchor)

    async def test_untouched_chain_verifies_and_reports_its_head(self, funding_db: FundingDb) -> None:
        _, session = funding_db
        result = await self.verify(session)
        assert result.ok and result.checked == RECORDS and result.head_seq == RECORDS
        assert result.head_hash and len(result.head_hash) == 64

    @pytest.mark.parametrize("seq", [1, 3, RECORDS])
    @pytest.mark.parametrize(
        "column,value",
        [
            ("data", '{"amount_fen":99999999,"ledger_seq":1}'),
            ("actor_subject", "someone-else"),
            ("action", "funding_source.released"),
            ("entity_id", "src-other"),
        ],
    )
    async def test_edited_field(self, funding_db: FundingDb, seq: int, column: str, value: str) -> None:
        _, session = funding_db
        table = audit_table()
        await session.execute(
            update(table).where(table.c.chain == "money", table.c.seq == seq).values({column: value})
        )
        await session.commit()
        result = await self.verify(session)
        assert not result.ok and result.first_broken_seq == seq and "edited" in (result.reason or "")

    async def test_edited_time(self, funding_db: FundingDb) -> None:
        _, session = funding_db
        table = audit_table()
        row = (await session.execute(select(table).where(table.c.chain == "money", table.c.seq == 2))).one()
        await session.execute(
            update(table).where(table.c.id == row.id).values(occurred_at=row.occurred_at - timedelta(days=1))
        )
        await session.commit()
        result = await self.verify(session)
        assert not result.ok and result.first_broken_seq == 2

    async def test_edited_with_its_hash_recomputed_breaks_the_next_link(self, funding_db: FundingDb) -> None:
        _, session = funding_db
        table = audit_table()
        await session.execute(
            update(table).where(table.c.chain == "money", table.c.seq == 4).values(hash="e" * 64)
        )
        await session.commit()
        result = await self.verify(session)
        assert not result.ok and result.first_broken_seq == 4

    @pytest.mark.parametrize("seq,first_broken", [(1, 2), (3, 4)])
    async def test_deleted_record(self, funding_db: FundingDb, seq: int, first_broken: int) -> None:
        _, session = funding_db
        table = audit_table()
        await session.execute(delete(table).where(table.c.chain == "money", table.c.seq == seq))
        await session.commit()
        result = await self.verify(session)
        assert not result.ok and result.first_broken_seq == first_broken

    async def test_deleted_last_record_is_found_against_an_anchor(self, funding_db: FundingDb) -> None:
        _, session = funding_db
        before = await self.verify(session)
        anchor = (before.head_seq, before.head_hash)
        table = audit_table()
        await session.execute(delete(table).where(table.c.chain == "money", table.c.seq == RECORDS))
        await session.commit()
        assert (await self.verify(session)).ok  # the known gap: a chain alone cannot show its lost tail
        result = await self.verify(session, anchor)  # type: ignore[arg-type]
        assert not result.ok and result.first_broken_seq == RECORDS
        assert "deleted from the end" in (result.reason or "")

    async def test_rewritten_tail_is_found_against_an_anchor(self, funding_db: FundingDb) -> None:
        _, session = funding_db
        before = await self.verify(session)
        table = audit_table()
        await session.execute(
            update(table).where(table.c.chain == "money", table.c.seq == RECORDS).values(hash="a" * 64)
        )
        await session.commit()
        result = await self.verify(session, (before.head_seq, before.head_hash))  # type: ignore[arg-type]
        assert not result.ok and result.first_broken_seq == RECORDS

    @pytest.mark.parametrize("a,b", [(1, 2), (2, 5), (RECORDS - 1, RECORDS)])
    async def test_reordered_records(self, funding_db: FundingDb, a: int, b: int) -> None:
        _, session = funding_db
        await swap(session, audit_table(), "seq", a, b, {"chain": "money"})
        result = await self.verify(session)
        assert not result.ok and result.first_broken_seq == a

    async def test_record_renumbered_out_of_the_chain(self, funding_db: FundingDb) -> None:
        _, session = funding_db
        table = audit_table()
        await session.execute(
            update(table).where(table.c.chain == "money", table.c.seq == RECORDS).values(seq=0)
        )
        await session.commit()
        result = await self.verify(session)
        assert not result.ok


class TestLedgerTampering:
    async def test_untouched_ledger_verifies(self, funding_db: FundingDb) -> None:
        _, session = funding_db
        check = await verify_chain(session)
        assert check.ok and check.checked == RECORDS and check.head_seq == RECORDS

    @pytest.mark.parametrize("seq", [1, 4, RECORDS])
    @pytest.mark.parametrize(
        "values",
        [
            {"amount_fen": 1},
            {"uscc": "91410300MA44FFTP7K"},
            {"memo": "改过的"},
            {"source_id": "src-other"},
            {"actor_subject": "someone-else"},
        ],
        ids=["amount", "uscc", "memo", "source", "actor"],
    )
    async def test_edited_entry(self, funding_db: FundingDb, seq: int, values: dict[str, object]) -> None:
        _, session = funding_db
        await session.execute(update(LedgerEntry).where(LedgerEntry.seq == seq).values(**values))
        await session.commit()
        check = await verify_chain(session)
        assert not check.ok and check.first_broken_seq == seq and "edited" in (check.reason or "")

    async def test_accounts_swapped(self, funding_db: FundingDb) -> None:
        _, session = funding_db
        await session.execute(
            update(LedgerEntry)
            .where(LedgerEntry.seq == 2)
            .values(debit_account="budget:src-city-2025", credit_account="available:src-city-2025")
        )
        await session.commit()
        check = await verify_chain(session)
        assert not check.ok and check.first_broken_seq == 2

    @pytest.mark.parametrize("seq,first_broken", [(1, 2), (3, 4)])
    async def test_deleted_entry(self, funding_db: FundingDb, seq: int, first_broken: int) -> None:
        _, session = funding_db
        await session.execute(delete(LedgerEntry).where(LedgerEntry.seq == seq))
        await session.commit()
        check = await verify_chain(session)
        assert not check.ok and check.first_broken_seq == first_broken

    async def test_deleted_last_entry_is_found_against_an_anchor(self, funding_db: FundingDb) -> None:
        _, session = funding_db
        before = await verify_chain(session)
        await session.execute(delete(LedgerEntry).where(LedgerEntry.seq == RECORDS))
        await session.commit()
        assert (await verify_chain(session)).ok
        check = await verify_chain(session, anchor=(before.head_seq, before.head_hash))  # type: ignore[arg-type]
        assert not check.ok and check.first_broken_seq == RECORDS

    @pytest.mark.parametrize("a,b", [(1, 2), (3, RECORDS)])
    async def test_reordered_entries(self, funding_db: FundingDb, a: int, b: int) -> None:
        _, session = funding_db
        await swap(session, LedgerEntry.__table__, "seq", a, b, {})  # type: ignore[arg-type]
        check = await verify_chain(session)
        assert not check.ok and check.first_broken_seq == a

    async def test_entry_renumbered_out_of_the_chain(self, funding_db: FundingDb) -> None:
        _, session = funding_db
        await session.execute(update(LedgerEntry).where(LedgerEntry.seq == RECORDS).values(seq=-1))
        await session.commit()
        check = await verify_chain(session)
        assert not check.ok and "out of order" in (check.reason or "")


class TestOperatorCommand:
    """`python -m ops audit verify funding [--anchor CHAIN:SEQ:HASH]`: the audit chains and the ledger."""

    async def test_reports_every_chain_and_the_ledger_with_heads(self, funding_db: FundingDb) -> None:
        url, _ = funding_db
        results = {r.chain: r for r in await verify_service("funding", url)}
        assert set(results) == {"money", "ledger"}
        assert all(r.ok and r.head_seq == RECORDS for r in results.values())

    async def test_a_truncated_ledger_fails_against_the_published_head(self, funding_db: FundingDb) -> None:
        url, session = funding_db
        heads = {
            r.chain: f"{r.chain}:{r.head_seq}:{r.head_hash}" for r in await verify_service("funding", url)
        }
        await session.execute(delete(LedgerEntry).where(LedgerEntry.seq == RECORDS))
        await session.execute(
            delete(audit_table()).where(audit_table().c.chain == "money", audit_table().c.seq == RECORDS)
        )
        await session.commit()
        results = {
            r.chain: r for r in await verify_service("funding", url, parse_anchors(list(heads.values())))
        }
        assert not results["ledger"].ok and results["ledger"].first_broken_seq == RECORDS
        assert not results["money"].ok and results["money"].first_broken_seq == RECORDS

    def test_anchor_syntax(self) -> None:
        assert parse_anchor("7:" + "A" * 64) == (7, "a" * 64)
        with pytest.raises(ValueError):
            parse_anchor("seven:abc")
