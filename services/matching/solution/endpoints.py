from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from services.matching.common import SORT_ORDER, PageLimit, as_page
from services.matching.provider.schemas import ReviewCreate
from services.matching.solution import service
from services.matching.solution.models import SolutionStatus
from services.matching.solution.schemas import (
    ExcellentCreate,
    SolutionCreate,
    SolutionDecision,
    SolutionPage,
    SolutionRatingCreate,
    SolutionRatingPage,
    SolutionRatingRead,
    SolutionRead,
    SolutionReviewPage,
    SolutionReviewRead,
    SolutionsOfProviders,
)
from szcore.auth import CurrentPrincipal
from szcore.service import DbSession

router = APIRouter(prefix="/solutions", tags=["solution"])


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=SolutionRead, summary="Submit a 小快轻准 solution"
)
async def submit(data: SolutionCreate, session: DbSession, principal: CurrentPrincipal) -> SolutionRead:
    return service.read(await service.submit(session, principal, data))


@router.get(
    "", response_model=SolutionPage, summary="The catalogue (officials and the owner see every status)"
)
async def list_solutions(
    session: DbSession,
    principal: CurrentPrincipal,
    status: SolutionStatus | None = None,
    provider_id: str | None = None,
    scenario: str | None = None,
    industry: str | None = None,
    excellent_year: int | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    order: Annotated[
        Literal["id", "name", "price_lowest", "submitted_newest"],
        Query(description="Sort order; keep it while paging with the cursor"),
    ] = "id",
) -> SolutionPage:
    return await service.page(
        session,
        principal,
        status=status,
        provider_id=provider_id,
        scenario=scenario,
        industry=industry,
        excellent_year=excellent_year,
        cursor=cursor,
        limit=limit,
        order=order,
    )


@router.get(
    "/by-provider",
    response_model=SolutionsOfProviders,
    summary="Solutions of several providers (batch read by provider id)",
)
async def solutions_of_providers(
    session: DbSession,
    principal: CurrentPrincipal,
    provider_id: Annotated[list[str], Query(max_length=500)],
) -> SolutionsOfProviders:
    return SolutionsOfProviders(items=await service.of_providers(session, principal, provider_id))


@router.get("/{solution_id}", response_model=SolutionRead, summary="One solution")
async def get_solution(solution_id: str, session: DbSession, principal: CurrentPrincipal) -> SolutionRead:
    return service.read(await service.get(session, principal, solution_id))


@router.post(
    "/{solution_id}/reviews",
    status_code=status.HTTP_201_CREATED,
    response_model=SolutionReviewRead,
    summary="An expert's scoring sheet for a submitted product",
)
async def review(
    solution_id: str, data: ReviewCreate, session: DbSession, principal: CurrentPrincipal
) -> SolutionReviewRead:
    return SolutionReviewRead.model_validate(await service.review(session, principal, solution_id, data))


@router.get(
    "/{solution_id}/reviews/page",
    response_model=SolutionReviewPage,
    summary="Expert reviews of a product, keyset-paginated and sorted, with the total",
)
async def review_page(
    solution_id: str,
    session: DbSession,
    principal: CurrentPrincipal,
    cursor: str | None = None,
    limit: PageLimit = 50,
    order: Annotated[
        Literal["filed_oldest", "total_highest"], Query(description=SORT_ORDER)
    ] = "filed_oldest",
) -> SolutionReviewPage:
    found = await service.review_page(session, principal, solution_id, order, cursor, limit)
    return as_page(SolutionReviewPage, SolutionReviewRead, found)


@router.get(
    "/{solution_id}/reviews", response_model=list[SolutionReviewRead], summary="Expert reviews of a product"
)
async def reviews(
    solution_id: str, session: DbSession, principal: CurrentPrincipal
) -> list[SolutionReviewRead]:
    return [
        SolutionReviewRead.model_validate(r) for r in await service.reviews(session, principal, solution_id)
    ]


@router.post("/{solution_id}/listing", response_model=SolutionRead, summary="List after the public notice")
async def list_solution(solution_id: str, session: DbSession, principal: CurrentPrincipal) -> SolutionRead:
    return service.read(await service.list_solution(session, principal, solution_id))


@router.post(
    "/{solution_id}/decision",
    response_model=SolutionRead,
    summary="Approve into public notice, reject or delist",
)
async def decide(
    solution_id: str, data: SolutionDecision, session: DbSession, principal: CurrentPrincipal
) -> SolutionRead:
    return service.read(await service.decide(session, principal, solution_id, data))


@router.post(
    "/{solution_id}/ratings",
    status_code=status.HTTP_201_CREATED,
    response_model=SolutionRatingRead,
    summary="Rate a product after use",
)
async def rate(
    solution_id: str, data: SolutionRatingCreate, session: DbSession, principal: CurrentPrincipal
) -> SolutionRatingRead:
    return SolutionRatingRead.model_validate(await service.rate(session, principal, solution_id, data))


@router.get(
    "/{solution_id}/ratings/page",
    response_model=SolutionRatingPage,
    summary="Ratings of a product, keyset-paginated and sorted, with the total",
)
async def rating_page(
    solution_id: str,
    session: DbSession,
    principal: CurrentPrincipal,
    cursor: str | None = None,
    limit: PageLimit = 50,
    order: Annotated[
        Literal["rated_oldest", "rated_newest", "score_highest", "score_lowest"],
        Query(description=SORT_ORDER),
    ] = "rated_oldest",
) -> SolutionRatingPage:
    found = await service.rating_page(session, principal, solution_id, order, cursor, limit)
    return as_page(SolutionRatingPage, SolutionRatingRead, found)


@router.get("/{solution_id}/ratings", response_model=list[SolutionRatingRead], summary="Ratings of a product")
async def ratings(
    solution_id: str, session: DbSession, principal: CurrentPrincipal
) -> list[SolutionRatingRead]:
    return [
        SolutionRatingRead.model_validate(r) for r in await service.ratings(session, principal, solution_id)
    ]


@router.post(
    "/{solution_id}/excellent", response_model=SolutionRead, summary="Select as excellent for a year"
)
async def excellent(
    solution_id: str, data: ExcellentCreate, session: DbSession, principal: CurrentPrincipal
) -> SolutionRead:
    return service.read(await service.select_excellent(session, principal, solution_id, data))
