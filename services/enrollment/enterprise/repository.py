from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.enterprise.models import (
    AdmissionStatus,
    Enterprise,
    EnterpriseVersion,
    SizeClass,
    SrdiStatus,
)
from services.enrollment.timeline.models import ProviderEngagement
from szcore.keyset import Order

# Sorts of the enterprise list; each ends with the USCC so its key is unique (keyset-safe).
ORDERS = {
    "uscc": Order("uscc", (Enterprise.uscc,)),
    "registered_newest": Order(
        "registered_newest", (Enterprise.registered_at, Enterprise.uscc), descending=True
    ),
    "registered_oldest": Order("registered_oldest", (Enterprise.registered_at, Enterprise.uscc)),
    "name": Order("name", (Enterprise.name, Enterprise.uscc)),
}


class EnterpriseRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, uscc: str) -> Enterprise | None:
        return await self.session.get(Enterprise, uscc)

    async def list_by_uscc(
        self, usccs: Sequence[str], county_code: str | None = None
    ) -> Sequence[Enterprise]:
        query = select(Enterprise).where(Enterprise.uscc.in_(usccs)).order_by(Enterprise.uscc)
        if county_code is not None:
            query = query.where(Enterprise.county_code == county_code)
        return (await self.session.execute(query)).scalars().all()

    async def engaged(self, uscc: str, provider_id: str) -> bool:
        """Whether the provider was engaged by the enterprise (fed by matching's EngagementCreated)."""
        query = (
            select(ProviderEngagement.uscc)
            .where(ProviderEngagement.uscc == uscc, ProviderEngagement.provider_id == provider_id)
            .limit(1)
        )
        return (await self.session.execute(query)).first() is not None

    async def versions(self, uscc: str) -> Sequence[EnterpriseVersion]:
        query = (
            select(EnterpriseVersion)
            .where(EnterpriseVersion.uscc == uscc)
            .order_by(EnterpriseVersion.version)
        )
        return (await self.session.execute(query)).scalars().all()

    async def add(self, enterprise: Enterprise) -> Enterprise:
        self.session.add(enterprise)
        await self.session.flush()
        return enterprise


@dataclass(frozen=True)
class EnterpriseFilter:
    county_code: str | None = None
    programme_id: str | None = None
    pilot_industry: str | None = None
    industry_code: str | None = None  # prefix: C34 matches C3465
    batch_id: str | None = None
    admission_status: AdmissionStatus | None = None
    size_class: SizeClass | None = None
    srdi_status: SrdiStatus | None = None
    uscc: str | None = None  # an enterprise principal sees itself only
    text: str | None = None  # name or USCC contains

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        for column, value in (
            (Enterprise.county_code, self.county_code),
            (Enterprise.programme_id, self.programme_id),
            (Enterprise.pilot_industry, self.pilot_industry),
            (Enterprise.batch_id, self.batch_id),
            (Enterprise.admission_status, self.admission_status),
            (Enterprise.size_class, self.size_class),
            (Enterprise.srdi_status, self.srdi_status),
            (Enterprise.uscc, self.uscc),
        ):
            if value is not None:
                conditions.append(column == value)
        if self.industry_code:
            conditions.append(Enterprise.industry_code.startswith(self.industry_code, autoescape=True))
        if self.text:
            pattern = self.text.strip()
            conditions.append(
                or_(
                    Enterprise.name.contains(pattern, autoescape=True),
                    Enterprise.uscc.contains(pattern.upper(), autoescape=True),
                )
            )
        return conditions


async def count(session: AsyncSession, where: EnterpriseFilter) -> int:
    query = select(func.count()).select_from(Enterprise).where(*where.conditions())
    return (await session.execute(query)).scalar_one()


async def in_batches(
    session: AsyncSession, where: EnterpriseFilter, batch_ids: Sequence[str]
) -> Sequence[Enterprise]:
    """Every enterprise of the given batches (one query, `IN`) that also matches `where`."""
    query = (
        select(Enterprise)
        .where(Enterprise.batch_id.in_(batch_ids), *where.conditions())
        .order_by(Enterprise.batch_id, Enterprise.uscc)
    )
    return (await session.execute(query)).scalars().all()


async def page(
    session: AsyncSession, where: EnterpriseFilter, order: Order, after: list[Any] | None, limit: int
) -> Sequence[Enterprise]:
    """In `order`, `limit + 1` rows so the caller knows whether more follow."""
    query = select(Enterprise).where(*where.conditions()).order_by(*order.order_by()).limit(limit + 1)
    if after is not None:
        query = query.where(order.after(after))
    return (await session.execute(query)).scalars().all()
