import zlib
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, case, func, literal, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.ledger.chain import AccountKind
from services.funding.ledger.models import FundingSource, LedgerEntry
from szcore.keyset import Order, read_page

CHAIN_LOCK = zlib.crc32(b"funding:ledger_entry")


# Sorts of the entry list; `seq` is unique, so each key is too (keyset-safe).
ENTRY_ORDERS = {
    "chain": Order("chain", (LedgerEntry.seq,)),
    "newest": Order("newest", (LedgerEntry.seq,), descending=True),
    "amount_highest": Order("amount_highest", (LedgerEntry.amount_fen, LedgerEntry.seq), descending=True),
}


def _signed_available() -> Any:
    kind = AccountKind.available.value
    debit = LedgerEntry.debit_account == literal(f"{kind}:") + LedgerEntry.source_id
    credit = LedgerEntry.credit_account == literal(f"{kind}:") + LedgerEntry.source_id
    return case((debit, LedgerEntry.amount_fen), (credit, -LedgerEntry.amount_fen), else_=0)


def available_of(source_id: Any) -> Any:
    """A source's available balance as a scalar subquery (`source_id`: a bind parameter or a column)."""
    return (
        select(func.coalesce(func.sum(_signed_available()), 0))
        .where(LedgerEntry.source_id == source_id)
        .scalar_subquery()
    )


# Built once: every approval reads the balances twice.
_AVAILABLE = (
    select(LedgerEntry.source_id, func.coalesce(func.sum(_signed_available()), 0))
    .where(LedgerEntry.source_id.in_(bindparam("source_ids", expanding=True)))
    .group_by(LedgerEntry.source_id)
)
_POLICY_SOURCES = (
    select(FundingSource)
    .where(FundingSource.policy_key == bindparam("policy_key"))
    .order_by(FundingSource.source_id)
)
_LOCK_SOURCES = (
    select(FundingSource)
    .where(FundingSource.source_id.in_(bindparam("source_ids", expanding=True)))
    .order_by(FundingSource.source_id)
    .with_for_update()
    .execution_options(populate_existing=True)
)
_LOCK_SOURCE_IDS = (
    select(FundingSource.source_id)
    .where(FundingSource.source_id.in_(bindparam("source_ids", expanding=True)))
    .order_by(FundingSource.source_id)
    .with_for_update()
)
_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:key)")
_HEAD = select(LedgerEntry.seq, LedgerEntry.hash).order_by(LedgerEntry.seq.desc()).limit(1)
# The chain's head as scalar subqueries (NULL when empty), for reading it with other figures in one statement.
HEAD_COLUMNS = (
    select(LedgerEntry.seq).order_by(LedgerEntry.seq.desc()).limit(1).scalar_subquery(),
    select(LedgerEntry.hash).order_by(LedgerEntry.seq.desc()).limit(1).scalar_subquery(),
)
_TABLE = LedgerEntry.__table__
_INSERT_ENTRIES = _TABLE.insert().returning(_TABLE.c.seq, _TABLE.c.id)


class LedgerRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get_source(self, source_id: str) -> FundingSource | None:
        return await self.session.get(FundingSource, source_id)

    async def list_sources(self, policy_key: str | None = None) -> Sequence[FundingSource]:
        if policy_key:
            return (await self.session.execute(_POLICY_SOURCES, {"policy_key": policy_key})).scalars().all()
        query = select(FundingSource).order_by(FundingSource.source_id)
        return (await self.session.execute(query)).scalars().all()

    async def add_source(self, source: FundingSource) -> None:
        self.session.add(source)
        await self.session.flush()

    async def lock_sources(self, source_ids: Sequence[str]) -> dict[str, FundingSource]:
        """SELECT ... FOR UPDATE in a fixed order (no deadlocks between two spenders); SQLite ignores
        FOR UPDATE but its writers are serialised by BEGIN IMMEDIATE."""
        params = {"source_ids": sorted(set(source_ids))}
        return {s.source_id: s for s in (await self.session.execute(_LOCK_SOURCES, params)).scalars().all()}

    async def lock_loaded_sources(self, sources: Sequence[FundingSource]) -> dict[str, FundingSource]:
        """As `lock_sources`, for sources the caller loaded in this transaction (a source's row is never
        updated): only their ids are read back, not the rows into objects once more."""
        by_id = {s.source_id: s for s in sources}
        params = {"source_ids": sorted(by_id)}
        return {i: by_id[i] for i in (await self.session.execute(_LOCK_SOURCE_IDS, params)).scalars()}

    async def lock_chain(self) -> None:
        if self.session.bind.dialect.name == "postgresql":
            await self.session.execute(_ADVISORY_LOCK, {"key": CHAIN_LOCK})

    async def last_entry(self) -> LedgerEntry | None:
        query = select(LedgerEntry).order_by(LedgerEntry.seq.desc()).limit(1)
        return (await self.session.execute(query)).scalars().first()

    async def head(self) -> tuple[int, str] | None:
        """(seq, hash) of the chain's last entry."""
        row = (await self.session.execute(_HEAD)).first()
        return (int(row[0]), str(row[1])) if row else None

    async def add_entry(self, values: dict[str, Any]) -> LedgerEntry:
        entry = LedgerEntry(**values)
        self.session.add(entry)
        await self.session.flush()
        return entry

    async def balances(self, source_ids: Sequence[str] | None = None) -> dict[str, dict[str, int]]:
        """source id → account kind → balance (debits minus credits), derived from the entries."""
        result: dict[str, dict[str, int]] = {}
        for column in (LedgerEntry.debit_account, LedgerEntry.credit_account):
            sign = 1 if column is LedgerEntry.debit_account else -1
            query = select(column, func.sum(LedgerEntry.amount_fen)).group_by(column)
            if source_ids is not None:
                query = query.where(LedgerEntry.source_id.in_(source_ids))
            for name, total in (await self.session.execute(query)).all():
                kind, _, source_id = name.partition(":")
                per_source = result.setdefault(source_id, {k.value: 0 for k in AccountKind})
                per_source[kind] += sign * int(total)
        return result

    async def available(self, source_ids: Sequence[str]) -> dict[str, int]:
        """source id -> its available balance, in one statement (what `balances` gives as "available")."""
        if not source_ids:
            return {}
        rows = (await self.session.execute(_AVAILABLE, {"source_ids": list(source_ids)})).all()
        found = {source_id: int(total) for source_id, total in rows}
        return {source_id: found.get(source_id, 0) for source_id in source_ids}

    async def add_entries(self, rows: Sequence[dict[str, Any]]) -> list[LedgerEntry]:
        """One INSERT of all rows (no unit of work: entries are append-only; a statement built once, where a
        multi-row VALUES was compiled anew each time); the entries come back detached, with their ids."""
        inserted = await self.session.execute(_INSERT_ENTRIES, list(rows))
        ids = {seq: id_ for seq, id_ in inserted.all()}
        return [LedgerEntry(**values, id=ids[values["seq"]]) for values in rows]

    async def entries(
        self, *, order: Order, cursor: str | None = None, limit: int = 100, **filters: Any
    ) -> tuple[list[LedgerEntry], int, str | None]:
        query = select(LedgerEntry)
        for name, value in filters.items():
            if value is not None:
                query = query.where(getattr(LedgerEntry, name) == value)
        return await read_page(self.session, query, order, cursor, limit)

    async def entry_count(self) -> int:
        return (await self.session.execute(select(func.count()).select_from(LedgerEntry))).scalar_one()

    async def chain_chunk(self, after_seq: int, limit: int) -> Sequence[LedgerEntry]:
        query = select(LedgerEntry).where(LedgerEntry.seq > after_seq).order_by(LedgerEntry.seq).limit(limit)
        return (await self.session.execute(query)).scalars().all()

    async def committed_net(self, policy_sources: Sequence[str], line_code: str | None = None) -> int:
        """Net committed programme-wide (commitments minus releases), on one line or on all."""
        signed = case(
            (LedgerEntry.entry_type == "commitment", LedgerEntry.amount_fen),
            (LedgerEntry.entry_type == "release", -LedgerEntry.amount_fen),
            else_=0,
        )
        query = select(func.coalesce(func.sum(signed), 0)).where(LedgerEntry.source_id.in_(policy_sources))
        if line_code is not None:
            query = query.where(LedgerEntry.line_code == line_code)
        return int((await self.session.execute(query)).scalar_one())
