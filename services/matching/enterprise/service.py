from collections.abc import Sequence

from shuzhuan.events.v1.enrollment_pb2 import EnterpriseRegistered, EnterpriseUpdated, SizeClass
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.enterprise import auth
from services.matching.enterprise.models import EnterpriseCopy
from services.matching.enterprise.repository import EnterpriseCopyRepository
from services.matching.project.repository import ProjectRepository
from services.matching.provider.repository import ProviderRepository
from szcore.auth import Principal, Role
from szcore.errors import not_found
from szcore.events import Event, from_timestamp
from szcore.types import utcnow


def _size_class(value: int) -> str:
    return SizeClass.Name(value).removeprefix("SIZE_CLASS_").lower()


async def apply_enterprise_registered(
    session: AsyncSession, event: Event, repository: EnterpriseCopyRepository | None = None
) -> None:
    payload = event.payload
    repository = repository or EnterpriseCopyRepository(session)
    if isinstance(payload, EnterpriseUpdated):
        await apply_enterprise_updated(session, payload, repository)
        return
    assert isinstance(payload, EnterpriseRegistered)
    existing = await repository.get(payload.uscc)
    if existing is not None:
        # An update may have overtaken the registration: keep its newer values.
        existing.registered_at = from_timestamp(payload.registered_at)
        return
    await repository.upsert(
        payload.uscc,
        {
            "name": payload.name,
            "county_code": payload.county_code,
            "industry_code": payload.industry_code,
            "size_class": _size_class(payload.size_class),
            "registered_at": from_timestamp(payload.registered_at),
            "copied_at": utcnow(),
        },
    )


async def apply_enterprise_updated(
    session: AsyncSession, payload: EnterpriseUpdated, repository: EnterpriseCopyRepository | None = None
) -> None:
    """The dossier's new values replace the copy's; open_engagements is this service's own and stays."""
    repository = repository or EnterpriseCopyRepository(session)
    values = {
        "name": payload.name,
        "county_code": payload.county_code,
        "industry_code": payload.industry_code,
        "size_class": _size_class(payload.size_class),
    }
    if await repository.get(payload.uscc) is None:
        # Updated before Registered reached us (separate deliveries): the update carries all we copy.
        values |= {"registered_at": from_timestamp(payload.changed_at), "copied_at": utcnow()}
    await repository.upsert(payload.uscc, values)


async def apply_enterprise_events(session: AsyncSession, events: list[Event]) -> None:
    """A batch in stream order: one SELECT of the copies involved, the same rules per event, one flush."""
    repository = EnterpriseCopyRepository(session)
    await repository.preload([event.payload.uscc for event in events])  # type: ignore[attr-defined]
    for event in events:
        await apply_enterprise_registered(session, event, repository)
    await session.flush()


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
