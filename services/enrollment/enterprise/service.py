from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.db import audit_log, outbox
from services.enrollment.enterprise import auth
from services.enrollment.enterprise.events import enterprise_registered
from services.enrollment.enterprise.models import DossierSource, Enterprise
from services.enrollment.enterprise.repository import EnterpriseRepository
from services.enrollment.enterprise.schemas import EnterpriseCreate
from services.enrollment.enterprise.uscc import uscc_error
from szcore.auth import Principal, Role
from szcore.errors import FieldError, bad_request, conflict, not_found
from szcore.types import utcnow

SOURCE_BY_ROLE = {Role.county_system: DossierSource.county_push, Role.county_admin: DossierSource.county_push}


async def register(session: AsyncSession, principal: Principal, data: EnterpriseCreate) -> Enterprise:
    auth.authorize_register(principal, data.county_code)
    reason = uscc_error(data.uscc)
    if reason:
        raise bad_request(
            "invalid_uscc",
            f"{data.uscc} is not a valid unified social credit code: {reason}",
            [FieldError("uscc", "invalid_uscc", reason, "统一社会信用代码无效")],
        )
    repository = EnterpriseRepository(session)
    if await repository.get(data.uscc) is not None:
        raise conflict(
            "duplicate_uscc",
            f"An enterprise with USCC {data.uscc} is already registered",
            [FieldError("uscc", "duplicate_uscc", "already registered", "该统一社会信用代码已登记")],
        )
    now = utcnow()
    enterprise = await repository.add(
        Enterprise(
            **data.model_dump(),
            source=SOURCE_BY_ROLE.get(principal.role, DossierSource.city),
            registered_by=principal.subject,
            registered_at=now,
            updated_at=now,
        )
    )
    await outbox.add(
        session, enterprise_registered(enterprise), aggregate_type="enterprise", aggregate_id=enterprise.uscc
    )
    await audit_log.append(
        session,
        actor=principal,
        action="enterprise.registered",
        entity_type="enterprise",
        entity_id=enterprise.uscc,
        data=data.model_dump(mode="json"),
    )
    return enterprise


async def get(session: AsyncSession, principal: Principal, uscc: str) -> Enterprise:
    enterprise = await EnterpriseRepository(session).get(uscc.upper())
    # Another county's enterprise answers exactly like a missing one, so that existence does not leak.
    if enterprise is None or not auth.can_read(principal, enterprise.county_code, enterprise.uscc):
        raise not_found("enterprise_not_found", f"No enterprise {uscc} visible to you")
    return enterprise


async def list_by_uscc(
    session: AsyncSession, principal: Principal, usccs: Sequence[str]
) -> Sequence[Enterprise]:
    enterprises = await EnterpriseRepository(session).list_by_uscc(
        [u.upper() for u in usccs], auth.visible_county(principal)
    )
    return [e for e in enterprises if auth.can_read(principal, e.county_code, e.uscc)]
