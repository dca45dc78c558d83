from shuzhuan.events.v1 import matching_pb2 as pb

from services.matching.project.models import Engagement, Milestone, Plan, Project
from szcore.events import to_timestamp
from szcore.types import utcnow


def budget_lines(lines: list[dict[str, object]]) -> list[pb.BudgetLine]:
    return [
        pb.BudgetLine(
            category=pb.SpendingCategory.Value(f"SPENDING_CATEGORY_{str(line['category']).upper()}"),
            amount_fen=int(line["amount_fen"]),  # type: ignore[call-overload]
            description=str(line.get("description") or ""),
        )
        for line in lines
    ]


def engagement_created(engagement: Engagement) -> pb.EngagementCreated:
    return pb.EngagementCreated(
        engagement_id=engagement.engagement_id,
        uscc=engagement.uscc,
        provider_id=engagement.provider_id,
        kind=engagement.kind,
        solution_ids=engagement.solution_ids,
        created_at=to_timestamp(engagement.created_at),
    )


def plan_approved(plan: Plan, engagement: Engagement) -> pb.PlanApproved:
    return pb.PlanApproved(
        plan_id=plan.plan_id,
        engagement_id=engagement.engagement_id,
        uscc=engagement.uscc,
        provider_id=engagement.provider_id,
        target_level=plan.target_level,
        scenario_codes=plan.scenario_codes,
        budget=budget_lines(plan.budget),
        approved_at=to_timestamp(plan.approved_at or utcnow()),
    )


def contract_signed(project: Project) -> pb.ContractSigned:
    return pb.ContractSigned(
        contract_id=project.contract_id,
        project_id=project.project_id,
        engagement_id=project.engagement_id,
        uscc=project.uscc,
        provider_id=project.provider_id,
        amount_fen=project.amount_fen,
        lines=budget_lines(project.lines),
        signed_on=to_timestamp(project.signed_on),
        starts_on=to_timestamp(project.starts_on),
        ends_on=to_timestamp(project.ends_on),
    )


def milestone_reported(project: Project, milestone: Milestone) -> pb.MilestoneReported:
    return pb.MilestoneReported(
        project_id=project.project_id,
        milestone_id=milestone.milestone_id,
        uscc=project.uscc,
        provider_id=project.provider_id,
        progress_percent=milestone.progress_percent,
        confirmed_by_enterprise=milestone.confirmed_at is not None,
        reported_at=to_timestamp(milestone.reported_at),
    )


def project_completed(project: Project) -> pb.ProjectCompleted:
    return pb.ProjectCompleted(
        project_id=project.project_id,
        uscc=project.uscc,
        provider_id=project.provider_id,
        contract_id=project.contract_id,
        spent_fen=project.amount_fen,
        completed_at=to_timestamp(project.completed_at or utcnow()),
    )


def engagement_cancelled(engagement: Engagement, project: Project | None) -> pb.EngagementCancelled:
    return pb.EngagementCancelled(
        engagement_id=engagement.engagement_id,
        uscc=engagement.uscc,
        provider_id=engagement.provider_id,
        project_id=project.project_id if project else "",
        reason=engagement.status_reason or "",
        cancelled_at=to_timestamp(engagement.closed_at or utcnow()),
    )


def engagement_closed(engagement: Engagement) -> pb.EngagementClosed:
    return pb.EngagementClosed(
        engagement_id=engagement.engagement_id,
        uscc=engagement.uscc,
        provider_id=engagement.provider_id,
        kind=str(engagement.kind),
        outcome=str(engagement.status),
        closed_at=to_timestamp(engagement.closed_at or utcnow()),
    )
