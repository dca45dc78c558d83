from collections.abc import Sequence

from shuzhuan.events.v1.assessment_pb2 import AcceptanceEvaluated
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.common import new_id, refuse
from services.matching.db import audit_log, outbox
from services.matching.enterprise import service as enterprises
from services.matching.enterprise.models import EnterpriseCopy
from services.matching.enterprise.repository import EnterpriseCopyRepository
from services.matching.matching.ranking import conflicted
from services.matching.project import auth, payloads
from services.matching.project.models import (
    Engagement,
    EngagementKind,
    EngagementStatus,
    Milestone,
    Plan,
    PlanStatus,
    Project,
    ProjectStatus,
)
from services.matching.project.repository import ENGAGEMENT_ORDERS, ProjectRepository
from services.matching.project.schemas import (
    CancelRequest,
    ContractSign,
    EngagementCreate,
    EngagementPage,
    EngagementRead,
    MilestoneRead,
    MilestoneReport,
    PlanDecision,
    PlanRead,
    PlanSubmit,
    ProjectRead,
)
from services.matching.provider.models import ACTIVE, Provider
from services.matching.provider.repository import ProviderRepository
from services.matching.rules.service import scenario_codes
from services.matching.solution.models import SolutionStatus
from services.matching.solution.repository import SolutionRepository
from szcore.auth import Principal, Role
from szcore.errors import FieldError, bad_request, conflict, forbidden, not_found
from szcore.events import Event, from_timestamp
from szcore.types import utcnow

CREATORS = (Role.enterprise, Role.county_admin, Role.city_admin)


def _not_found(engagement_id: str) -> Exception:
    return not_found("engagement_not_found", f"No engagement {engagement_id} visible to you")


async def get_engagement(
    session: AsyncSession, principal: Principal, engagement_id: str, *, for_update: bool = False
) -> Engagement:
    auth.require(principal, *auth.READERS)
    engagement = await ProjectRepository(session).get_engagement(engagement_id, for_update=for_update)
    if engagement is None or not auth.can_read(principal, engagement):
        raise _not_found(engagement_id)
    return engagement


async def _counters(session: AsyncSession, engagement: Engagement, delta: int) -> None:
    """Open engagements count on both sides: the enterprise's profile and the provider's capacity.
    The provider's row first, as `create` locks it first: the same order everywhere, no deadlock."""
    await ProviderRepository(session).count_projects(engagement.provider_id, delta)
    await EnterpriseCopyRepository(session).count_engagements(engagement.uscc, delta)


async def _check_provider(session: AsyncSession, provider_id: str, enterprise: EnterpriseCopy) -> Provider:
    provider = await ProviderRepository(session).get(provider_id, for_update=True)
    if provider is None or provider.status not in ACTIVE:
        raise refuse(
            "provider_not_available", "provider_id", f"{provider_id} is not on the roster", "服务商不在名录中"
        )
    if provider.confidentiality_signed_at is None:
        raise conflict(
            "confidentiality_unsigned",
            "The provider has not signed the confidentiality undertaking (保密协议)",
            [
                FieldError(
                    "provider_id", "confidentiality_unsigned", "no undertaking signed", "服务商未签署保密协议"
                )
            ],
        )
    if conflicted(enterprise.uscc, provider.uscc, provider.related_usccs):
        raise conflict(
            "conflict_of_interest",
            "The provider is linked to the enterprise (ownership or legal person)",
            [
                FieldError(
                    "provider_id",
                    "conflict_of_interest",
                    "linked to the enterprise",
                    "服务商与企业存在关联关系",
                )
            ],
        )
    return provider


