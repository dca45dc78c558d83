from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.solution.models import Solution, SolutionRating, SolutionReview, SolutionStatus
from szcore.keyset import Order, read_page

# Sorts of the solution list; each ends with the solution id (unique).
SOLUTION_ORDERS = {
    "id": Order("id", (Solution.solution_id,)),
    "name": Order("name", (Solution.name, Solution.solution_id)),
    "price_lowest": Order("price_lowest", (Solution.list_price_fen, Solution.solution_id)),
    "submitted_newest": Order(
        "submitted_newest", (Solution.submitted_at, Solution.solution_id), descending=True
    ),
}

SOLUTION_RATING_ORDERS = {
    "rated_oldest": Order("rated_oldest", (SolutionRating.id,)),
    "rated_newest": Order("rated_newest", (SolutionRating.id,), descending=True),
    "score_highest": Order("score_highest", (SolutionRating.score, SolutionRating.id), descending=True),
    "score_lowest": Order("score_lowest", (SolutionRating.score, SolutionRating.id)),
}
# Expert review sheets: in the order they were filed (the old list's order), or best scored first.
SOLUTION_REVIEW_ORDERS = {
    "filed_oldest": Order("filed_oldest", (SolutionReview.id,)),
    "total_highest": Order("total_highest", (SolutionReview.total_centi, SolutionReview.id), descending=True),
}


class SolutionRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, solution_id: str, *, for_update: bool = False) -> Solution | None:
        return await self.session.get(Solution, solution_id, with_for_update=for_update)

    async def count_use(self, solution_ids: Sequence[str]) -> None:
        """In SQL: projects using the same product complete at once."""
        if solution_ids:
            await self.session.execute(
                update(Solution).where(Solution.solution_id.in_(solution_ids)).values(uses=Solution.uses + 1)
            )

    async def get_many(self, solution_ids: Sequence[str]) -> dict[str, Solution]:
        if not solution_ids:
            return {}
        rows = await self.session.execute(select(Solution).where(Solution.solution_id.in_(solution_ids)))
        return {s.solution_id: s for s in rows.scalars()}

    async def add(self, solution: Solution) -> Solution:
        self.session.add(solution)
        await self.session.flush()
        return solution

    async def filtered(
        self, *, statuses: Sequence[str] | None, provider_id: str | None
    ) -> Sequence[Solution]:
        query = select(Solution).order_by(Solution.solution_id)
        if statuses is not None:
            query = query.where(Solution.status.in_(statuses))
        if provider_id is not None:
            query = query.where(Solution.provider_id == provider_id)
        return (await self.session.execute(query)).scalars().all()

    async def of_providers(self, provider_ids: Sequence[str]) -> Sequence[Solution]:
        query = (
            select(Solution)
            .where(Solution.provider_id.in_(provider_ids))
            .order_by(Solution.provider_id, Solution.solution_id)
        )
        return (await self.session.execute(query)).scalars().all()

    async def listed(self) -> Sequence[Solution]:
        return await self.filtered(statuses=[SolutionStatus.listed], provider_id=None)

    async def add_review(self, review: SolutionReview) -> SolutionReview:
        self.session.add(review)
        await self.session.flush()
        return review

    async def review_by(self, solution_id: str, expert: str) -> SolutionReview | None:
        query = select(SolutionReview).where(
            SolutionReview.solution_id == solution_id, SolutionReview.expert == expert
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def reviews(self, solution_id: str) -> Sequence[SolutionReview]:
        query = (
            select(SolutionReview)
            .where(SolutionReview.solution_id == solution_id)
            .order_by(SolutionReview.id)
        )
        return (await self.session.execute(query)).scalars().all()

    async def review_page(
        self, solution_id: str, order: Order, cursor: str | None, limit: int
    ) -> tuple[list[SolutionReview], int, str | None]:
        query = select(SolutionReview).where(SolutionReview.solution_id == solution_id)
        return await read_page(self.session, query, order, cursor, limit)

    async def mean_review_centi(self, solution_id: str) -> int | None:
        query = select(func.avg(SolutionReview.total_centi)).where(SolutionReview.solution_id == solution_id)
        mean = (await self.session.execute(query)).scalar_one()
        return None if mean is None else round(mean)

    async def rating_for(self, solution_id: str, engagement_id: str) -> SolutionRating | None:
        query = select(SolutionRating).where(
            SolutionRating.solution_id == solution_id, SolutionRating.engagement_id == engagement_id
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def add_rating(self, rating: SolutionRating) -> SolutionRating:
        self.session.add(rating)
        await self.session.flush()
        return rating

    async def scores_between(
        self, engagement_ids: Sequence[str], start: datetime, end: datetime
    ) -> list[int]:
        if not engagement_ids:
            return []
        query = select(SolutionRating.score).where(
            SolutionRating.engagement_id.in_(engagement_ids),
            SolutionRating.rated_at >= start,
            SolutionRating.rated_at < end,
        )
        return list((await self.session.execute(query)).scalars())

    async def rating_page(
        self, solution_id: str, order: Order, cursor: str | None, limit: int
    ) -> tuple[list[SolutionRating], int, str | None]:
        query = select(SolutionRating).where(SolutionRating.solution_id == solution_id)
        return await read_page(self.session, query, order, cursor, limit)

    async def ratings(self, solution_id: str) -> Sequence[SolutionRating]:
        query = (
            select(SolutionRating)
            .where(SolutionRating.solution_id == solution_id)
            .order_by(SolutionRating.id)
        )
        return (await self.session.execute(query)).scalars().all()
