import zlib
from collections.abc import Sequence

from sqlalchemy import Select, case, func, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.provider.models import ACTIVE, ROSTERED, Provider, ProviderRating, ProviderReview
from szcore.keyset import Order, page_rows, read_page

# Sorts of the roster; each ends with the provider id (unique). Not yet rated sorts last (-1).
PROVIDER_ORDERS = {
    "id": Order("id", (Provider.provider_id,)),
    "name": Order("name", (Provider.name, Provider.provider_id)),
    "rating_highest": Order(
        "rating_highest",
        (func.coalesce(Provider.rating_centi, -1), Provider.provider_id),
        descending=True,
        row_key=lambda p: (-1 if p.rating_centi is None else p.rating_centi, p.provider_id),
    ),
    "applied_newest": Order("applied_newest", (Provider.applied_at, Provider.provider_id), descending=True),
}
RATING_ORDERS = {
    "period_newest": Order("period_newest", (ProviderRating.period, ProviderRating.id), descending=True),
    "overall_highest": Order(
        "overall_highest", (ProviderRating.overall_centi, ProviderRating.id), descending=True
    ),
}
# Expert review sheets: in the order they were filed (the old list's order), or best scored first.
REVIEW_ORDERS = {
    "filed_oldest": Order("filed_oldest", (ProviderReview.id,)),
    "total_highest": Order("total_highest", (ProviderReview.total_centi, ProviderReview.id), descending=True),
}


class ProviderRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, provider_id: str, *, for_update: bool = False) -> Provider | None:
        return await self.session.get(Provider, provider_id, with_for_update=for_update)

    async def add(self, provider: Provider) -> Provider:
        self.session.add(provider)
        await self.session.flush()
        return provider

    async def count_projects(self, provider_id: str, delta: int) -> None:
        """In SQL: projects of one provider close at once, each holding only its own engagement's lock."""
        column = Provider.open_projects
        await self.session.execute(
            update(Provider)
            .where(Provider.provider_id == provider_id)
            .values(open_projects=case((column + delta < 0, 0), else_=column + delta))
        )

    async def get_many(self, provider_ids: Sequence[str]) -> dict[str, Provider]:
        if not provider_ids:
            return {}
        rows = await self.session.execute(select(Provider).where(Provider.provider_id.in_(provider_ids)))
        return {p.provider_id: p for p in rows.scalars()}

    @staticmethod
    def _filtered(statuses: Sequence[str] | None, kind: str | None) -> Select[tuple[Provider]]:
        query = select(Provider)
        if statuses is not None:
            query = query.where(Provider.status.in_(statuses))
        if kind is not None:
            query = query.where(Provider.kind == kind)
        return query

    async def page(
        self,
        *,
        statuses: Sequence[str] | None,
        kind: str | None,
        industry: str | None,
        county: str | None,
        order: Order,
        cursor: str | None,
        limit: int,
    ) -> tuple[list[Provider], int, str | None]:
        # JSON containment differs per backend; industries and counties are filtered in Python.
        rows = (
            await self.session.execute(self._filtered(statuses, kind).order_by(Provider.provider_id))
        ).scalars()
        matching = [
            p
            for p in rows
            if (industry is None or industry in p.industries) and (county is None or county in p.counties)
        ]
        page, next_cursor = page_rows(matching, order, cursor, limit)
        return page, len(matching), next_cursor

    async def lock_quota(self, kind: str) -> None:
        """One listing of a kind at a time: two listings at once each counted the other's industry seat as
        free and the roster passed its quota. A transaction-scoped advisory lock on PostgreSQL; SQLite
        serialises its writers anyway (BEGIN IMMEDIATE)."""
        if self.session.bind.dialect.name == "postgresql":
            key = zlib.crc32(f"matching:quota:{kind}".encode())
            await self.session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    async def rostered_of_kind(self, kind: str) -> Sequence[Provider]:
        query = select(Provider).where(Provider.kind == kind, Provider.status.in_(ROSTERED))
        return (await self.session.execute(query)).scalars().all()

    async def active(self) -> Sequence[Provider]:
        return (
            (await self.session.execute(select(Provider).where(Provider.status.in_(ACTIVE)))).scalars().all()
        )

    async def add_review(self, review: ProviderReview) -> ProviderReview:
        self.session.add(review)
        await self.session.flush()
        return review

    async def review_by(self, provider_id: str, expert: str) -> ProviderReview | None:
        query = select(ProviderReview).where(
            ProviderReview.provider_id == provider_id, ProviderReview.expert == expert
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def reviews(self, provider_id: str) -> Sequence[ProviderReview]:
        query = (
            select(ProviderReview)
            .where(ProviderReview.provider_id == provider_id)
            .order_by(ProviderReview.id)
        )
        return (await self.session.execute(query)).scalars().all()

    async def review_page(
        self, provider_id: str, order: Order, cursor: str | None, limit: int
    ) -> tuple[list[ProviderReview], int, str | None]:
        query = select(ProviderReview).where(ProviderReview.provider_id == provider_id)
        return await read_page(self.session, query, order, cursor, limit)

    async def mean_review_centi(self, provider_id: str) -> int | None:
        query = select(func.avg(ProviderReview.total_centi)).where(ProviderReview.provider_id == provider_id)
        mean = (await self.session.execute(query)).scalar_one()
        return None if mean is None else round(mean)

    async def rating(self, provider_id: str, period: str) -> ProviderRating | None:
        query = select(ProviderRating).where(
            ProviderRating.provider_id == provider_id, ProviderRating.period == period
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def add_rating(self, rating: ProviderRating) -> ProviderRating:
        self.session.add(rating)
        await self.session.flush()
        return rating

    async def of_ids(self, provider_ids: Sequence[str]) -> Sequence[Provider]:
        query = select(Provider).where(Provider.provider_id.in_(provider_ids))
        return (await self.session.execute(query)).scalars().all()

    async def ratings_of_many(self, provider_ids: Sequence[str]) -> Sequence[ProviderRating]:
        if not provider_ids:
            return []
        query = (
            select(ProviderRating)
            .where(ProviderRating.provider_id.in_(provider_ids))
            .order_by(ProviderRating.provider_id, ProviderRating.period.desc())
        )
        return (await self.session.execute(query)).scalars().all()

    async def rating_page(
        self, provider_id: str, order: Order, cursor: str | None, limit: int
    ) -> tuple[list[ProviderRating], int, str | None]:
        query = select(ProviderRating).where(ProviderRating.provider_id == provider_id)
        return await read_page(self.session, query, order, cursor, limit)

    async def ratings(self, provider_id: str) -> Sequence[ProviderRating]:
        query = (
            select(ProviderRating)
            .where(ProviderRating.provider_id == provider_id)
            .order_by(ProviderRating.period.desc())
        )
        return (await self.session.execute(query)).scalars().all()
