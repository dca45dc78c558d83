from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.application.models import Application, ApplicationAction, Objection, ObjectionStatus
from services.enrollment.application.workflow import TERMINAL, Status
from services.enrollment.enterprise.models import Enterprise
from szcore.keyset import Order

# Sorts of the application list; each ends with the id so its key is unique (keyset-safe).
ORDERS = {
    "id": Order("id", (Application.id,)),
    "submitted_newest": Order(
        "submitted_newest", (Application.submitted_at, Application.id), descending=True
    ),
    "submitted_oldest": Order("submitted_oldest", (Application.submitted_at, Application.id)),
    "updated_newest": Order("updated_newest", (Application.updated_at, Application.id), descending=True),
}


class ApplicationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, application_id: str) -> Application | None:
        return await self.session.get(Application, application_id)

    async def take(self, application: Application, status: str, step_index: int, now: datetime) -> bool:
        """Compare-and-set on the state this request read: of two concurrent transitions the second
        waits on the row lock, then matches nothing and is refused instead of acting on a stale state."""
        await self.session.flush()  # the WHERE must see this request's own writes
        result = await self.session.execute(
            update(Application)
            .where(
                Application.id == application.id,
                Application.status == status,
                Application.step_index == step_index,
            )
            .values(updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1

    async def lock_enterprise(self, uscc: str) -> None:
        """Serialises submissions per enterprise so that two at once cannot both find no open application."""
        await self.session.execute(select(Enterprise.uscc).where(Enterprise.uscc == uscc).with_for_update())

    async def active_for(self, uscc: str, programme_id: str) -> Application | None:
        query = select(Application).where(
            Application.uscc == uscc,
            Application.programme_id == programme_id,
            Application.status.not_in(list(TERMINAL)),
        )
        return (await self.session.execute(query)).scalars().first()

    async def open_objections(self, application_id: str) -> int:
        query = select(func.count()).where(
            Objection.application_id == application_id, Objection.status == ObjectionStatus.open
        )
        return (await self.session.execute(query)).scalar_one()

    async def objection(self, application_id: str, objection_id: str) -> Objection | None:
        objection = await self.session.get(Objection, objection_id)
        return objection if objection and objection.application_id == application_id else None

    async def actions(self, application_id: str) -> Sequence[ApplicationAction]:
        query = (
            select(ApplicationAction)
            .where(ApplicationAction.application_id == application_id)
            .order_by(ApplicationAction.id)
        )
        return (await self.session.execute(query)).scalars().all()

    async def objections(self, application_id: str) -> Sequence[Objection]:
        query = (
            select(Objection).where(Objection.application_id == application_id).order_by(Objection.raised_at)
        )
        return (await self.session.execute(query)).scalars().all()

    async def page(
        self,
        *,
        county_code: str | None,
        uscc: str | None,
        programme_id: str | None,
        batch_id: str | None,
        status: Status | None,
        after: list[Any] | None,
        limit: int,
        order: Order = ORDERS["id"],
    ) -> tuple[Sequence[Application], int]:
        conditions = []
        for column, value in (
            (Application.county_code, county_code),
            (Application.uscc, uscc),
            (Application.programme_id, programme_id),
            (Application.batch_id, batch_id),
            (Application.status, status),
        ):
            if value is not None:
                conditions.append(column == value)
        count = select(func.count()).select_from(Application).where(*conditions)
        total = (await self.session.execute(count)).scalar_one()
        query = select(Application).where(*conditions).order_by(*order.order_by()).limit(limit + 1)
        if after is not None:
            query = query.where(order.after(after))
        return (await self.session.execute(query)).scalars().all(), total

    async def of_usccs(
        self, usccs: Sequence[str], *, county_code: str | None, uscc: str | None
    ) -> Sequence[Application]:
        """Every application of the given enterprises (one query), optionally narrowed to a county or to
        one enterprise (the caller's scope)."""
        query = select(Application).where(Application.uscc.in_(usccs))
        if county_code is not None:
            query = query.where(Application.county_code == county_code)
        if uscc is not None:
            query = query.where(Application.uscc == uscc)
        return (await self.session.execute(query.order_by(Application.uscc, Application.id))).scalars().all()

    def add(self, *rows: object) -> None:
        self.session.add_all(rows)

    async def funnel(
        self, programme_id: str, county_code: str | None
    ) -> Sequence[tuple[str, str, Status, int]]:
        query = (
            select(Application.batch_id, Application.county_code, Application.status, func.count())
            .where(Application.programme_id == programme_id)
            .group_by(Application.batch_id, Application.county_code, Application.status)
            .order_by(Application.batch_id, Application.county_code)
        )
        if county_code is not None:
            query = query.where(Application.county_code == county_code)
        return [tuple(row) for row in (await self.session.execute(query)).all()]  # type: ignore[misc]

    async def actions_for_enterprise(self, uscc: str) -> Sequence[tuple[ApplicationAction, str]]:
        query = (
            select(ApplicationAction, Application.batch_id)
            .join(Application, Application.id == ApplicationAction.application_id)
            .where(Application.uscc == uscc)
            .order_by(ApplicationAction.id)
        )
        return [(row[0], row[1]) for row in (await self.session.execute(query)).all()]
