from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.claim.models import Claim, Payment
from services.funding.ledger.models import LedgerEntry

GROUP_COLUMNS = {
    "source": LedgerEntry.source_id,
    "year": LedgerEntry.fiscal_year,
    "county": LedgerEntry.county_code,
    "industry": LedgerEntry.industry_code,
}


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def funds(
        self, group_by: str, county_code: str | None, policy_sources: list[str] | None
    ) -> list[Any]:
        column = GROUP_COLUMNS[group_by]
        query = select(column, LedgerEntry.entry_type, func.sum(LedgerEntry.amount_fen)).group_by(
            column, LedgerEntry.entry_type
        )
        if county_code is not None:
            query = query.where(LedgerEntry.county_code == county_code)
        if policy_sources is not None:
            query = query.where(LedgerEntry.source_id.in_(policy_sources))
        return list((await self.session.execute(query)).all())

    async def claims_by_status(self, county_code: str | None) -> dict[str, int]:
        query = select(Claim.status, func.count()).group_by(Claim.status)
        if county_code is not None:
            query = query.where(Claim.county_code == county_code)
        return {status: int(n) for status, n in (await self.session.execute(query)).all()}

    async def enterprises_paid(self, county_code: str | None) -> int:
        query = select(func.count(func.distinct(Payment.uscc))).where(Payment.status == "paid")
        if county_code is not None:
            query = query.join(Claim, Claim.claim_id == Payment.claim_id).where(
                Claim.county_code == county_code
            )
        return int((await self.session.execute(query)).scalar_one())
