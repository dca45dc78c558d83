from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.enterprise.models import (
    AcceptanceCopy,
    ContractCopy,
    DesignationCopy,
    EnterpriseCopy,
    ProviderCopy,
)
from szcore.readcopy import Upsert

# The writes enrollment's events make to the copy; an existing copy takes only the listed columns.
REGISTER = Upsert(
    EnterpriseCopy,
    update=("name", "county_code", "industry_code", "size_class", "registered_at", "copied_at"),
)
UPDATE = Upsert(
    EnterpriseCopy,
    update=(
        "name",
        "county_code",
        "industry_code",
        "size_class",
        "pilot_industry",
        "srdi_status",
        "cloud_adopted",
        "dossier_version",
        "copied_at",
    ),
    version="dossier_version",
)
ADMIT = Upsert(
    EnterpriseCopy,
    update=("admitted_at", "programme_id", "batch_number", "county_code", "pilot_industry", "copied_at"),
    unless_blank=("pilot_industry",),
)


class EnterpriseCopyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def get(self, uscc: str) -> EnterpriseCopy | None:
        return await self.session.get(EnterpriseCopy, uscc)

    async def get_for_update(self, uscc: str) -> EnterpriseCopy | None:
        query = select(EnterpriseCopy).where(EnterpriseCopy.uscc == uscc).with_for_update()
        return (await self.session.execute(query.execution_options(populate_existing=True))).scalars().first()

    async def list_by_uscc(self, usccs: Sequence[str], county_code: str | None) -> Sequence[EnterpriseCopy]:
        query = select(EnterpriseCopy).where(EnterpriseCopy.uscc.in_(usccs)).order_by(EnterpriseCopy.uscc)
        if county_code is not None:
            query = query.where(EnterpriseCopy.county_code == county_code)
        return (await self.session.execute(query)).scalars().all()

    async def admitted(self, county_code: str | None = None) -> Sequence[EnterpriseCopy]:
        query = (
            select(EnterpriseCopy)
            .where(EnterpriseCopy.admitted_at.is_not(None))
            .order_by(EnterpriseCopy.uscc)
        )
        if county_code is not None:
            query = query.where(EnterpriseCopy.county_code == county_code)
        return (await self.session.execute(query)).scalars().all()

    async def upsert_row(self, model: type[Any], key: str, values: dict[str, Any]) -> Any:
        row = await self.session.get(model, key)
        if row is None:
            primary = model.__mapper__.primary_key[0].name
            row = model(**{primary: key}, **values)
            self.session.add(row)
        else:
            for name, value in values.items():
                setattr(row, name, value)
        await self.session.flush()
        return row

    async def latest_acceptance(self, uscc: str, project_id: str | None = None) -> AcceptanceCopy | None:
        query = select(AcceptanceCopy).where(AcceptanceCopy.uscc == uscc)
        if project_id:
            query = query.where(AcceptanceCopy.project_id == project_id)
        query = query.order_by(AcceptanceCopy.evaluated_at.desc()).limit(1)
        return (await self.session.execute(query)).scalars().first()

    async def acceptance(self, assessment_id: str) -> AcceptanceCopy | None:
        return await self.session.get(AcceptanceCopy, assessment_id)

    async def designations(self, uscc: str) -> Sequence[DesignationCopy]:
        query = (
            select(DesignationCopy).where(DesignationCopy.uscc == uscc).order_by(DesignationCopy.awarded_on)
        )
        return (await self.session.execute(query)).scalars().all()

    async def contract(self, contract_id: str) -> ContractCopy | None:
        return await self.session.get(ContractCopy, contract_id)

    async def contracts_for_project(self, uscc: str, project_id: str) -> Sequence[ContractCopy]:
        query = select(ContractCopy).where(ContractCopy.uscc == uscc, ContractCopy.project_id == project_id)
        return (await self.session.execute(query)).scalars().all()

    async def provider(self, provider_id: str) -> ProviderCopy | None:
        return await self.session.get(ProviderCopy, provider_id)
