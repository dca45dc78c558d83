from collections.abc import Sequence
from datetime import datetime
from typing import Any

from shuzhuan.events.v1.enrollment_pb2 import EnterpriseRegistered, EnterpriseUpdated, SizeClass
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.enterprise import auth
from services.matching.enterprise.models import EnterpriseCopy
from services.matching.enterprise.repository import REGISTER, UPDATE, EnterpriseCopyRepository
from services.matching.project.repository import ProjectRepository
from services.matching.provider.repository import ProviderRepository
from szcore.auth import Principal, Role
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
    """The dossier's new values replace the copy's; a copy it creates (Updated reached us before Registered,
    separate deliveries) is dated by the change."""
    return UPDATE, _row(payload, from_timestamp(payload.changed_at), now)


enterprise_copy = ReadCopy({"EnterpriseRegistered": registered, "EnterpriseUpdated": updated})
apply_enterprise_registered = enterprise_copy.apply
apply_enterprise_events = enterprise_copy.apply_batch


async def provider_may_see(session: AsyncSession, provider_id: str | None, uscc: str) -> bool:
    """A provider sees an enterprise only while an engagement with it is open, and only once it has
    signed the confidentiality undertaking."""
    if provider_id is None:
        return False
    provider = await ProviderRepository(session).get(provider_id)
    if provider is None or provider.confidentiality_signed_at is None:
        return False
    return uscc in await ProjectRepository(session).engaged_usccs(provider_id)


async def get(session: AsyncSession, principal: Principal, uscc: str) -> EnterpriseCopy:
    copy = await EnterpriseCopyRepository(session).get(uscc.upper())
    if copy is not None and principal.is_role(Role.provider):
        if await provider_may_see(session, principal.provider_id, copy.uscc):
            return copy
        copy = None
    if copy is None or not auth.can_read(principal, copy.county_code, copy.uscc):
        raise not_found("enterprise_not_found", f"No enterprise {uscc} visible to you")
    return copy


async def list_by_uscc(
    session: AsyncSession, principal: Principal, usccs: Sequence[str]
) -> Sequence[EnterpriseCopy]:
    copies = await EnterpriseCopyRepository(session).list_by_uscc(
        [u.upper() for u in usccs], auth.visible_county(principal)
    )
    if principal.is_role(Role.provider):
        return [c for c in copies if await provider_may_see(session, principal.provider_id, c.uscc)]
    return [c for c in copies if auth.can_read(principal, c.county_code, c.uscc)]
