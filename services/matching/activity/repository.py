from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.activity.models import Activity, Registration
from services.matching.project.models import Engagement
from szcore.keyset import Order, read_page

# Sorts of the activity list; each ends with the activity id (unique).
ACTIVITY_ORDERS = {
    "id": Order("id", (Activity.activity_id,)),
    "starts_soonest": Order("starts_soonest", (Activity.starts_at, Activity.activity_id)),
    "starts_latest": Order("starts_latest", (Activity.starts_at, Activity.activity_id), descending=True),
    "created_newest": Order("created_newest", (Activity.created_at, Activity.activity_id), descending=True),
}

# Sign-ups in the order they came (the old list's order), or the latest first.
REGISTRATION_ORDERS = {
    "signed_oldest": Order("signed_oldest", (Registration.id,)),
    "signed_newest": Order("signed_newest", (Registration.id,), descending=True),
}


class ActivityRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, activity_id: str, *, for_update: bool = False) -> Activity | None:
        return await self.session.get(Activity, activity_id, with_for_update=for_update)

    async def add(self, row: object) -> None:
        self.session.add(row)
        await self.session.flush()

    async def filtered(
        self, *, programme: str | None, kind: str | None, county_code: str | None, after: str | None
    ) -> Sequence[Activity]:
        query = select(Activity).order_by(Activity.activity_id)
        for column, value in ((Activity.programme, programme), (Activity.kind, kind)):
            if value is not None:
                query = query.where(column == value)
        if county_code is not None:
            query = query.where((Activity.county_code == county_code) | Activity.county_code.is_(None))
        rows = (await self.session.execute(query)).scalars().all()
        return rows if after is None else [a for a in rows if a.activity_id > after]

    async def registrations(self, activity_ids: Sequence[str]) -> Sequence[Registration]:
        if not activity_ids:
            return []
        query = (
            select(Registration).where(Registration.activity_id.in_(activity_ids)).order_by(Registration.id)
        )
        return (await self.session.execute(query)).scalars().all()

    async def registration_page(
        self, activity_id: str, order: Order, cursor: str | None, limit: int
    ) -> tuple[list[Registration], int, str | None]:
        query = select(Registration).where(Registration.activity_id == activity_id)
        return await read_page(self.session, query, order, cursor, limit)

    async def registration(self, activity_id: str, key: str) -> Registration | None:
        query = select(Registration).where(
            Registration.activity_id == activity_id, Registration.participant_key == key
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def engagements_of(self, usccs: Sequence[str]) -> Sequence[Engagement]:
        if not usccs:
            return []
        return (
            (await self.session.execute(select(Engagement).where(Engagement.uscc.in_(usccs)))).scalars().all()
        )