async def create(session: AsyncSession, principal: Principal, data: EngagementCreate) -> Engagement:
    if not principal.is_role(*CREATORS):
        raise forbidden("role_not_allowed", "The enterprise (or its county or the city) engages a provider")
    enterprise = await enterprises.get(session, principal, data.uscc)
    provider = await _check_provider(session, data.provider_id, enterprise)
    solutions = await SolutionRepository(session).get_many(data.solution_ids)
    wrong = [
        sid
        for sid in data.solution_ids
        if sid not in solutions
        or solutions[sid].provider_id != provider.provider_id
        or solutions[sid].status != SolutionStatus.listed
    ]
    if wrong:
        raise refuse(
            "solution_not_of_provider",
            "solution_ids",
            f"Not listed products of {provider.provider_id}: {', '.join(wrong)}",
            "所选产品不属于该服务商或未上架",
        )
    repository = ProjectRepository(session)
    if await repository.open_engagement(enterprise.uscc, provider.provider_id, data.kind) is not None:
        raise conflict("engagement_exists", "An engagement of this kind with this provider is already open")
    engagement = Engagement(
        engagement_id=new_id("eng"),
        uscc=enterprise.uscc,
        county_code=enterprise.county_code,
        provider_id=provider.provider_id,
        kind=data.kind,
        solution_ids=list(dict.fromkeys(data.solution_ids)),
        status=EngagementStatus.open,
        created_by=principal.subject,
        created_at=utcnow(),
    )
    await repository.add(engagement)
    await _counters(session, engagement, +1)
    await outbox.add(
        session,
        payloads.engagement_created(engagement),
        aggregate_type="engagement",
        aggregate_id=engagement.engagement_id,
    )
    return engagement


async def read(session: AsyncSession, engagement: Engagement) -> EngagementRead:
    repository = ProjectRepository(session)
    plan = await repository.plan_of(engagement.engagement_id)
    project = await repository.project_of(engagement.engagement_id)
    result = EngagementRead.model_validate(engagement)
    result.plan = PlanRead.model_validate(plan) if plan else None
    result.project = await read_project(session, project) if project else None
    return result


async def read_project(session: AsyncSession, project: Project) -> ProjectRead:
    result = ProjectRead.model_validate(project)
    result.milestones = [
        MilestoneRead.model_validate(m)
        for m in await ProjectRepository(session).milestones(project.project_id)
    ]
    return result


async def of_enterprises(
    session: AsyncSession, principal: Principal, usccs: Sequence[str]
) -> list[EngagementRead]:
    """The engagements (with plan and project) of several enterprises, scoped exactly like `page`."""
    wanted = list(dict.fromkeys(u.upper() for u in usccs))
    provider_id = county = None
    if principal.is_role(Role.enterprise):
        wanted = [u for u in wanted if u == principal.uscc]
    elif principal.is_role(Role.provider):
        provider_id = principal.provider_id
    elif principal.is_role(Role.county_admin, Role.county_system):
        county = principal.county
    elif not principal.is_role(*auth.CITY_WIDE):
        raise forbidden("role_not_allowed", "Your role does not see engagements")
    if not wanted:
        return []
    rows = await ProjectRepository(session).of_usccs(wanted, provider_id=provider_id, county_code=county)
    return [await read(session, e) for e in rows]


async def of_providers(
    session: AsyncSession, principal: Principal, provider_ids: Sequence[str]
) -> list[EngagementRead]:
    """The engagements (with plan and project) of several providers, scoped exactly like `page`."""
    wanted = list(dict.fromkeys(provider_ids))
    uscc = county = None
    if principal.is_role(Role.enterprise):
        uscc = principal.uscc or ""
    elif principal.is_role(Role.provider):
        wanted = [p for p in wanted if p == principal.provider_id]
    elif principal.is_role(Role.county_admin, Role.county_system):
        county = principal.county
    elif not principal.is_role(*auth.CITY_WIDE):
        raise forbidden("role_not_allowed", "Your role does not see engagements")
    if not wanted:
        return []
    rows = await ProjectRepository(session).of_providers(wanted, uscc=uscc, county_code=county)
    return [await read(session, e) for e in rows]


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    uscc: str | None,
    provider_id: str | None,
    status: EngagementStatus | None,
    cursor: str | None,
    limit: int,
    order: str = "id",
) -> EngagementPage:
    county = None
    if principal.is_role(Role.enterprise):
        uscc = principal.uscc
    elif principal.is_role(Role.provider):
        provider_id = principal.provider_id
    elif principal.is_role(Role.county_admin, Role.county_system):
        county = principal.county
    elif not principal.is_role(*auth.CITY_WIDE):
        raise forbidden("role_not_allowed", "Your role does not see engagements")
    items, total, next_cursor = await ProjectRepository(session).page(
        uscc=uscc.upper() if uscc else None,
        provider_id=provider_id,
        county_code=county,
        status=status,
        order=ENGAGEMENT_ORDERS[order],
        cursor=cursor,
        limit=limit,
    )
    return EngagementPage(items=[await read(session, e) for e in items], total=total, next_cursor=next_cursor)


