"""Revisits (回头看): draw a reproducible sample of accepted enterprises, record findings, revoke."""

import secrets
import uuid
from collections.abc import Sequence

from shuzhuan.events.v1.enrollment_pb2 import EnterpriseAdmitted
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.db import audit_log
from services.assessment.enterprise.repository import EnterpriseCopyRepository
from services.assessment.revisit import auth, draw, events
from services.assessment.revisit.models import AdmissionCopy, Revisit, RevisitDraw
from services.assessment.revisit.repository import DRAW_ORDERS, RevisitRepository
from services.assessment.revisit.schemas import REVOKING, DrawRequest, FindingIn
from szcore.auth import Principal
from szcore.errors import conflict, forbidden, not_found
from szcore.events import Event, from_timestamp
from szcore.types import utcnow


async def apply_enterprise_admitted(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    assert isinstance(payload, EnterpriseAdmitted)
    await RevisitRepository(session).upsert_admission(
        AdmissionCopy(
            uscc=payload.uscc,
            programme_id=payload.programme_id,
            batch_id=payload.batch_id,
            batch_number=payload.batch_number,
            admitted_at=from_timestamp(payload.admitted_at),
        )
    )


async def create_draw(session: AsyncSession, principal: Principal, body: DrawRequest) -> RevisitDraw:
    if not auth.can_draw(principal):
        raise forbidden("role_not_allowed", "Only the city draws revisit samples")
    repository = RevisitRepository(session)
    accepted = dict(await repository.accepted(body.batch_id, body.county_code))
    population = sorted(accepted)
    size = draw.sample_size(len(population), body.sample_size, body.sample_percent)
    seed = body.seed or secrets.token_hex(8)
    drawn = draw.draw(population, size, seed)
    now = utcnow()
    record = RevisitDraw(
        id=str(uuid.uuid4()),
        label=body.label,
        seed=seed,
        sample_size=size,
        batch_id=body.batch_id,
        county_code=body.county_code,
        population=population,
        drawn=drawn,
        drawn_by=principal.subject,
        drawn_at=now,
    )
    revisits = [
        Revisit(
            id=str(uuid.uuid4()),
            draw_id=record.id,
            uscc=uscc,
            county_code=accepted[uscc],
            status="pending",
            detail="",
            revoked=False,
        )
        for uscc in drawn
    ]
    await repository.add(record, *revisits)
    await audit_log.append(
        session,
        actor=principal,
        action="revisit_drawn",
        entity_type="revisit_draw",
        entity_id=record.id,
        data={"seed": seed, "population": len(population), "drawn": drawn},
    )
    return record


async def get_draw(
    session: AsyncSession, principal: Principal, draw_id: str
) -> tuple[RevisitDraw, Sequence[Revisit]]:
    if not auth.can_read(principal):
        raise forbidden("role_not_allowed", "You may not read revisits")
    repository = RevisitRepository(session)
    record = await repository.draw(draw_id)
    if record is None:
        raise not_found("revisit_draw_not_found", f"No revisit draw {draw_id}")
    return record, await repository.revisits(draw_id, auth.county_scope(principal))


async def list_draws(session: AsyncSession, principal: Principal) -> Sequence[RevisitDraw]:
    if not auth.can_read(principal):
        raise forbidden("role_not_allowed", "You may not read revisits")
    return await RevisitRepository(session).draws()


async def draw_page(
    session: AsyncSession, principal: Principal, order: str, cursor: str | None, limit: int
) -> tuple[list[RevisitDraw], int, str | None]:
    if not auth.can_read(principal):
        raise forbidden("role_not_allowed", "You may not read revisits")
    return await RevisitRepository(session).draw_page(DRAW_ORDERS[order], cursor, limit)


def reproducible(record: RevisitDraw) -> bool:
    return draw.draw(record.population, record.sample_size, record.seed) == list(record.drawn)


async def record_finding(
    session: AsyncSession, principal: Principal, revisit_id: str, body: FindingIn
) -> Revisit:
    if not auth.can_record(principal):
        raise forbidden("role_not_allowed", "Evaluators, experts or the city record revisit findings")
    revisit = await RevisitRepository(session).revisit(revisit_id)
    if revisit is None:
        raise not_found("revisit_not_found", f"No revisit {revisit_id}")
    if revisit.status != "pending":
        raise conflict("revisit_already_recorded", "The finding is recorded; findings are not changed")
    now = utcnow()
    revisit.status = "recorded"
    revisit.finding = body.finding
    revisit.detail = body.detail
    revisit.revoked = body.finding in REVOKING
    revisit.recorded_by = principal.subject
    revisit.recorded_at = now
    await session.flush()
    await audit_log.append(
        session,
        actor=principal,
        action="revisit_recorded",
        entity_type="revisit",
        entity_id=revisit.id,
        data={"uscc": revisit.uscc, "finding": body.finding, "revoked": revisit.revoked},
    )
    if revisit.revoked:
        enterprise = await EnterpriseCopyRepository(session).get(revisit.uscc)
        if enterprise is not None:
            enterprise.pilot_revoked_at = now
            await session.flush()
        await events.pilot_status_revoked(session, revisit)
    return revisit
