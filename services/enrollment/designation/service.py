import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, time

from shuzhuan.events.v1.enrollment_pb2 import DesignationAwarded
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.db import audit_log, outbox
from services.enrollment.designation.models import Designation
from services.enrollment.designation.schemas import DesignationCreate
from services.enrollment.enterprise import service as enterprise_service
from szcore.auth import Principal, Role
from szcore.errors import conflict, forbidden
from szcore.events import to_timestamp
from szcore.types import utcnow


def designation_awarded(designation: Designation) -> DesignationAwarded:
    awarded = to_timestamp(datetime.combine(designation.awarded_on, time(), tzinfo=UTC))
    return DesignationAwarded(
        designation_id=designation.id,
        uscc=designation.uscc,
        kind=designation.kind.value,
        case_id=designation.case_id,
        awarded_on=awarded,
        source=f"{designation.level}: {designation.source}",
    )


async def award(
    session: AsyncSession, principal: Principal, uscc: str, data: DesignationCreate
) -> Designation:
    """Records an honour (city officials) and tells funding and the targets through DesignationAwarded."""
    if principal.role != Role.city_admin:
        raise forbidden("role_not_allowed", f"Role {principal.role.value} may not record designations")
    enterprise = await enterprise_service.get(session, principal, uscc)
    existing = await session.execute(
        select(Designation).where(
            Designation.uscc == enterprise.uscc,
            Designation.kind == data.kind,
            Designation.awarded_on == data.awarded_on,
            Designation.case_id == data.case_id,
        )
    )
    if existing.scalars().first() is not None:
        raise conflict("duplicate_designation", "This designation is already recorded")
    designation = Designation(
        id=str(uuid.uuid4()),
        uscc=enterprise.uscc,
        **data.model_dump(),
        recorded_by=principal.subject,
        recorded_at=utcnow(),
    )
    session.add(designation)
    await session.flush()
    await outbox.add(
        session, designation_awarded(designation), aggregate_type="enterprise", aggregate_id=enterprise.uscc
    )
    await audit_log.append(
        session,
        actor=principal,
        action="designation.awarded",
        entity_type="enterprise",
        entity_id=enterprise.uscc,
        data={"designation_id": designation.id, **data.model_dump(mode="json")},
    )
    return designation


async def of_enterprise(session: AsyncSession, principal: Principal, uscc: str) -> Sequence[Designation]:
    enterprise = await enterprise_service.get(session, principal, uscc)
    query = select(Designation).where(Designation.uscc == enterprise.uscc).order_by(Designation.awarded_on)
    return (await session.execute(query)).scalars().all()
