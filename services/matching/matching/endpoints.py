from typing import Annotated

from fastapi import APIRouter, Query

from services.matching.matching import service
from services.matching.matching.schemas import MatchResult, ProspectList
from szcore.auth import CurrentPrincipal
from szcore.service import DbSession

router = APIRouter(tags=["matching"])


@router.get(
    "/enterprises/{uscc}/matches",
    response_model=MatchResult,
    summary="Ranked solutions and providers for an enterprise's needs, explained per factor",
)
async def matches(
    uscc: str,
    session: DbSession,
    principal: CurrentPrincipal,
    programme: Annotated[str, Query(pattern=r"^[A-Za-z0-9_.-]{1,64}$")] = "default",
    budget_fen: Annotated[int | None, Query(ge=0, le=10**12)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> MatchResult:
    return await service.match(session, principal, uscc, programme, budget_fen, limit)


@router.get(
    "/providers/{provider_id}/prospects",
    response_model=ProspectList,
    summary="Reverse view: enterprises in my counties whose needs my products fit",
)
async def prospects(provider_id: str, session: DbSession, principal: CurrentPrincipal) -> ProspectList:
    return await service.prospects(session, principal, provider_id)
