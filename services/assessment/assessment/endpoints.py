from typing import Annotated, Literal

from fastapi import APIRouter, Query

from services.assessment.assessment import service
from services.assessment.assessment.models import Assessment
from services.assessment.assessment.schemas import (
    AcceptanceQueue,
    AssessmentContent,
    AssessmentCreate,
    AssessmentOut,
    AssessmentPage,
    AssessmentsOfEnterprises,
    GapPlanOut,
    ImprovementOut,
    Kind,
    ProjectAwaiting,
    ScorePreview,
    ScoreRequest,
    SignOff,
)
from services.assessment.db import audit_log
from services.assessment.scoring.engine import fmt, result_as_dict
from services.assessment.scoring.gap import GapPlan
from szcore.auth import CurrentPrincipal
from szcore.readaudit import record_reads
from szcore.service import DbSession

router = APIRouter(prefix="/assessments", tags=["assessment"])


def out(assessment: Assessment) -> AssessmentOut:
    data = {c: getattr(assessment, c) for c in AssessmentOut.model_fields if c != "base_score"}
    return AssessmentOut(**data, base_score=service.base_score_text(assessment.base_score_milli))


def plan_out(plan: GapPlan) -> GapPlanOut:
    return GapPlanOut(
        current_level=plan.current_level,
        target_level=plan.target_level,
        reachable=plan.reachable,
        effort=plan.effort,
        explanation=plan.explanation,
        alternatives=[plan_out(alternative) for alternative in plan.alternatives],
        improvements=[
            ImprovementOut(
                kind=i.kind,  # type: ignore[arg-type]
                code=i.code,
                effort=i.effort,
                from_level=i.from_level,
                to_level=i.to_level,
                from_options=list(i.from_options),
                to_options=list(i.to_options),
                score_gain=fmt(i.score_gain),
            )
            for i in plan.improvements
        ],
    )


@router.post("", response_model=AssessmentOut, status_code=201, summary="Start an assessment (draft)")
async def create(body: AssessmentCreate, session: DbSession, principal: CurrentPrincipal) -> AssessmentOut:
    """Self-assessment by the enterprise, diagnosis by the engaged provider, acceptance by an evaluator.
    Set `supersedes_id` to correct a submitted assessment (a new linked version)."""
    return out(await service.create(session, principal, body))


@router.get("", response_model=AssessmentPage, summary="Assessments visible to the caller (newest first)")
async def list_assessments(
    session: DbSession,
    principal: CurrentPrincipal,
    uscc: str | None = None,
    kind: Kind | None = None,
    status: str | None = Query(default=None, max_length=16),
    cursor: str | None = Query(default=None, max_length=400),
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    order: Annotated[
        Literal["newest", "oldest", "level_highest", "score_highest"],
        Query(description="Sort order; keep it while paging with the cursor"),
    ] = "newest",
) -> AssessmentPage:
    items, total, next_cursor = await service.page(
        session, principal, uscc=uscc, kind=kind, status=status, cursor=cursor, limit=limit, order=order
    )
    await record_reads(session, audit_log, principal, "assessment", [a.uscc for a in items])
    return AssessmentPage(items=[out(a) for a in items], total=total, next_cursor=next_cursor)


@router.get(
    "/by-enterprise",
    response_model=AssessmentsOfEnterprises,
    summary="Assessments of several enterprises, newest first (batch read by USCC)",
)
async def assessments_of_enterprises(
    session: DbSession, principal: CurrentPrincipal, uscc: Annotated[list[str], Query(max_length=500)]
) -> AssessmentsOfEnterprises:
    found = await service.of_enterprises(session, principal, uscc)
    await record_reads(session, audit_log, principal, "assessment", [a.uscc for a in found])
    return AssessmentsOfEnterprises(items=[out(a) for a in found])


@router.get(
    "/acceptance-queue",
    response_model=AcceptanceQueue,
    summary="Completed projects and the acceptance evaluation filed for each (评测验收排期)",
)
async def acceptance_queue(session: DbSession, principal: CurrentPrincipal) -> AcceptanceQueue:
    rows = await service.acceptance_queue(session, principal)
    return AcceptanceQueue(
        items=[
            ProjectAwaiting(
                project_id=p.project_id,
                uscc=p.uscc,
                provider_id=p.provider_id,
                contract_id=p.contract_id,
                spent_fen=p.spent_fen,
                completed_at=p.completed_at,
                acceptance_id=a.id if a else None,
                acceptance_status=a.status if a else None,
            )
            for p, a in rows
        ]
    )


@router.post("/preview", response_model=ScorePreview, summary="Score answers without saving (what-if)")
async def preview(body: ScoreRequest, session: DbSession, principal: CurrentPrincipal) -> ScorePreview:
    result = await service.preview(session, body.index_code, body)
    return ScorePreview(level=result.level, base_score=fmt(result.base_score), result=result_as_dict(result))


@router.get("/{assessment_id}", response_model=AssessmentOut, summary="One assessment with its result")
async def get(assessment_id: str, session: DbSession, principal: CurrentPrincipal) -> AssessmentOut:
    assessment = await service.get(session, principal, assessment_id)
    await record_reads(session, audit_log, principal, "assessment", [assessment.uscc])
    return out(assessment)


@router.put("/{assessment_id}", response_model=AssessmentOut, summary="Replace a draft's content")
async def update(
    assessment_id: str, body: AssessmentContent, session: DbSession, principal: CurrentPrincipal
) -> AssessmentOut:
    return out(await service.update(session, principal, assessment_id, body))


@router.post("/{assessment_id}/submit", response_model=AssessmentOut, summary="Submit: score and freeze")
async def submit(assessment_id: str, session: DbSession, principal: CurrentPrincipal) -> AssessmentOut:
    return out(await service.submit(session, principal, assessment_id))


@router.post(
    "/{assessment_id}/sign-off",
    response_model=AssessmentOut,
    summary="Second evaluator signs an acceptance off",
)
async def sign_off(
    assessment_id: str, body: SignOff, session: DbSession, principal: CurrentPrincipal
) -> AssessmentOut:
    return out(await service.sign_off(session, principal, assessment_id, body.comment))


@router.get("/{assessment_id}/gap", response_model=GapPlanOut, summary="Least-effort improvements to a level")
async def gap(
    assessment_id: str,
    session: DbSession,
    principal: CurrentPrincipal,
    target_level: Annotated[int, Query(ge=1, le=4)] = 2,
) -> GapPlanOut:
    assessment, plan = await service.gap_of(session, principal, assessment_id, target_level)
    # The plan is derived from the enterprise's confidential answers: a read like the assessment itself.
    await record_reads(session, audit_log, principal, "assessment_gap", [assessment.uscc])
    return plan_out(plan)
