from typing import Annotated

from fastapi import APIRouter, Query

from services.funding.performance import service
from szcore.auth import CurrentPrincipal
from szcore.service import DbSession
from szcore.stats import StatsRead

router = APIRouter(prefix="/stats", tags=["stats"])

Scope = Annotated[
    str, Query(pattern="^(county|ranking)$", description="ranking: every county's aggregates (晾晒)")
]


@router.get(
    "/performance",
    response_model=StatsRead,
    summary="Programme performance metrics (funds allocated and paid by source) per county and quarter",
)
async def performance(
    session: DbSession, principal: CurrentPrincipal, programme: str | None = None, scope: Scope = "county"
) -> StatsRead:
    return await service.performance(session, principal, programme, scope)
