from collections.abc import Awaitable, Callable, Sequence

from shuzhuan.events.v1.enrollment_pb2 import EnterpriseRegistered, EnterpriseUpdated, SizeClass
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.enterprise import auth
from services.assessment.enterprise.models import EnterpriseCopy
from services.assessment.enterprise.repository import EnterpriseCopyRepository
from szcore.auth import Principal
from szcore.errors import not_found
from szcore.events import Event, from_timestamp
from szcore.types import utcnow


async def apply_enterprise_registered(
    session: AsyncSession, event: Event, repository: EnterpriseCopyRepository | None = None
) -> None:
    payload = event.payload
    assert isinstance(payload, EnterpriseRegistered)
    await (repository or EnterpriseCopyRepository(session)).upsert(
        payload.uscc,
        {
            "name": payload.name,
            "county_code": payload.county_code,
            "industry_code": payload.industry_code,
            "size_class": SizeClass.Name(payload.size_class).removeprefix("SIZE_CLASS_").lower(),
            "registered_at": from_timestamp(payload.registered_at),
            "copied_at": utcnow(),
        },
    )


async def apply_enterprise_updated(
    session: AsyncSession, event: Event, repository: EnterpriseCopyRepository | None = None
) -> None:
    payload = event.payload
    assert isinstance(payload, EnterpriseUpdated)
    repository = repository or EnterpriseCopyRepository(session)
    values = {
        "name": payload.name,
        "county_code": payload.county_code,
        "industry_code": payload.industry_code,
        "size_class": SizeClass.Name(payload.size_class).removeprefix("SIZE_CLASS_").lower(),
        "copied_at": utcnow(),
    }
    if await repository.get(payload.uscc) is None:
        # The update overtook the registration: its values are the newest we know.
        values["registered_at"] = from_timestamp(payload.changed_at)
    await repository.upsert(payload.uscc, values)


async def apply_enterprise_registered_batch(session: AsyncSession, events: list[Event]) -> None:
    await _apply_batch(session, events, apply_enterprise_registered)


async def apply_enterprise_updated_batch(session: AsyncSession, events: list[Event]) -> None:
    await _apply_batch(session, events, apply_enterprise_updated)


async def _apply_batch(
    session: AsyncSession,
    events: list[Event],
    apply: Callable[[AsyncSession, Event, EnterpriseCopyRepository], Awaitable[None]],
) -> None:
    """A batch in stream order: one SELECT of the copies involved, the same rules per event, one flush."""
    repository = EnterpriseCopyRepository(session)
    await repository.preload([event.payload.uscc for event in events])  # type: ignore[attr-defined]
    for event in events:
        await apply(session, event, repository)
    await session.flush()


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
