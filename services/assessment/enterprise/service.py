from collections.abc import Sequence
from datetime import datetime
from typing import Any

from shuzhuan.events.v1.enrollment_pb2 import EnterpriseRegistered, EnterpriseUpdated, SizeClass
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.enterprise import auth
from services.assessment.enterprise.models import EnterpriseCopy
from services.assessment.enterprise.repository import REGISTER, UPDATE, EnterpriseCopyRepository
from szcore.auth import Principal
from szcore.errors import not_found
from szcore.events import from_timestamp
from szcore.readcopy import ReadCopy, Upsert


def _size_class(value: int) -> str:
    return SizeClass.Name(value).removeprefix("SIZE_CLASS_").lower()


def _row(
    payload: EnterpriseRegistered | EnterpriseUpdated, registered_at: datetime, now: datetime
) -> dict[str, Any]:
    return {
        "uscc": payload.uscc,
        "name": payload.name,
        "county_code": payload.county_code,
        "industry_code": payload.industry_code,
        "size_class": _size_class(payload.size_class),
        "registered_at": registered_at,
        "copied_at": now,
    }


def registered(payload: EnterpriseRegistered, now: datetime) -> tuple[Upsert, dict[str, Any]]:
    return REGISTER, _row(payload, from_timestamp(payload.registered_at), now)


def updated(payload: EnterpriseUpdated, now: datetime) -> tuple[Upsert, dict[str, Any]]:
    # registered_at only for a copy the update creates (it overtook the registration): its values are
    # the newest we know.
    return UPDATE, _row(payload, from_timestamp(payload.changed_at), now)


registrations = ReadCopy({"EnterpriseRegistered": registered})
updates = ReadCopy({"EnterpriseUpdated": updated})
apply_enterprise_registered = registrations.apply
apply_enterprise_registered_batch = registrations.apply_batch
apply_enterprise_updated = updates.apply
apply_enterprise_updated_batch = updates.apply_batch


async def get(session: AsyncSession, principal: Principal, uscc: str) -> EnterpriseCopy:
    copy = await EnterpriseCopyRepository(session).get(uscc.upper())
    if copy is None or not auth.can_read(principal, copy.county_code, copy.uscc):
        raise not_found("enterprise_not_found", f"No enterprise {uscc} visible to you")
    return copy


async def list_by_uscc(
    session: AsyncSession, principal: Principal, usccs: Sequence[str]
) -> Sequence[EnterpriseCopy]:
    copies = await EnterpriseCopyRepository(session).list_by_uscc(
        [u.upper() for u in usccs], auth.visible_county(principal)
    )
    return [c for c in copies if auth.can_read(principal, c.county_code, c.uscc)]
