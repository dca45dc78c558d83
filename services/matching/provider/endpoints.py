from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from services.matching.common import SORT_ORDER, PageLimit, as_page
from services.matching.provider import service
from services.matching.provider.models import ProviderKind, ProviderStatus
from services.matching.provider.schemas import (
    PERIOD,
    DecisionCreate,
    ProviderApply,
    ProviderPage,
    ProviderRead,
    RatingCreate,
    RatingFactsRead,
    RatingPage,
    RatingRead,
    RatingsOfProviders,
    ReviewCreate,
    ReviewPage,
    ReviewRead,
    StatusChange,
)
from szcore.auth import CurrentPrincipal
from szcore.service import DbSession

router = APIRouter(prefix="/providers", tags=["provider"])


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=ProviderRead, summary="Apply to the provider pool"
)
async def apply(data: ProviderApply, session: DbSession, principal: CurrentPrincipal) -> ProviderRead:
    return service.read(await service.apply(session, principal, data))


@router.get("", response_model=ProviderPage, summary="Providers (the roster; officials see every status)")
async def list_providers(
    session: DbSession,
    principal: CurrentPrincipal,
    status: ProviderStatus | None = None,
    kind: ProviderKind | None = None,
    industry: str | None = None,
    county: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    order: Annotated[
        Literal["id", "name", "rating_highest", "applied_newest"],
        Query(description="Sort order; keep it while paging with the cursor"),
    ] = "id",
) -> ProviderPage:
    return await service.page(
        session,
        principal,
        status=status,
        kind=kind,
        industry=industry,
        county=county,
        cursor=cursor,
        limit=limit,
        order=order,
    )


@router.get(
    "/ratings/by-provider",
    response_model=RatingsOfProviders,
    summary="Ratings of several providers, newest first (batch read by provider id)",
)
async def ratings_of_providers(
    session: DbSession,
    principal: CurrentPrincipal,
    provider_id: Annotated[list[str], Query(max_length=500)],
) -> RatingsOfProviders:
    rows = await service.ratings_of_providers(session, principal, provider_id)
    return RatingsOfProviders(items=[RatingRead.model_validate(r) for r in rows])


@router.get("/{provider_id}", response_model=ProviderRead, summary="One provider")
async def get_provider(provider_id: str, session: DbSession, principal: CurrentPrincipal) -> ProviderRead:
    return service.read(await service.get(session, principal, provider_id))


@router.post(
    "/{provider_id}/reviews",
    status_code=status.HTTP_201_CREATED,
    response_model=ReviewRead,
    summary="An expert's scoring sheet for an application",
)
async def review(
    provider_id: str, data: ReviewCreate, session: DbSession, principal: CurrentPrincipal
) -> ReviewRead:
    return ReviewRead.model_validate(await service.review(session, principal, provider_id, data))


@router.get(
    "/{provider_id}/reviews/page",
    response_model=ReviewPage,
    summary="Expert reviews of an application, keyset-paginated and sorted, with the total",
)
async def review_page(
    provider_id: str,
    session: DbSession,
    principal: CurrentPrincipal,
    cursor: str | None = None,
    limit: PageLimit = 50,
    order: Annotated[
        Literal["filed_oldest", "total_highest"], Query(description=SORT_ORDER)
    ] = "filed_oldest",
) -> ReviewPage:
    found = await service.review_page(session, principal, provider_id, order, cursor, limit)
    return as_page(ReviewPage, ReviewRead, found)


@router.get(
    "/{provider_id}/reviews", response_model=list[ReviewRead], summary="Expert reviews of an application"
)
async def reviews(provider_id: str, session: DbSession, principal: CurrentPrincipal) -> list[ReviewRead]:
    return [ReviewRead.model_validate(r) for r in await service.reviews(session, principal, provider_id)]


@router.post(
    "/{provider_id}/decision", response_model=ProviderRead, summary="Approve into public notice, or reject"
)
async def decide(
    provider_id: str, data: DecisionCreate, session: DbSession, principal: CurrentPrincipal
) -> ProviderRead:
    return service.read(await service.decide(session, principal, provider_id, data))


@router.post(
    "/{provider_id}/listing",
    response_model=ProviderRead,
    summary="List after the public notice (quota check)",
)
async def list_provider(provider_id: str, session: DbSession, principal: CurrentPrincipal) -> ProviderRead:
    return service.read(await service.list_provider(session, principal, provider_id))


@router.post(
    "/{provider_id}/confidentiality",
    response_model=ProviderRead,
    summary="Sign the confidentiality undertaking",
)
async def sign_confidentiality(
    provider_id: str, session: DbSession, principal: CurrentPrincipal
) -> ProviderRead:
    return service.read(await service.sign_confidentiality(session, principal, provider_id))


@router.post(
    "/{provider_id}/status", response_model=ProviderRead, summary="Warn, suspend, reinstate or remove"
)
async def change_status(
    provider_id: str, data: StatusChange, session: DbSession, principal: CurrentPrincipal
) -> ProviderRead:
    return service.read(await service.change_status(session, principal, provider_id, data))


@router.post(
    "/{provider_id}/ratings",
    status_code=status.HTTP_201_CREATED,
    response_model=RatingRead,
    summary="Rate a rostered provider for a period",
)
async def rate(
    provider_id: str, data: RatingCreate, session: DbSession, principal: CurrentPrincipal
) -> RatingRead:
    return RatingRead.model_validate(await service.rate(session, principal, provider_id, data))


@router.get(
    "/{provider_id}/ratings/page",
    response_model=RatingPage,
    summary="A provider's ratings, keyset-paginated and sorted, with the total",
)
async def rating_page(
    provider_id: str,
    session: DbSession,
    principal: CurrentPrincipal,
    cursor: str | None = None,
    limit: PageLimit = 50,
    order: Annotated[
        Literal["period_newest", "overall_highest"], Query(description=SORT_ORDER)
    ] = "period_newest",
) -> RatingPage:
    found = await service.rating_page(session, principal, provider_id, order, cursor, limit)
    return as_page(RatingPage, RatingRead, found)


@router.get(
    "/{provider_id}/ratings", response_model=list[RatingRead], summary="A provider's ratings, newest first"
)
async def ratings(provider_id: str, session: DbSession, principal: CurrentPrincipal) -> list[RatingRead]:
    return [RatingRead.model_validate(r) for r in await service.ratings(session, principal, provider_id)]


@router.get(
    "/{provider_id}/rating-facts",
    response_model=RatingFactsRead,
    summary="Facts behind a periodic rating (projects, on-time, results, satisfaction) and suggested scores",
)
async def rating_facts(
    provider_id: str,
    session: DbSession,
    principal: CurrentPrincipal,
    period: Annotated[str, Query(pattern=PERIOD, description="2026-11, 2026-Q4 or 2026")],
) -> RatingFactsRead:
    return await service.facts(session, principal, provider_id, period)
