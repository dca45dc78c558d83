from typing import Annotated, Literal

from fastapi import APIRouter, Query

from services.matching.matching import service
from services.matching.matching.schemas import MatchResult, ProspectList, ProspectPage
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


@router.get(
    "/providers/{provider_id}/prospects/page",
    response_model=ProspectPage,
    summary="Reverse view, keyset-paginated (most matched scenarios first), with the total",
)
async def prospect_page(
    provider_id: str,
    session: DbSession,
    principal: CurrentPrincipal,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    order: Annotated[
        Literal["matched_most"], Query(description="Sort order (one today); keep it while paging")
    ] = "matched_most",
) -> ProspectPage:
    return await service.prospect_page(session, principal, provider_id, cursor, limit)