def _require_open(engagement: Engagement) -> None:
    if engagement.status != EngagementStatus.open:
        raise conflict("engagement_not_open", f"Engagement {engagement.engagement_id} is {engagement.status}")


def _require_transformation(engagement: Engagement) -> None:
    if engagement.kind != EngagementKind.transformation:
        raise conflict("not_a_transformation", "Plans and contracts belong to transformation engagements")


async def submit_plan(
    session: AsyncSession, principal: Principal, engagement_id: str, data: PlanSubmit
) -> Plan:
    auth.require(principal, Role.provider)
    engagement = await get_engagement(session, principal, engagement_id, for_update=True)
    _require_open(engagement)
    _require_transformation(engagement)
    unknown = sorted(set(data.scenario_codes) - scenario_codes())
    if unknown:
        raise refuse(
            "unknown_scenario", "scenario_codes", f"Unknown scenarios: {', '.join(unknown)}", "场景代码不存在"
        )
    repository = ProjectRepository(session)
    plan = await repository.plan_of(engagement_id)
    if plan is not None and plan.status == PlanStatus.approved:
        raise conflict("plan_already_approved", "The plan is approved; it cannot be replaced")
    values = {
        "goals": data.goals,
        "scenario_codes": list(dict.fromkeys(data.scenario_codes)),
        "target_level": data.target_level,
        "budget": [line.model_dump(mode="json") for line in data.budget],
        "total_fen": sum(line.amount_fen for line in data.budget),
        "status": PlanStatus.submitted,
        "status_reason": None,
        "submitted_at": utcnow(),
    }
    if plan is None:
        plan = Plan(plan_id=new_id("plan"), engagement_id=engagement_id, **values)
        await repository.add(plan)
    else:
        for key, value in values.items():
            setattr(plan, key, value)
    return plan


async def decide_plan(
    session: AsyncSession, principal: Principal, engagement_id: str, data: PlanDecision
) -> Plan:
    auth.require(principal, Role.enterprise)
    engagement = await get_engagement(session, principal, engagement_id, for_update=True)
    _require_open(engagement)
    plan = await ProjectRepository(session).plan_of(engagement_id)
    if plan is None or plan.status != PlanStatus.submitted:
        raise conflict("plan_not_submitted", "There is no submitted plan to decide on")
    now = utcnow()
    if data.decision == "approve":
        plan.status, plan.approved_at = PlanStatus.approved, now
        await outbox.add(
            session,
            payloads.plan_approved(plan, engagement),
            aggregate_type="engagement",
            aggregate_id=engagement_id,
        )
    else:
        if not data.reason:
            raise refuse("reason_required", "reason", "Returning a plan needs a reason", "退回须说明原因")
        plan.status = PlanStatus.returned
    plan.status_reason = data.reason
    await audit_log.append(
        session,
        actor=principal,
        action=f"plan.{plan.status}",
        entity_type="engagement",
        entity_id=engagement_id,
        data={"plan_id": plan.plan_id, "total_fen": plan.total_fen, "reason": data.reason},
    )
    return plan


