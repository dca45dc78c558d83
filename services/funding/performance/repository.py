from typing import Any

from sqlalchemy import extract, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.ledger.models import FundingSource, LedgerEntry


class PerformanceRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def flows(self, county: str | None) -> list[Any]:
        """Ledger sums per (county, month, source, entry type)."""
        columns = (
            LedgerEntry.county_code,
            extract("year", LedgerEntry.occurred_at),
            extract("month", LedgerEntry.occurred_at),
            LedgerEntry.source_id,
            LedgerEntry.entry_type,
        )
        query = select(*columns, func.sum(LedgerEntry.amount_fen)).group_by(*columns)
        if county is not None:
            query = query.where(LedgerEntry.county_code == county)
        return list((await self.session.execute(query)).all())

    async def source_names(self) -> dict[str, str]:
        rows = await self.session.execute(select(FundingSource.source_id, FundingSource.name))
        return {str(source_id): str(name) for source_id, name in rows.all()}
