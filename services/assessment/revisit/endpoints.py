from typing import Annotated, Literal

from fastapi import APIRouter, Query

from services.assessment.revisit import service
from services.assessment.revisit.models import Revisit, RevisitDraw
from services.assessment.revisit.schemas import DrawList, DrawOut, DrawRequest, FindingIn, RevisitOut
from szcore.auth import CurrentPrincipal
from szcore.service import DbSession

router = APIRouter(tags=["revisit"])


def draw_out(record: RevisitDraw, revisits: list[Revisit] | None = None) -> DrawOut:
    summary = DrawOut.model_validate(record)
    summary.revisits = [RevisitOut.model_validate(r) for r in revisits or []]
    summary.reproducible = service.reproducible(record)
    return summary


@router.post(
    "/revisit-draws",
    response_model=DrawOut,
    status_code=201,
    summary="Draw a seeded revisit sample (回头看抽查)",
)
async def create_draw(body: DrawRequest, session: DbSession, principal: CurrentPrincipal) -> DrawOut:
    record = await service.create_draw(session, principal, body)
    _, revisits = await service.get_draw(session, principal, record.id)
    return draw_out(record, list(revisits))


@router.get("/revisit-draws", response_model=DrawList, summary="Revisit draws, newest first")
async def list_draws(
    session: DbSession,
    principal: CurrentPrincipal,
    cursor: str | None = None,
    limit: Annotated[
        int | None, Query(ge=1, le=200, description="Page size; without it and a cursor, all")
    ] = None,
    order: Annotated[
        Literal["newest", "oldest"], Query(description="Sort order of a page; keep it while paging")
    ] = "newest",
) -> DrawList:
    if limit is None and cursor is None:
        return DrawList(items=[draw_out(d) for d in await service.list_draws(session, principal)])
    rows, total, next_cursor = await service.draw_page(session, principal, order, cursor, limit or 50)
    return DrawList(items=[draw_out(d) for d in rows], total=total, next_cursor=next_cursor)


@router.get("/revisit-draws/{draw_id}", response_model=DrawOut, summary="One draw with its revisits")
async def get_draw(draw_id: str, session: DbSession, principal: CurrentPrincipal) -> DrawOut:
    record, revisits = await service.get_draw(session, principal, draw_id)
    return draw_out(record, list(revisits))


@router.post(
    "/revisits/{revisit_id}/finding",
    response_model=RevisitOut,
    summary="Record a revisit finding; systems_stopped or data_falsified revokes the pilot status",
)
async def record_finding(
    revisit_id: str, body: FindingIn, session: DbSession, principal: CurrentPrincipal
) -> RevisitOut:
    return RevisitOut.model_validate(await service.record_finding(session, principal, revisit_id, body))
