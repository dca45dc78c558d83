from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from services.matching.project import service
from services.matching.project.models import EngagementStatus
from services.matching.project.schemas import (
    CancelRequest,
    ContractSign,
    EngagementCreate,
    EngagementPage,
    EngagementRead,
    EngagementsOfEnterprises,
    MilestoneRead,
    MilestoneReport,
    PlanDecision,
    PlanRead,
    PlanSubmit,
    ProjectRead,
)
from szcore.auth import CurrentPrincipal
from szcore.service import DbSession

router = APIRouter(tags=["project"])


@router.post(
    "/engagements",
    status_code=status.HTTP_201_CREATED,
    response_model=EngagementRead,
    summary="Engage a provider (diagnosis or transformation)",
)
async def create(data: EngagementCreate, session: DbSession, principal: CurrentPrincipal) -> EngagementRead:
    return await service.read(session, await service.create(session, principal, data))


@router.get("/engagements", response_model=EngagementPage, summary="Engagements visible to the caller")
async def list_engagements(
    session: DbSession,
    principal: CurrentPrincipal,
    uscc: str | None = None,
    provider_id: str | None = None,
    status: EngagementStatus | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    order: Annotated[
        Literal["id", "created_newest", "created_oldest"],
        Query(description="Sort order; keep it while paging with the cursor"),
    ] = "id",
) -> EngagementPage:
    return await service.page(
        session,
        principal,
        uscc=uscc,
        provider_id=provider_id,
        status=status,
        cursor=cursor,
        limit=limit,
        order=order,
    )


@router.get(
    "/engagements/by-enterprise",
    response_model=EngagementsOfEnterprises,
    summary="Engagements of several enterprises with plan and project (batch read by USCC)",
)
async def engagements_of_enterprises(
    session: DbSession, principal: CurrentPrincipal, uscc: Annotated[list[str], Query(max_length=500)]
) -> EngagementsOfEnterprises:
    return EngagementsOfEnterprises(items=await service.of_enterprises(session, principal, uscc))


@router.get(
    "/engagements/by-provider",
    response_model=EngagementsOfEnterprises,
    summary="Engagements of several providers with plan and project (batch read by provider id)",
)
async def engagements_of_providers(
    session: DbSession,
    principal: CurrentPrincipal,
    provider_id: Annotated[list[str], Query(max_length=500)],
) -> EngagementsOfEnterprises:
    return EngagementsOfEnterprises(items=await service.of_providers(session, principal, provider_id))


@router.get(
    "/engagements/{engagement_id}",
    response_model=EngagementRead,
    summary="One engagement with plan and project",
)
async def get_engagement(
    engagement_id: str, session: DbSession, principal: CurrentPrincipal
) -> EngagementRead:
    return await service.read(session, await service.get_engagement(session, principal, engagement_id))


@router.post(
    "/engagements/{engagement_id}/plan", response_model=PlanRead, summary="Submit the transformation plan"
)
async def submit_plan(
    engagement_id: str, data: PlanSubmit, session: DbSession, principal: CurrentPrincipal
) -> PlanRead:
    return PlanRead.model_validate(await service.submit_plan(session, principal, engagement_id, data))


@router.post(
    "/engagements/{engagement_id}/plan/decision",
    response_model=PlanRead,
    summary="Approve or return the plan",
)
async def decide_plan(
    engagement_id: str, data: PlanDecision, session: DbSession, principal: CurrentPrincipal
) -> PlanRead:
    return PlanRead.model_validate(await service.decide_plan(session, principal, engagement_id, data))


@router.post(
    "/engagements/{engagement_id}/contract",
    status_code=status.HTTP_201_CREATED,
    response_model=ProjectRead,
    summary="Record the signed contract; the transformation project starts",
)
async def sign_contract(
    engagement_id: str, data: ContractSign, session: DbSession, principal: CurrentPrincipal
) -> ProjectRead:
    project = await service.sign_contract(session, principal, engagement_id, data)
    return await service.read_project(session, project)


@router.post(
    "/engagements/{engagement_id}/complete", response_model=EngagementRead, summary="Close a diagnosis"
)
async def complete_diagnosis(
    engagement_id: str, session: DbSession, principal: CurrentPrincipal
) -> EngagementRead:
    return await service.read(session, await service.complete_diagnosis(session, principal, engagement_id))


@router.post(
    "/engagements/{engagement_id}/cancel", response_model=EngagementRead, summary="Cancel an engagement"
)
async def cancel(
    engagement_id: str, data: CancelRequest, session: DbSession, principal: CurrentPrincipal
) -> EngagementRead:
    return await service.read(session, await service.cancel(session, principal, engagement_id, data))


@router.get("/projects/{project_id}", response_model=ProjectRead, summary="One transformation project")
async def get_project(project_id: str, session: DbSession, principal: CurrentPrincipal) -> ProjectRead:
    project, _ = await service.get_project(session, principal, project_id)
    return await service.read_project(session, project)


@router.post(
    "/projects/{project_id}/milestones",
    status_code=status.HTTP_201_CREATED,
    response_model=MilestoneRead,
    summary="Report progress (provider)",
)
async def report_milestone(
    project_id: str, data: MilestoneReport, session: DbSession, principal: CurrentPrincipal
) -> MilestoneRead:
    return MilestoneRead.model_validate(await service.report_milestone(session, principal, project_id, data))


@router.post(
    "/projects/{project_id}/milestones/{milestone_id}/confirm",
    response_model=MilestoneRead,
    summary="Confirm reported progress (enterprise)",
)
async def confirm_milestone(
    project_id: str, milestone_id: str, session: DbSession, principal: CurrentPrincipal
) -> MilestoneRead:
    return MilestoneRead.model_validate(
        await service.confirm_milestone(session, principal, project_id, milestone_id)
    )


@router.post("/projects/{project_id}/complete", response_model=ProjectRead, summary="Complete the project")
async def complete_project(project_id: str, session: DbSession, principal: CurrentPrincipal) -> ProjectRead:
    return await service.read_project(session, await service.complete_project(session, principal, project_id))