async def sign_contract(
    session: AsyncSession, principal: Principal, engagement_id: str, data: ContractSign
) -> Project:
    auth.require(principal, Role.enterprise)
    engagement = await get_engagement(session, principal, engagement_id, for_update=True)
    _require_open(engagement)
    _require_transformation(engagement)
    repository = ProjectRepository(session)
    plan = await repository.plan_of(engagement_id)
    if plan is None or plan.status != PlanStatus.approved:
        raise conflict("plan_not_approved", "A contract follows an approved plan")
    if await repository.project_of(engagement_id) is not None:
        raise conflict("contract_exists", "This engagement already has a signed contract")
    lines = [line.model_dump(mode="json") for line in data.lines] if data.lines is not None else plan.budget
    if sum(int(line["amount_fen"]) for line in lines) != data.amount_fen:
        raise bad_request(
            "lines_do_not_add_up",
            "The contract's lines must add up to its amount",
            [
                FieldError(
                    "lines", "lines_do_not_add_up", "sum of lines ≠ amount_fen", "分项金额合计与合同金额不符"
                )
            ],
        )
    project = Project(
        project_id=new_id("prj"),
        engagement_id=engagement_id,
        uscc=engagement.uscc,
        provider_id=engagement.provider_id,
        contract_id=data.contract_id,
        amount_fen=data.amount_fen,
        lines=lines,
        signed_on=data.signed_on,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        attachments=[a.model_dump(mode="json") for a in data.attachments],
        status=ProjectStatus.active,
        progress_percent=0,
    )
    await repository.add(project)
    await outbox.add(
        session, payloads.contract_signed(project), aggregate_type="project", aggregate_id=project.project_id
    )
    await audit_log.append(
        session,
        actor=principal,
        action="contract.signed",
        entity_type="project",
        entity_id=project.project_id,
        data={"contract_id": data.contract_id, "amount_fen": data.amount_fen, "lines": lines},
    )
    return project


async def get_project(
    session: AsyncSession, principal: Principal, project_id: str, *, for_update: bool = False
) -> tuple[Project, Engagement]:
    auth.require(principal, *auth.READERS)
    repository = ProjectRepository(session)
    project = await repository.get_project(project_id, for_update=for_update)
    engagement = await repository.get_engagement(project.engagement_id) if project else None
    if project is None or engagement is None or not auth.can_read(principal, engagement):
        raise not_found("project_not_found", f"No project {project_id} visible to you")
    return project, engagement


def _require_active(project: Project) -> None:
    if project.status != ProjectStatus.active:
        raise conflict("project_not_active", f"Project {project.project_id} is {project.status}")


async def report_milestone(
    session: AsyncSession, principal: Principal, project_id: str, data: MilestoneReport
) -> Milestone:
    auth.require(principal, Role.provider)
    project, _ = await get_project(session, principal, project_id, for_update=True)
    _require_active(project)
    repository = ProjectRepository(session)
    reported = max((m.progress_percent for m in await repository.milestones(project_id)), default=0)
    if data.progress_percent < reported:
        raise refuse(
            "progress_goes_back",
            "progress_percent",
            f"Progress already reported at {reported}%",
            "进度不能倒退",
        )
    milestone = Milestone(
        milestone_id=new_id("ms"),
        project_id=project_id,
        title=data.title,
        progress_percent=data.progress_percent,
        report=data.report,
        reported_at=utcnow(),
    )
    await repository.add(milestone)
    await outbox.add(
        session,
        payloads.milestone_reported(project, milestone),
        aggregate_type="project",
        aggregate_id=project_id,
    )
    return milestone


