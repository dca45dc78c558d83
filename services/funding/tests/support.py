"""Builders shared by the funding tests: read copies seeded through the real event handlers."""

import uuid
from datetime import UTC, date, datetime
from typing import Any

import httpx
from google.protobuf.message import Message
from shuzhuan.events.v1.assessment_pb2 import AcceptanceEvaluated, PilotStatusRevoked
from shuzhuan.events.v1.enrollment_pb2 import DesignationAwarded, EnterpriseAdmitted, EnterpriseRegistered
from shuzhuan.events.v1.matching_pb2 import ContractSigned, ProviderListed
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.claim.service import apply_pilot_status_revoked
from services.funding.enterprise import service as copies
from szcore.auth import Role
from szcore.events import Event, new_envelope, to_timestamp

WAN = 1_000_000
COUNTY = "410702"
OTHER_COUNTY = "410703"
PROVIDER_USCC = "91410700PROVIDER01"


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 8, tzinfo=UTC)


def event(payload: Message, producer: str) -> Event:
    return Event(
        new_envelope(payload, producer=producer, aggregate_type="test", aggregate_id="test"), payload
    )


def new_uscc() -> str:
    return ("9141070" + uuid.uuid4().hex.upper())[:18]


def key() -> dict[str, str]:
    return {"idempotency-key": uuid.uuid4().hex}


async def seed_enterprise(
    session: AsyncSession,
    uscc: str,
    *,
    county: str = COUNTY,
    level: int = 3,
    accepted: date = date(2025, 6, 1),
    contract: str | None = None,
    designations: tuple[str, ...] = (),
) -> None:
    registered = EnterpriseRegistered(
        uscc=uscc, name=f"企业{uscc[-4:]}", county_code=county, industry_code="C34", size_class=1
    )
    registered.registered_at.CopyFrom(to_timestamp(at(date(2024, 10, 1))))
    await copies.apply_enterprise_event(session, event(registered, "enrollment"))
    admitted = EnterpriseAdmitted(uscc=uscc, county_code=county, programme_id="xx", batch_number=1)
    admitted.admitted_at.CopyFrom(to_timestamp(at(date(2024, 11, 1))))
    await copies.apply_enterprise_event(session, event(admitted, "enrollment"))
    await copies.apply_provider_listed(
        session, event(ProviderListed(provider_id="prov-1", uscc=PROVIDER_USCC, name="服务商"), "matching")
    )
    if contract:
        signed = ContractSigned(
            contract_id=contract,
            project_id=f"proj-{uscc}",
            uscc=uscc,
            provider_id="prov-1",
            amount_fen=150 * WAN,
        )
        signed.signed_on.CopyFrom(to_timestamp(at(date(2024, 12, 1))))
        signed.starts_on.CopyFrom(to_timestamp(at(date(2024, 12, 1))))
        signed.ends_on.CopyFrom(to_timestamp(at(date(2025, 5, 31))))
        await copies.apply_contract_signed(session, event(signed, "matching"))
    if level:
        evaluated = AcceptanceEvaluated(
            assessment_id=f"acc-{uscc}", uscc=uscc, project_id=f"proj-{uscc}", level=level, level_before=1
        )
        evaluated.evaluated_at.CopyFrom(to_timestamp(at(accepted)))
        await copies.apply_acceptance_evaluated(session, event(evaluated, "assessment"))
    for kind in designations:
        awarded = DesignationAwarded(designation_id=f"{kind}-{uscc}", uscc=uscc, kind=kind, source="city")
        awarded.awarded_on.CopyFrom(to_timestamp(at(accepted)))
        await copies.apply_designation_awarded(session, event(awarded, "enrollment"))


async def revoke(session: AsyncSession, uscc: str) -> Event:
    revoked = PilotStatusRevoked(revisit_id="r1", uscc=uscc, finding="data_falsified")
    revoked.revoked_at.CopyFrom(to_timestamp(at(date(2026, 1, 1))))
    evt = event(revoked, "assessment")
    await apply_pilot_status_revoked(session, evt)
    return evt


def invoice(
    number: str, amount: int, *, day: date = date(2025, 3, 1), category: str = "software"
) -> dict[str, Any]:
    return {
        "number": number,
        "amount_fen": amount,
        "issued_on": day.isoformat(),
        "payee_uscc": PROVIDER_USCC,
        "payee_name": "服务商",
        "category": category,
    }


def claim_body(uscc: str, invoices: list[dict[str, Any]], claimed: int, **extra: Any) -> dict[str, Any]:
    return {
        "uscc": uscc,
        "policy_key": "xinxiang",
        "contract_id": f"c-{uscc}",
        "claimed_fen": claimed,
        "invoices": invoices,
        "attachments": [{"sha256": "a" * 64, "filename": "invoice.pdf", "size_bytes": 1000}],
        **extra,
    }


async def setup_policy_and_sources(
    client: httpx.AsyncClient, tokens: Any, policy: str = "xinxiang", amounts: dict[str, int] | None = None
) -> None:
    city = tokens.headers(Role.city_admin)
    assert (await client.post(f"/policies/from-preset/{policy}", headers=city)).status_code == 201
    amounts = amounts if amounts is not None else {"central": 500 * WAN, "city": 500 * WAN}
    for level, amount in amounts.items():
        body = {"source_id": f"{policy}-{level}", "level": level, "name": level, "policy_key": policy}
        if level == "county":
            body["county_code"] = COUNTY
        assert (await client.post("/funding-sources", json=body, headers=city)).status_code == 201
        if amount:
            response = await client.post(
                f"/funding-sources/{policy}-{level}/allocations",
                json={"fiscal_year": 2025, "amount_fen": amount},
                headers=city | key(),
            )
            assert response.status_code == 200, response.text


async def claim_through_audit(
    client: httpx.AsyncClient, tokens: Any, body: dict[str, Any], county: str = COUNTY
) -> str:
    submitted = await client.post(
        "/claims", json=body, headers=tokens.headers(Role.enterprise, uscc=body["uscc"]) | key()
    )
    assert submitted.status_code == 201, submitted.text
    claim_id = submitted.json()["claim_id"]
    steps = [
        (
            "/reviews",
            {"step": "county", "decision": "approve"},
            tokens.headers(Role.county_admin, county=county),
        ),
        ("/reviews", {"step": "city", "decision": "approve"}, tokens.headers(Role.city_admin)),
        ("/audit", {"result": "passed"}, tokens.headers(Role.auditor)),
    ]
    for path, step_body, headers in steps:
        response = await client.post(f"/claims/{claim_id}{path}", json=step_body, headers=headers)
        assert response.status_code == 200, response.text
    return str(claim_id)
