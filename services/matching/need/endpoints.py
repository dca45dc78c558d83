from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from services.matching.need import service
from services.matching.need.schemas import CommonNeedList, NeedCreate, NeedPage, NeedRead, NeedsOfEnterprises
from szcore.auth import CurrentPrincipal
from szcore.service import DbSession

router = APIRouter(tags=["need"])


@router.get(
    "/common-needs/{industry_code}", response_model=CommonNeedList, summary="An industry's common (N) list"
)
async def common_needs(industry_code: str, session: DbSession, principal: CurrentPrincipal) -> CommonNeedList:
    return await service.common_list(session, industry_code)


@router.get(
    "/needs/by-enterprise",
    response_model=NeedsOfEnterprises,
    summary="N+X needs of several enterprises (batch read by USCC)",
)
async def needs_of_enterprises(
    session: DbSession, principal: CurrentPrincipal, uscc: Annotated[list[str], Query(max_length=500)]
) -> NeedsOfEnterprises:
    rows = await service.of_enterprises(session, principal, uscc)
    return NeedsOfEnterprises(items=[NeedRead.model_validate(n) for n in rows])


@router.get(
    "/enterprises/{uscc}/needs/page",
    response_model=NeedPage,
    summary="An enterprise's N+X needs, keyset-paginated and sorted, with the total",
)
async def need_page(
    uscc: str,
    session: DbSession,
    principal: CurrentPrincipal,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    order: Annotated[
        Literal["scenario", "created_newest"],
        Query(description="Sort order; keep it while paging with the cursor"),
    ] = "scenario",
) -> NeedPage:
    rows, total, next_cursor = await service.page(session, principal, uscc, order, cursor, limit)
    return NeedPage(items=[NeedRead.model_validate(n) for n in rows], total=total, next_cursor=next_cursor)


@router.get("/enterprises/{uscc}/needs", response_model=list[NeedRead], summary="An enterprise's N+X needs")
async def needs(uscc: str, session: DbSession, principal: CurrentPrincipal) -> list[NeedRead]:
    return [NeedRead.model_validate(n) for n in await service.of(session, principal, uscc)]


@router.post(
    "/enterprises/{uscc}/needs",
    status_code=status.HTTP_201_CREATED,
    response_model=NeedRead,
    summary="Adopt a common need or state an individual one",
)
async def add_need(uscc: str, data: NeedCreate, session: DbSession, principal: CurrentPrincipal) -> NeedRead:
    return NeedRead.model_validate(await service.add(session, principal, uscc, data))


@router.post("/needs/{need_id}/close", response_model=NeedRead, summary="Close a need (met or withdrawn)")
async def close_need(need_id: str, session: DbSession, principal: CurrentPrincipal) -> NeedRead:
    return NeedRead.model_validate(await service.close(session, principal, need_id))
