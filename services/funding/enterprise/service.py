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
from services.funding.enterprise.repository import ADMIT, REGISTER, UPDATE, EnterpriseCopyRepository
from szcore.auth import Principal
from szcore.errors import not_found
from szcore.events import Event, from_timestamp
from szcore.readcopy import ReadCopy, Upsert


def _size_class(value: int) -> str:
    return SizeClass.Name(value).removeprefix("SIZE_CLASS_").lower()


def category_name(value: int) -> str:
    return SpendingCategory.Name(value).removeprefix("SPENDING_CATEGORY_").lower()


def _optional_time(message: Any, field: str) -> datetime | None:
    return from_timestamp(getattr(message, field)) if message.HasField(field) else None


def _enterprise(
    upsert: Upsert, uscc: str, values: dict[str, Any], seen_at: datetime, now: datetime
) -> tuple[Upsert, dict[str, Any]]:
    """Events may arrive in any order: a copy first made from a later event is completed by the others
    (the blanks below are only inserted, never written over an existing copy)."""
    row = {
        "uscc": uscc,
        "name": "",
        "county_code": "",
        "industry_code": "",
        "size_class": "unspecified",
        "registered_at": seen_at,
        "paid_fen": 0,
        **values,
        "copied_at": now,
    }
    return upsert, row


def _identity(payload: EnterpriseRegistered | EnterpriseUpdated) -> dict[str, Any]:
    return {
        "name": payload.name,
        "county_code": payload.county_code,
        "industry_code": payload.industry_code,
        "size_class": _size_class(payload.size_class),
    }


def registered(payload: EnterpriseRegistered, now: datetime) -> tuple[Upsert, dict[str, Any]]:
    registered_at = from_timestamp(payload.registered_at)
    values = _identity(payload) | {"registered_at": registered_at}
    return _enterprise(REGISTER, payload.uscc, values, registered_at, now)


def updated(payload: EnterpriseUpdated, now: datetime) -> tuple[Upsert, dict[str, Any]]:
    """An older update delivered late leaves the copy as it is (UPDATE compares dossier versions)."""
    values = _identity(payload) | {
        "pilot_industry": payload.pilot_industry,
        "srdi_status": payload.srdi_status or "none",
        "cloud_adopted": payload.cloud_adopted,
        "dossier_version": payload.version,
    }
    return _enterprise(UPDATE, payload.uscc, values, from_timestamp(payload.changed_at), now)


def admitted(payload: EnterpriseAdmitted, now: datetime) -> tuple[Upsert, dict[str, Any]]:
    """A blank pilot industry keeps the copy's (ADMIT leaves it unless given)."""
    values = {
        "admitted_at": from_timestamp(payload.admitted_at),
        "programme_id": payload.programme_id,
        "batch_number": payload.batch_number,
        "county_code": payload.county_code,
        "pilot_industry": payload.pilot_industry,
    }
    return _enterprise(ADMIT, payload.uscc, values, values["admitted_at"], now)


enterprise_copy = ReadCopy(
    {"EnterpriseRegistered": registered, "EnterpriseUpdated": updated, "EnterpriseAdmitted": admitted}
)
apply_enterprise_event = enterprise_copy.apply
apply_enterprise_events = enterprise_copy.apply_batch


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