async def confirm_milestone(
    session: AsyncSession, principal: Principal, project_id: str, milestone_id: str
) -> Milestone:
    auth.require(principal, Role.enterprise)
    project, _ = await get_project(session, principal, project_id, for_update=True)
    _require_active(project)
    repository = ProjectRepository(session)
    milestone = await repository.get_milestone(milestone_id)
    if milestone is None or milestone.project_id != project_id:
        raise not_found("milestone_not_found", f"No milestone {milestone_id} in project {project_id}")
    if milestone.confirmed_at is not None:
        raise conflict("milestone_confirmed", "This milestone is already confirmed")
    milestone.confirmed_at, milestone.confirmed_by = utcnow(), principal.subject
    project.progress_percent = max(project.progress_percent, milestone.progress_percent)
    await outbox.add(
        session,
        payloads.milestone_reported(project, milestone),
        aggregate_type="project",
        aggregate_id=project_id,
    )
    return milestone


async def complete_project(session: AsyncSession, principal: Principal, project_id: str) -> Project:
    auth.require(principal, Role.enterprise)
    project, engagement = await get_project(session, principal, project_id, for_update=True)
    _require_active(project)
    if project.progress_percent < 100:
        raise conflict("progress_incomplete", f"Confirmed progress is {project.progress_percent}%, not 100%")
    now = utcnow()
    project.status, project.completed_at = ProjectStatus.completed, now
    await _close(session, engagement, EngagementStatus.completed, None)
    await SolutionRepository(session).count_use(engagement.solution_ids)
    await outbox.add(
        session, payloads.project_completed(project), aggregate_type="project", aggregate_id=project_id
    )
    await audit_log.append(
        session,
        actor=principal,
        action="project.completed",
        entity_type="project",
        entity_id=project_id,
        data={"amount_fen": project.amount_fen},
    )
    return project


async def _close(
    session: AsyncSession, engagement: Engagement, status: EngagementStatus, reason: str | None
) -> None:
    engagement.status, engagement.status_reason, engagement.closed_at = status, reason, utcnow()
    await _counters(session, engagement, -1)


async def complete_diagnosis(session: AsyncSession, principal: Principal, engagement_id: str) -> Engagement:
    auth.require(principal, Role.enterprise)
    engagement = await get_engagement(session, principal, engagement_id, for_update=True)
    _require_open(engagement)
    if engagement.kind != EngagementKind.diagnosis:
        raise conflict("not_a_diagnosis", "A transformation completes with its project")
    await _close(session, engagement, EngagementStatus.completed, None)
    # Without it enrollment and assessment would let the provider keep reading the enterprise.
    await outbox.add(
        session,
        payloads.engagement_closed(engagement),
        aggregate_type="engagement",
        aggregate_id=engagement_id,
    )
    return engagement


async def cancel(
    session: AsyncSession, principal: Principal, engagement_id: str, data: CancelRequest
) -> Engagement:
    auth.require(principal, Role.enterprise, Role.city_admin)
    engagement = await get_engagement(session, principal, engagement_id, for_update=True)
    _require_open(engagement)
    project = await ProjectRepository(session).project_of(engagement_id)
    if project is not None:
        project.status = ProjectStatus.cancelled
    await _close(session, engagement, EngagementStatus.cancelled, data.reason)
    await outbox.add(
        session,
        payloads.engagement_cancelled(engagement, project),
        aggregate_type="engagement",
        aggregate_id=engagement_id,
    )
    await audit_log.append(
        session,
        actor=principal,
        action="engagement.cancelled",
        entity_type="engagement",
        entity_id=engagement_id,
        data={"reason": data.reason, "project_id": project.project_id if project else None},
    )
    return engagement


async def apply_acceptance(session: AsyncSession, event: Event) -> None:
    payload = event.payload
    assert isinstance(payload, AcceptanceEvaluated)
    project = await ProjectRepository(session).get_project(payload.project_id) if payload.project_id else None
    if project is None:
        return  # an acceptance not tied to one of our projects
    project.accepted_level, project.accepted_at = payload.level, from_timestamp(payload.evaluated_at)


async def engaged_enterprises(session: AsyncSession, provider_id: str) -> set[str]:
    return await ProjectRepository(session).engaged_usccs(provider_id)


async def milestones(session: AsyncSession, project_id: str) -> Sequence[Milestone]:
    return await ProjectRepository(session).milestones(project_id)
