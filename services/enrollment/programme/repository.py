from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.application.models import Application
from services.enrollment.application.workflow import Status
from services.enrollment.designation.models import Designation
from services.enrollment.enterprise.models import Enterprise
from services.enrollment.programme.models import Programme, ProgrammeVersion
from services.enrollment.programme.progress import Admitted, Honour


class ProgrammeRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, programme_id: str) -> Programme | None:
        return await self.session.get(Programme, programme_id)

    async def list(self) -> Sequence[Programme]:
        return (await self.session.execute(select(Programme).order_by(Programme.id))).scalars().all()

    async def versions(self, programme_id: str) -> Sequence[ProgrammeVersion]:
        query = (
            select(ProgrammeVersion)
            .where(ProgrammeVersion.programme_id == programme_id)
            .order_by(ProgrammeVersion.version)
        )
        return (await self.session.execute(query)).scalars().all()

    async def add(self, *rows: Programme | ProgrammeVersion) -> None:
        self.session.add_all(rows)
        await self.session.flush()


async def admitted_of(session: AsyncSession, programme_id: str, county_code: str | None) -> list[Admitted]:
    query = (
        select(
            Application.admitted_at, Enterprise.size_class, Enterprise.srdi_status, Enterprise.cloud_adopted
        )
        .join(Enterprise, Enterprise.uscc == Application.uscc)
        .where(Application.programme_id == programme_id, Application.status == Status.admitted)
    )
    if county_code is not None:
        query = query.where(Application.county_code == county_code)
    return [
        Admitted(row[0].year, str(row[1]), str(row[2]), bool(row[3]))
        for row in (await session.execute(query)).all()
        if row[0] is not None
    ]


async def honours_of(session: AsyncSession, programme_id: str, county_code: str | None) -> list[Honour]:
    query = (
        select(Designation.awarded_on, Designation.kind)
        .join(Enterprise, Enterprise.uscc == Designation.uscc)
        .where(Enterprise.programme_id == programme_id)
    )
    if county_code is not None:
        query = query.where(Enterprise.county_code == county_code)
    return [Honour(row[0].year, str(row[1])) for row in (await session.execute(query)).all()]
