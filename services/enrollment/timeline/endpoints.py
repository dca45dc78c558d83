from typing import Annotated

from fastapi import APIRouter, Query

from services.enrollment.timeline import service
from services.enrollment.timeline.schemas import Timeline
from szcore.auth import CurrentPrincipal
from szcore.service import DbSession

router = APIRouter(prefix="/enterprises", tags=["timeline"])


@router.get(
    "/{uscc}/timeline",
    response_model=Timeline,
    summary="The dossier's timeline: its changes, admission steps, assessments, projects and money",
)
async def enterprise_timeline(
    uscc: str,
    session: DbSession,
    principal: CurrentPrincipal,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Timeline:
    items = await service.timeline_of(session, principal, uscc, limit)
    return Timeline(uscc=uscc.strip().upper(), items=items)
