from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from services.enrollment.application import auth, service
from services.enrollment.application.repository import ORDERS
from services.enrollment.application.schemas import (
    ActionRead,
    ApplicationCreate,
    ApplicationDetail,
    ApplicationList,
    ApplicationRead,
    ApplicationsOfEnterprises,
    Funnel,
    ObjectionCreate,
    ObjectionRead,
    ObjectionResolve,
    OptionalComment,
    ReasonBody,
    ReplaceCreate,
    ReviewCreate,
    TransferCreate,
)
from services.enrollment.application.workflow import Action, Status
from szcore.auth import CurrentPrincipal
from szcore.service import DbSession

router = APIRouter(prefix="/applications", tags=["application"])


async def detail(session: DbSession, principal: CurrentPrincipal, application_id: str) -> ApplicationDetail:
    application, actions, objections, step = await service.detail(session, principal, application_id)
    return ApplicationDetail.model_validate(
        {
            **ApplicationRead.model_validate(application).model_dump(),
            "current_step": step,
            "actions": [ActionRead.model_validate(a) for a in actions],
            "objections": [ObjectionRead.model_validate(o) for o in objections],
        }
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ApplicationDetail,
    summary="Apply (申报) to a batch",
)
async def submit_application(
    data: ApplicationCreate, session: DbSession, principal: CurrentPrincipal
) -> ApplicationDetail:
    application = await service.submit(session, principal, data)
    return await detail(session, principal, application.id)


@router.get("", response_model=ApplicationList, summary="Applications (keyset pagination)")
async def list_applications(
    session: DbSession,
    principal: CurrentPrincipal,
    programme_id: str | None = None,
    batch_id: str | None = None,
    status: Status | None = None,
    county_code: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    order: Annotated[
        Literal["id", "submitted_newest", "submitted_oldest", "updated_newest"],
        Query(description="Sort order; keep it while paging with the cursor"),
    ] = "id",
) -> ApplicationList:
    sort = ORDERS[order]
    rows, total = await service.page(
        session,
        principal,
        programme_id=programme_id,
        batch_id=batch_id,
        status=status,
        county_code=county_code,
        after=sort.decode(cursor),
        limit=limit,
        order=sort,
    )
    items = list(rows[:limit])
    return ApplicationList(
        items=[ApplicationRead.model_validate(a) for a in items],
        total=total,
        next_cursor=sort.cursor(items[-1]) if len(rows) > limit else None,
    )


@router.get(
    "/by-enterprise",
    response_model=ApplicationsOfEnterprises,
    summary="Applications of several enterprises (batch read by USCC)",
)
async def applications_of_enterprises(
    session: DbSession, principal: CurrentPrincipal, uscc: Annotated[list[str], Query(max_length=500)]
) -> ApplicationsOfEnterprises:
    rows = await service.of_enterprises(session, principal, uscc)
    return ApplicationsOfEnterprises(items=[ApplicationRead.model_validate(a) for a in rows])


@router.get("/funnel", response_model=Funnel, summary="Admission funnel per batch and county")
async def admission_funnel(
    session: DbSession,
    principal: CurrentPrincipal,
    programme_id: Annotated[str, Query(description="试点项目")],
) -> Funnel:
    return await service.funnel(session, principal, programme_id)


@router.get("/{application_id}", response_model=ApplicationDetail, summary="One application with its history")
async def get_application(
    application_id: str, session: DbSession, principal: CurrentPrincipal
) -> ApplicationDetail:
    auth.authorize_read_one(principal)
    return await detail(session, principal, application_id)


@router.post(
    "/{application_id}/reviews", response_model=ApplicationDetail, summary="Decide the current review step"
)
async def review_application(
    application_id: str, data: ReviewCreate, session: DbSession, principal: CurrentPrincipal
) -> ApplicationDetail:
    await service.act(
        session,
        principal,
        application_id,
        Action.review,
        decision=data.decision,
        comment=data.comment,
        expected_step=data.step,
    )
    return await detail(session, principal, application_id)


@router.post(
    "/{application_id}/resubmit", response_model=ApplicationDetail, summary="Resubmit a returned application"
)
async def resubmit_application(
    application_id: str, data: OptionalComment, session: DbSession, principal: CurrentPrincipal
) -> ApplicationDetail:
    await service.act(session, principal, application_id, Action.resubmit, comment=data.comment)
    return await detail(session, principal, application_id)


@router.post(
    "/{application_id}/notice", response_model=ApplicationDetail, summary="Publish the public notice (公示)"
)
async def start_notice(
    application_id: str, data: OptionalComment, session: DbSession, principal: CurrentPrincipal
) -> ApplicationDetail:
    await service.act(session, principal, application_id, Action.start_notice, comment=data.comment)
    return await detail(session, principal, application_id)


@router.post(
    "/{application_id}/admit",
    response_model=ApplicationDetail,
    summary="Admit into the batch after the notice",
)
async def admit_application(
    application_id: str, data: OptionalComment, session: DbSession, principal: CurrentPrincipal
) -> ApplicationDetail:
    await service.act(session, principal, application_id, Action.admit, comment=data.comment)
    return await detail(session, principal, application_id)


@router.post("/{application_id}/withdraw", response_model=ApplicationDetail, summary="Withdraw (退出)")
async def withdraw_application(
    application_id: str, data: ReasonBody, session: DbSession, principal: CurrentPrincipal
) -> ApplicationDetail:
    await service.act(session, principal, application_id, Action.withdraw, comment=data.reason)
    return await detail(session, principal, application_id)


@router.post(
    "/{application_id}/disqualify",
    response_model=ApplicationDetail,
    summary="Disqualify (取消资格), with reason",
)
async def disqualify_application(
    application_id: str, data: ReasonBody, session: DbSession, principal: CurrentPrincipal
) -> ApplicationDetail:
    await service.act(session, principal, application_id, Action.disqualify, comment=data.reason)
    return await detail(session, principal, application_id)


@router.post("/{application_id}/transfer", response_model=ApplicationDetail, summary="Move to another batch")
async def transfer_application(
    application_id: str, data: TransferCreate, session: DbSession, principal: CurrentPrincipal
) -> ApplicationDetail:
    await service.transfer(session, principal, application_id, data.to_batch_id, data.reason)
    return await detail(session, principal, application_id)


@router.post(
    "/{application_id}/replace",
    response_model=ApplicationDetail,
    summary="Give an admitted place to a replacement (替补)",
)
async def replace_application(
    application_id: str, data: ReplaceCreate, session: DbSession, principal: CurrentPrincipal
) -> ApplicationDetail:
    await service.replace(session, principal, application_id, data.replacement_application_id, data.reason)
    return await detail(session, principal, application_id)


@router.post(
    "/{application_id}/objections",
    status_code=status.HTTP_201_CREATED,
    response_model=ObjectionRead,
    summary="Raise an objection during the public notice",
)
async def raise_objection(
    application_id: str, data: ObjectionCreate, session: DbSession, principal: CurrentPrincipal
) -> ObjectionRead:
    return ObjectionRead.model_validate(
        await service.raise_objection(session, principal, application_id, data.content)
    )


@router.post(
    "/{application_id}/objections/{objection_id}/resolve",
    response_model=ObjectionRead,
    summary="Resolve an objection (upheld: the application is rejected)",
)
async def resolve_objection(
    application_id: str,
    objection_id: str,
    data: ObjectionResolve,
    session: DbSession,
    principal: CurrentPrincipal,
) -> ObjectionRead:
    objection = await service.resolve_objection(
        session, principal, application_id, objection_id, data.upheld, data.resolution
    )
    return ObjectionRead.model_validate(objection)
