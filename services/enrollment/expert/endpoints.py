from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from services.enrollment.application import service as application_service
from services.enrollment.expert import service
from services.enrollment.expert.models import Expert, ExpertLink
from services.enrollment.expert.schemas import (
    DrawCreate,
    DrawRead,
    ExpertCreate,
    ExpertList,
    ExpertRead,
    LinkCreate,
    LinkRead,
)
from szcore.auth import CurrentPrincipal
from szcore.service import DbSession

router = APIRouter(tags=["expert pool"])


def read(expert: Expert, links: list[ExpertLink]) -> ExpertRead:
    return ExpertRead.model_validate(
        {
            **{
                c: getattr(expert, c)
                for c in ("id", "name", "employer", "employer_uscc", "fields", "active", "created_at")
            },
            "links": [LinkRead.model_validate(link) for link in links],
        }
    )


@router.post(
    "/experts",
    status_code=status.HTTP_201_CREATED,
    response_model=ExpertRead,
    summary="Add an expert to the pool",
)
async def create_expert(data: ExpertCreate, session: DbSession, principal: CurrentPrincipal) -> ExpertRead:
    return read(await service.create(session, principal, data), [])


@router.get("/experts", response_model=ExpertList, summary="The expert pool (专家库)")
async def list_experts(
    session: DbSession,
    principal: CurrentPrincipal,
    cursor: str | None = None,
    limit: Annotated[
        int | None, Query(ge=1, le=200, description="Page size; without it and a cursor, all")
    ] = None,
    order: Annotated[
        Literal["id", "name", "added_newest"], Query(description="Sort order of a page; keep it while paging")
    ] = "id",
) -> ExpertList:
    if limit is None and cursor is None:
        return ExpertList(items=[read(e, links) for e, links in await service.list_all(session, principal)])
    rows, total, next_cursor = await service.page(session, principal, order, cursor, limit or 50)
    return ExpertList(items=[read(e, links) for e, links in rows], total=total, next_cursor=next_cursor)


@router.get("/experts/{expert_id}", response_model=ExpertRead, summary="One expert with its links")
async def get_expert(expert_id: str, session: DbSession, principal: CurrentPrincipal) -> ExpertRead:
    expert, links = await service.get(session, principal, expert_id)
    return read(expert, list(links))


@router.post(
    "/experts/{expert_id}/links",
    status_code=status.HTTP_201_CREATED,
    response_model=LinkRead,
    summary="Record a link to an enterprise or provider (grounds for avoidance)",
)
async def link_expert(
    expert_id: str, data: LinkCreate, session: DbSession, principal: CurrentPrincipal
) -> LinkRead:
    return LinkRead.model_validate(await service.add_link(session, principal, expert_id, data))


@router.post(
    "/applications/{application_id}/expert-draws",
    status_code=status.HTTP_201_CREATED,
    response_model=DrawRead,
    summary="Draw reviewers at random with avoidance rules; the draw is recorded and reproducible",
)
async def draw_experts(
    application_id: str, data: DrawCreate, session: DbSession, principal: CurrentPrincipal
) -> DrawRead:
    service.authorize_manage(principal)  # before the lookup: a refused role learns nothing
    application = await application_service.get(session, principal, application_id)
    return DrawRead.model_validate(await service.draw_for(session, principal, application, data))


@router.get("/expert-draws/{draw_id}", response_model=DrawRead, summary="A recorded draw")
async def get_draw(draw_id: str, session: DbSession, principal: CurrentPrincipal) -> DrawRead:
    return DrawRead.model_validate(await service.get_draw(session, principal, draw_id))
