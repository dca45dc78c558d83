import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from shuzhuan.events.v1.assessment_pb2 import AcceptanceEvaluated
from shuzhuan.events.v1.enrollment_pb2 import (
    DesignationAwarded,
    EnterpriseAdmitted,
    EnterpriseRegistered,
    EnterpriseUpdated,
    SizeClass,
)
from shuzhuan.events.v1.matching_pb2 import ContractSigned, ProviderListed, SpendingCategory
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.enterprise import auth
from services.funding.enterprise.models import (
    AcceptanceCopy,
    ContractCopy,
    DesignationCopy,
    EnterpriseCopy,
    ProviderCopy,
)
from services.funding.enterprise.repository import EnterpriseCopyRepository
from szcore.auth import Principal
from szcore.errors import not_found
from szcore.events import Event, from_timestamp
from szcore.types import utcnow


def _size_class(value: int) -> str:
    return SizeClass.Name(value).removeprefix("SIZE_CLASS_").lower()


def category_name(value: int) -> str:
    return SpendingCategory.Name(value).removeprefix("SPENDING_CATEGORY_").lower()


def _optional_time(message: Any, field: str) -> datetime | None:
    return from_timestamp(getattr(message, field)) if message.HasField(field) else None


async def _upsert_enterprise(
    repository: EnterpriseCopyRepository, uscc: str, values: dict[str, Any], seen_at: datetime
) -> None:
    """Events may arrive in any order: a copy first made from a later event is completed by the others."""
    if await repository.get(uscc) is None:
        values = {
            "name": "",
            "county_code": "",
            "industry_code": "",
            "size_class": "unspecified",
            "registered_at": seen_at,
            "paid_fen": 0,
            **values,
        }
    await repository.upsert(uscc, {**values, "copied_at": utcnow()})


async def apply_enterprise_registered(
    session: AsyncSession, event: Event, repository: EnterpriseCopyRepository | None = None
) -> None:
    payload = event.payload
    assert isinstance(payload, EnterpriseRegistered)
    await _upsert_enterprise(
        repository or EnterpriseCopyRepository(session),
        payload.uscc,
        {
            "name": payload.name,
            "county_code": payload.county_code,
            "industry_code": payload.industry_code,
            "size_class": _size_class(payload.size_class),
            "registered_at": from_timestamp(payload.registered_at),
        },
        from_timestamp(payload.registered_at),
    )


async def apply_enterprise_updated(
    session: AsyncSession, event: Event, repository: EnterpriseCopyRepository | None = None
) -> None:
    payload = event.payload
    assert isinstance(payload, EnterpriseUpdated)
    repository = repository or EnterpriseCopyRepository(session)
    existing = await repository.get(payload.uscc)
    if existing is not None and existing.dossier_version > payload.version:
        return  # an older update delivered late
    await _upsert_enterprise(
        repository,
        payload.uscc,
        {
            "name": payload.name,
            "county_code": payload.county_code,
            "industry_code": payload.industry_code,
            "size_class": _size_class(payload.size_class),
            "pilot_industry": payload.pilot_industry,
            "srdi_status": payload.srdi_status or "none",
            "cloud_adopted": payload.cloud_adopted,
            "dossier_version": payload.version,
        },
        from_timestamp(payload.changed_at),
    )


async def apply_enterprise_admitted(
    session: AsyncSession, event: Event, repository: EnterpriseCopyRepository | None = None
) -> None:
    payload = event.payload
    assert isinstance(payload, EnterpriseAdmitted)
    values: dict[str, Any] = {
        "admitted_at": from_timestamp(payload.admitted_at),
        "programme_id": payload.programme_id,
        "batch_number": payload.batch_number,
        "county_code": payload.county_code,
    }
    if payload.pilot_industry:
        values["pilot_industry"] = payload.pilot_industry
    await _upsert_enterprise(
        repository or EnterpriseCopyRepository(session),
        payload.uscc,
        values,
        from_timestamp(payload.admitted_at),
    )


_ENTERPRISE_HANDLERS = {
    "EnterpriseRegistered": apply_enterprise_registered,
    "EnterpriseUpdated": apply_enterprise_updated,
    "EnterpriseAdmitted": apply_enterprise_admitted,
}


async def apply_enterprise_event(session: AsyncSession, event: Event) -> None:
    await _ENTERPRISE_HANDLERS[event.event_type](session, event)


async def apply_enterprise_events(session: AsyncSession, events: list[Event]) -> None:
    """A batch in stream order: one SELECT of the copies involved, the same rules per event, one flush."""
    repository = EnterpriseCopyRepository(session)
    await repository.preload([event.payload.uscc for event in events])  # type: ignore[attr-defined]
    for event in events:
        await _ENTERPRISE_HANDLERS[event.event_type](session, event, repository)
    await session.flush()


async def apply_designation_awarded(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    assert isinstance(payload, DesignationAwarded)
    await EnterpriseCopyRepository(session).upsert_row(
        DesignationCopy,
        payload.designation_id,
        {
            "uscc": payload.uscc,
            "kind": payload.kind,
            "case_id": payload.case_id,
            "awarded_on": from_timestamp(payload.awarded_on),
            "source": payload.source,
        },
    )


async def apply_acceptance_evaluated(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    assert isinstance(payload, AcceptanceEvaluated)
    await EnterpriseCopyRepository(session).upsert_row(
        AcceptanceCopy,
        payload.assessment_id,
        {
            "uscc": payload.uscc,
            "project_id": payload.project_id,
            "level": payload.level,
            "level_before": payload.level_before,
            "evaluated_at": from_timestamp(payload.evaluated_at),
        },
    )


async def apply_contract_signed(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    assert isinstance(payload, ContractSigned)
    lines = [
        {
            "category": category_name(line.category),
            "amount_fen": line.amount_fen,
            "description": line.description,
        }
        for line in payload.lines
    ]
    await EnterpriseCopyRepository(session).upsert_row(
        ContractCopy,
        payload.contract_id,
        {
            "project_id": payload.project_id,
            "uscc": payload.uscc,
            "provider_id": payload.provider_id,
            "amount_fen": payload.amount_fen,
            "lines_json": json.dumps(lines, ensure_ascii=False),
            "signed_on": from_timestamp(payload.signed_on),
            "starts_on": _optional_time(payload, "starts_on"),
            "ends_on": _optional_time(payload, "ends_on"),
        },
    )


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


async def apply_provider_listed(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    assert isinstance(payload, ProviderListed)
    await EnterpriseCopyRepository(session).upsert_row(
        ProviderCopy, payload.provider_id, {"uscc": payload.uscc, "name": payload.name}
    )
