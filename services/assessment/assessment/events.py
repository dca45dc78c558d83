"""Payload builders for the events this module produces, and its subscriptions to matching."""

from shuzhuan.events.v1.assessment_pb2 import (
    AcceptanceEvaluated,
    AssessmentKind,
    AssessmentSubmitted,
    GapAnalysisProduced,
    NeededImprovement,
    ScenarioLevel,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.assessment.consumers import (
    apply_engagement_cancelled,
    apply_engagement_closed,
    apply_engagement_created,
    apply_project_completed,
)
from services.assessment.assessment.models import Assessment
from services.assessment.db import outbox
from services.assessment.scoring.engine import ScoreResult
from services.assessment.scoring.gap import GapPlan
from szcore.bus import Subscription
from szcore.events import Event, to_timestamp
from szcore.types import utcnow

KINDS = {
    "self": AssessmentKind.ASSESSMENT_KIND_SELF,
    "diagnosis": AssessmentKind.ASSESSMENT_KIND_DIAGNOSIS,
    "acceptance": AssessmentKind.ASSESSMENT_KIND_ACCEPTANCE,
}


def centi(milli: int) -> int:
    # Half up: option scores have up to 3 decimals, the contract carries 2.
    return (milli + 5) // 10


async def assessment_submitted(session: AsyncSession, a: Assessment, result: ScoreResult) -> None:
    assert a.submitted_at is not None
    payload = AssessmentSubmitted(
        assessment_id=a.id,
        uscc=a.uscc,
        kind=KINDS[a.kind],
        index_version=a.index_code,
        level=result.level,
        base_score_centi=result.base_score_centi,
        scenarios=[ScenarioLevel(scenario_code=c, level=lvl) for c, lvl in result.scenario_levels.items()],
        assessor_id=a.assessor_id,
        supersedes_id=a.supersedes_id or "",
        submitted_at=to_timestamp(a.submitted_at),
    )
    await outbox.add(session, payload, aggregate_type="assessment", aggregate_id=a.id)


async def gap_analysis_produced(session: AsyncSession, a: Assessment, plan: GapPlan) -> None:
    improvements = [
        NeededImprovement(
            scenario_code=i.code if i.kind == "scenario" else "",
            from_level=i.from_level,
            to_level=i.to_level,
            question_code=i.code if i.kind == "question" else "",
            score_gain_centi=centi(int(i.score_gain * 1000)),
        )
        for i in plan.improvements
    ]
    payload = GapAnalysisProduced(
        assessment_id=a.id,
        uscc=a.uscc,
        current_level=plan.current_level,
        target_level=plan.target_level,
        improvements=improvements,
        produced_at=to_timestamp(utcnow()),
    )
    await outbox.add(session, payload, aggregate_type="assessment", aggregate_id=a.id)


async def acceptance_evaluated(session: AsyncSession, a: Assessment, level_before: int) -> None:
    assert a.signed_off_at is not None and a.level is not None and a.base_score_milli is not None
    payload = AcceptanceEvaluated(
        assessment_id=a.id,
        uscc=a.uscc,
        project_id=a.project_id or "",
        level=a.level,
        base_score_centi=centi(a.base_score_milli),
        level_before=level_before,
        index_version=a.index_code,
        evaluator_id=a.assessor_id,
        second_evaluator_id=a.second_evaluator_id or "",
        evaluated_at=to_timestamp(a.signed_off_at),
    )
    await outbox.add(session, payload, aggregate_type="assessment", aggregate_id=a.id)


async def dispatch_engagement(session: AsyncSession, event: Event) -> None:
    if event.event_type == "EngagementCancelled":
        await apply_engagement_cancelled(session, event)
    elif event.event_type == "EngagementClosed":
        await apply_engagement_closed(session, event)
    else:
        await apply_engagement_created(session, event)


engagements = Subscription(
    name="assessment-engagements",
    events=[
        ("matching", "EngagementCreated"),
        ("matching", "EngagementCancelled"),
        ("matching", "EngagementClosed"),
    ],
    handler=dispatch_engagement,
    description="Which provider each enterprise engaged (diagnosis rights)",
)
projects = Subscription(
    name="assessment-projects",
    events=[("matching", "ProjectCompleted")],
    handler=apply_project_completed,
    description="Completed projects awaiting acceptance, and who delivered them",
)
