from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from services.matching.activity import service
from services.matching.activity.models import ActivityKind
from services.matching.activity.schemas import (
    ActivityCreate,
    ActivityPage,
    ActivityRead,
    ActivityStats,
    AttendanceRecord,
    OutcomeRecord,
    RegistrationCreate,
    RegistrationPage,
    RegistrationRead,
)
from szcore.auth import CurrentPrincipal
from szcore.service import DbSession

router = APIRouter(prefix="/activities", tags=["activity"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ActivityRead,
    summary="Plan a matchmaking meeting, training or site visit",
)
async def create(data: ActivityCreate, session: DbSession, principal: CurrentPrincipal) -> ActivityRead:
    [read] = await service.read(session, [await service.create(session, principal, data)])
    return read


@router.get("", response_model=ActivityPage, summary="Activities (a county sees its own and city-wide ones)")
async def list_activities(
    session: DbSession,
    principal: CurrentPrincipal,
    programme: str | None = None,
    kind: ActivityKind | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    order: Annotated[
        Literal["id", "starts_soonest", "starts_latest", "created_newest"],
        Query(description="Sort order; keep it while paging with the cursor"),
    ] = "id",
) -> ActivityPage:
    return await service.page(
        session, principal, programme=programme, kind=kind, cursor=cursor, limit=limit, order=order
    )


@router.get("/stats", response_model=ActivityStats, summary="Counts toward the targets, per kind of activity")
async def stats(session: DbSession, principal: CurrentPrincipal, programme: str = "default") -> ActivityStats:
    return await service.stats(session, principal, programme)


@router.get("/{activity_id}", response_model=ActivityRead, summary="One activity with sign-up counts")
async def get_activity(activity_id: str, session: DbSession, principal: CurrentPrincipal) -> ActivityRead:
    [read] = await service.read(session, [await service.get(session, principal, activity_id)])
    return read


@router.get(
    "/{activity_id}/registrations/page",
    response_model=RegistrationPage,
    summary="Sign-ups (organiser), keyset-paginated, with the total",
)
async def registration_page(
    activity_id: str,
    session: DbSession,
    principal: CurrentPrincipal,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    order: Annotated[
        Literal["signed_oldest", "signed_newest"], Query(description="Sort order; keep it while paging")
    ] = "signed_oldest",
) -> RegistrationPage:
    rows, total, next_cursor = await service.registration_page(
        session, principal, activity_id, order, cursor, limit
    )
    return RegistrationPage(
        items=[RegistrationRead.model_validate(r) for r in rows], total=total, next_cursor=next_cursor
    )


@router.get(
    "/{activity_id}/registrations", response_model=list[RegistrationRead], summary="Sign-ups (organiser)"
)
async def registrations(
    activity_id: str, session: DbSession, principal: CurrentPrincipal
) -> list[RegistrationRead]:
    return [
        RegistrationRead.model_validate(r)
        for r in await service.registrations(session, principal, activity_id)
    ]


@router.post(
    "/{activity_id}/registrations",
    status_code=status.HTTP_201_CREATED,
    response_model=RegistrationRead,
    summary="Sign up",
)
async def register(
    activity_id: str, data: RegistrationCreate, session: DbSession, principal: CurrentPrincipal
) -> RegistrationRead:
    return RegistrationRead.model_validate(await service.register(session, principal, activity_id, data))


@router.post(
    "/{activity_id}/attendance", response_model=list[RegistrationRead], summary="Record who attended"
)
async def attendance(
    activity_id: str, data: AttendanceRecord, session: DbSession, principal: CurrentPrincipal
) -> list[RegistrationRead]:
    rows = await service.record_attendance(session, principal, activity_id, data)
    return [RegistrationRead.model_validate(r) for r in rows]


@router.post(
    "/{activity_id}/outcome", response_model=ActivityRead, summary="Record the outcome; the activity is held"
)
async def outcome(
    activity_id: str, data: OutcomeRecord, session: DbSession, principal: CurrentPrincipal
) -> ActivityRead:
    [read] = await service.read(
        session, [await service.record_outcome(session, principal, activity_id, data)]
    )
    return read
