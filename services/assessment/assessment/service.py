"""Assessment workflow: create and edit drafts, submit (score, freeze), sign off acceptances."""

import uuid
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.assessment import auth, events
from services.assessment.assessment.models import Assessment, ProjectCopy
from services.assessment.assessment.repository import ORDERS, AssessmentRepository, CopyRepository
from services.assessment.assessment.schemas import AssessmentContent, AssessmentCreate, Evidence
from services.assessment.db import audit_log
from services.assessment.enterprise.models import EnterpriseCopy
from services.assessment.enterprise.repository import EnterpriseCopyRepository
from services.assessment.index import service as index_service
from services.assessment.index.schemas import IndexDocument
from services.assessment.scoring.engine import (
    Answers,
    InvalidAnswers,
    ScoreResult,
    result_as_dict,
    score,
    validate_answers,
)
from services.assessment.scoring.gap import GapPlan, gap_plan
from szcore.auth import Principal, Role
from szcore.errors import FieldError, ProblemError, bad_request, conflict, forbidden, not_found
from szcore.types import utcnow

PROGRAMME_TARGET_LEVEL = 2  # the pilot's acceptance bar (DOMAIN.md: level 2 or higher)
FINAL = ("submitted", "signed_off")


def answers_of(content: AssessmentContent | Assessment) -> Answers:
    return Answers(options=content.answers, scenario_levels=content.scenario_levels)


def answer_problem(exc: InvalidAnswers) -> ProblemError:
    errors = [
        FieldError(
            f"{'scenario_levels' if 'scenario' in e.error else 'answers'}.{e.code}",
            e.error,
            e.message,
            e.message_zh,
        )
        for e in exc.errors
    ]
    return bad_request("answers_invalid", "Some answers do not fit the index", errors)


def score_content(index: IndexDocument, content: AssessmentContent) -> ScoreResult:
    try:
        return score(index, answers_of(content))
    except InvalidAnswers as exc:
        raise answer_problem(exc) from exc


async def _index(session: AsyncSession, code: str, *, for_new_work: bool = True) -> IndexDocument:
    version = await index_service.get(session, code)
    if for_new_work and version.status != "active":
        raise conflict("index_version_retired", f"Index version {code} is retired")
    return index_service.document_of(version)


async def _enterprise(session: AsyncSession, uscc: str) -> EnterpriseCopy:
    enterprise = await EnterpriseCopyRepository(session).get(uscc)
    if enterprise is None:
        raise not_found("enterprise_not_found", f"No enterprise {uscc} visible to you")
    return enterprise


async def _engaged(session: AsyncSession, principal: Principal) -> list[str]:
    if principal.role != Role.provider or principal.provider_id is None:
        return []
    return list(await CopyRepository(session).engaged_usccs(principal.provider_id))


async def get(session: AsyncSession, principal: Principal, assessment_id: str) -> Assessment:
    assessment = await AssessmentRepository(session).get(assessment_id)
    if assessment is None or not auth.can_read(principal, assessment, await _engaged(session, principal)):
        raise not_found("assessment_not_found", f"No assessment {assessment_id} visible to you")
    return assessment


async def _assessor(
    session: AsyncSession, principal: Principal, body: AssessmentCreate
) -> tuple[str, str | None]:
    """Check the principal may run this kind of assessment; return (assessor_id, project provider)."""
    copies = CopyRepository(session)
    if body.kind == "self":
        if principal.role != Role.enterprise:
            raise forbidden("role_not_allowed", "Only the enterprise itself files a self-assessment")
        if not auth.may_self_assess(principal, body.uscc):
            raise forbidden("not_the_enterprise", "Only the enterprise itself files a self-assessment")
        return body.uscc, None
    if body.kind == "diagnosis":
        if principal.role != Role.provider:
            raise forbidden("role_not_allowed", "A diagnosis is made by the provider engaged for it")
        if body.engagement_id is None:
            raise bad_request(
                "engagement_required",
                "A diagnosis names its engagement",
                [FieldError("engagement_id", "required", "required for a diagnosis", "诊断须关联服务对接")],
            )
        engagement = await copies.engagement(body.engagement_id)
        if not auth.may_diagnose(principal, body.uscc, engagement):
            raise forbidden("not_engaged_for_diagnosis", "You are not engaged to diagnose this enterprise")
        assert principal.provider_id is not None
        return principal.provider_id, None
    if not auth.may_evaluate(principal):
        raise forbidden("role_not_allowed", "An acceptance evaluation is made by an evaluator")
    if body.project_id is None:
        raise bad_request(
            "project_required",
            "An acceptance evaluation names the completed project",
            [FieldError("project_id", "required", "required for an acceptance", "评测验收须关联改造项目")],
        )
    project = await copies.project(body.project_id)
    if project is None or project.uscc != body.uscc:
        raise not_found("project_not_found", f"No completed project {body.project_id} of {body.uscc}")
    if auth.delivered(principal, project):
        raise forbidden(
            "evaluator_delivered_project", "The provider who delivered the project may not evaluate it"
        )
    return auth.evaluator_org(principal), project.provider_id


def _set_content(assessment: Assessment, content: AssessmentContent) -> None:
    assessment.answers = dict(content.answers)
    assessment.scenario_levels = dict(content.scenario_levels)
    assessment.evidence = {code: e.model_dump() for code, e in content.evidence.items()}
    assessment.pain_points = list(content.pain_points)
    assessment.needed_scenarios = list(content.needed_scenarios)
    assessment.report = content.report


def _check_partial(index: IndexDocument, content: AssessmentContent) -> None:
    try:
        validate_answers(index, answers_of(content), require_complete=False)
    except InvalidAnswers as exc:
        raise answer_problem(exc) from exc
    scenario_codes = {s.code for s in index.scenarios}
    known = {q.code for q in index.questions} | scenario_codes
    errors = [
        FieldError(
            f"evidence.{code}", "unknown_code", "not a question or scenario of this index", "指标中无此项"
        )
        for code in content.evidence
        if code not in known
    ]
    errors += [
        FieldError("needed_scenarios", "unknown_scenario", f"{code} is not a scenario", "场景不存在")
        for code in content.needed_scenarios
        if code not in scenario_codes
    ]
    if errors:
        raise bad_request("content_invalid", "Some entries do not fit the index", errors)


async def create(session: AsyncSession, principal: Principal, body: AssessmentCreate) -> Assessment:
    body.uscc = body.uscc.upper()
    enterprise = await _enterprise(session, body.uscc)
    if not principal.can_see_county(enterprise.county_code):
        raise not_found("enterprise_not_found", f"No enterprise {body.uscc} visible to you")
    assessor_id, _ = await _assessor(session, principal, body)
    index = await _index(session, body.index_code)
    _check_partial(index, body)
    revision = 1
    if body.supersedes_id is not None:
        previous = await AssessmentRepository(session).get(body.supersedes_id)
        if previous is None or previous.uscc != body.uscc or previous.kind != body.kind:
            raise not_found(
                "assessment_not_found", f"No {body.kind} assessment {body.supersedes_id} of {body.uscc}"
            )
        if previous.status not in FINAL or previous.superseded_by_id is not None:
            raise conflict(
                "not_correctable", "Only a submitted assessment that is not yet corrected can be corrected"
            )
        revision = previous.revision + 1
    now = utcnow()
    assessment = Assessment(
        id=str(uuid.uuid4()),
        uscc=body.uscc,
        county_code=enterprise.county_code,
        kind=body.kind,
        status="draft",
        index_code=index.code,
        revision=revision,
        supersedes_id=body.supersedes_id,
        created_by=principal.subject,
        assessor_role=principal.role.value,
        assessor_id=assessor_id,
        engagement_id=body.engagement_id if body.kind == "diagnosis" else None,
        project_id=body.project_id if body.kind == "acceptance" else None,
        created_at=now,
        updated_at=now,
    )
    _set_content(assessment, body)
    return await AssessmentRepository(session).add(assessment)


# Who authors assessments: the enterprise (self), the engaged provider (diagnosis), an evaluator (acceptance).
AUTHORS = (Role.enterprise, Role.provider, Role.evaluator)


async def _authored_draft(session: AsyncSession, principal: Principal, assessment_id: str) -> Assessment:
    # The role before the lookup: a role that never authors learns nothing about which assessments exist.
    if principal.role not in AUTHORS:
        raise forbidden(
            "role_not_allowed", "Assessments are changed by the enterprise, provider or evaluator"
        )
    assessment = await get(session, principal, assessment_id)
    if not auth.is_author(principal, assessment):
        raise forbidden("not_the_assessor", "Only the assessor who created it may change or submit it")
    # Two submissions at once both saw a draft and both published AssessmentSubmitted.
    await AssessmentRepository(session).lock(assessment.id)
    if assessment.status != "draft":
        raise conflict(
            "assessment_not_draft", "A submitted assessment is immutable; file a correction instead"
        )
    return assessment


async def update(
    session: AsyncSession, principal: Principal, assessment_id: str, content: AssessmentContent
) -> Assessment:
    assessment = await _authored_draft(session, principal, assessment_id)
    _check_partial(await _index(session, assessment.index_code), content)
    _set_content(assessment, content)
    assessment.updated_at = utcnow()
    await session.flush()
    return assessment


def missing_evidence(index: IndexDocument, assessment: Assessment) -> list[FieldError]:
    """Diagnosis: the formField numbers. Acceptance: those, plus evidence for every question and every
    scenario claimed at level 1 or above."""
    if assessment.kind == "self":
        return []
    evidence = {code: Evidence.model_validate(e) for code, e in assessment.evidence.items()}
    errors = []
    for question in index.questions:
        item = evidence.get(question.code, Evidence())
        for position, name in enumerate(question.evidence_fields):
            value = item.values[position] if position < len(item.values) else ""
            if not value.strip():
                errors.append(
                    FieldError(
                        f"evidence.{question.code}.values.{position}",
                        "evidence_missing",
                        f"{question.code}: '{name}' is required",
                        f"{question.code}: 须填写“{name}”",
                    )
                )
        if assessment.kind == "acceptance" and not question.evidence_fields and item.is_empty():
            errors.append(
                FieldError(
                    f"evidence.{question.code}",
                    "evidence_missing",
                    f"{question.code}: evidence is required",
                    f"{question.code}: 须提供佐证材料",
                )
            )
    if assessment.kind == "acceptance":
        for code, level in assessment.scenario_levels.items():
            if level > 0 and evidence.get(code, Evidence()).is_empty():
                errors.append(
                    FieldError(
                        f"evidence.{code}",
                        "evidence_missing",
                        f"{code}: evidence is required",
                        f"{code}: 须提供佐证材料",
                    )
                )
    return errors


async def submit(session: AsyncSession, principal: Principal, assessment_id: str) -> Assessment:
    assessment = await _authored_draft(session, principal, assessment_id)
    if assessment.kind == "diagnosis":
        engagement = await CopyRepository(session).engagement(assessment.engagement_id or "")
        if not auth.may_diagnose(principal, assessment.uscc, engagement):
            raise forbidden("not_engaged_for_diagnosis", "The diagnosis engagement is no longer open")
    index = await _index(session, assessment.index_code)
    result = score_content(index, _content(assessment))
    errors = missing_evidence(index, assessment)
    if errors:
        raise bad_request("evidence_missing", "Evidence is missing for some questions", errors)
    repository = AssessmentRepository(session)
    if assessment.supersedes_id is not None:
        previous = await repository.lock(assessment.supersedes_id)
        assert previous is not None
        if previous.superseded_by_id is not None:
            raise conflict("not_correctable", "The assessment was corrected by another version meanwhile")
        previous.superseded_by_id = assessment.id
    now = utcnow()
    assessment.status = "submitted"
    assessment.level = result.level
    assessment.base_score_milli = result.base_score_milli
    assessment.result = result_as_dict(result)
    assessment.submitted_at = now
    assessment.updated_at = now
    await session.flush()
    await audit_log.append(
        session,
        actor=principal,
        action=f"{assessment.kind}_submitted",
        entity_type="assessment",
        entity_id=assessment.id,
        data={"uscc": assessment.uscc, "level": result.level, "base_score": str(result.base_score)},
    )
    await events.assessment_submitted(session, assessment, result)
    if assessment.kind == "diagnosis":
        target = max(PROGRAMME_TARGET_LEVEL, result.level + 1)
        plan = gap_plan(index, answers_of(assessment), target, result)
        if plan.reachable and plan.improvements:
            await events.gap_analysis_produced(session, assessment, plan)
    return assessment


async def sign_off(
    session: AsyncSession, principal: Principal, assessment_id: str, comment: str
) -> Assessment:
    if not auth.may_evaluate(principal):
        raise forbidden("role_not_allowed", "A second evaluator signs off")
    assessment = await get(session, principal, assessment_id)
    await AssessmentRepository(session).lock(assessment.id)
    if assessment.kind != "acceptance":
        raise conflict("not_an_acceptance", "Only an acceptance evaluation is signed off")
    if assessment.status != "submitted":
        raise conflict(
            "assessment_not_submitted", f"The evaluation is {assessment.status}, not awaiting sign-off"
        )
    if principal.subject == assessment.created_by:
        raise forbidden("same_evaluator", "The sign-off needs a second evaluator")
    project = await CopyRepository(session).project(assessment.project_id or "")
    if project is not None and auth.delivered(principal, project):
        raise forbidden(
            "evaluator_delivered_project", "The provider who delivered the project may not sign off"
        )
    now = utcnow()
    assessment.status = "signed_off"
    assessment.second_evaluator_id = principal.subject
    assessment.signed_off_at = now
    assessment.updated_at = now
    repository = AssessmentRepository(session)
    diagnosis = await repository.latest(assessment.uscc, "diagnosis", ("submitted",))
    enterprise = await _enterprise(session, assessment.uscc)
    enterprise.current_level = assessment.level
    await session.flush()
    await audit_log.append(
        session,
        actor=principal,
        action="acceptance_signed_off",
        entity_type="assessment",
        entity_id=assessment.id,
        data={"uscc": assessment.uscc, "level": assessment.level, "comment": comment},
    )
    await events.acceptance_evaluated(session, assessment, (diagnosis.level or 0) if diagnosis else 0)
    return assessment


async def gap(session: AsyncSession, principal: Principal, assessment_id: str, target_level: int) -> GapPlan:
    return (await gap_of(session, principal, assessment_id, target_level))[1]


async def gap_of(
    session: AsyncSession, principal: Principal, assessment_id: str, target_level: int
) -> tuple[Assessment, GapPlan]:
    """The plan with the assessment it was computed from (whose enterprise the read concerns)."""
    assessment = await get(session, principal, assessment_id)
    index = await _index(session, assessment.index_code, for_new_work=False)
    plan = gap_plan(index, answers_of(assessment), target_level, score_content(index, _content(assessment)))
    return assessment, plan


def _content_dict(assessment: Assessment) -> dict[str, object]:
    return {
        "answers": assessment.answers,
        "scenario_levels": assessment.scenario_levels,
        "evidence": assessment.evidence,
        "pain_points": assessment.pain_points,
        "needed_scenarios": assessment.needed_scenarios,
        "report": assessment.report,
    }


def _content(assessment: Assessment) -> AssessmentContent:
    return AssessmentContent.model_validate(_content_dict(assessment))


async def preview(session: AsyncSession, index_code: str, content: AssessmentContent) -> ScoreResult:
    return score_content(await _index(session, index_code), content)


async def acceptance_queue(
    session: AsyncSession, principal: Principal
) -> list[tuple[ProjectCopy, Assessment | None]]:
    """Completed projects with the acceptance evaluation filed for each, if any."""
    if not auth.may_read_queue(principal):
        raise forbidden("role_not_allowed", "The acceptance queue is for evaluators and officials")
    county = principal.county if principal.role == Role.county_admin else None
    usccs = None
    if county is not None:
        usccs = [e.uscc for e in await EnterpriseCopyRepository(session).in_county(county)]
    projects = await CopyRepository(session).projects_awaiting(usccs)
    evaluations = await AssessmentRepository(session).acceptances_of([p.project_id for p in projects])
    return [(p, evaluations.get(p.project_id)) for p in projects]


async def _scope(session: AsyncSession, principal: Principal) -> dict[str, Any]:
    """Which assessments the caller sees: its county, its own enterprise, or (a provider) the enterprises
    it is engaged with and the assessments it made itself."""
    county = principal.county if principal.role in (Role.county_admin, Role.county_system) else None
    visible: list[str] | None = None
    assessor: str | None = None
    if principal.role == Role.enterprise:
        visible = [principal.uscc or ""]
    elif principal.role == Role.provider:
        visible, assessor = await _engaged(session, principal), principal.provider_id
    elif principal.role not in auth.CITY_WIDE_READERS and county is None:
        visible = []
    return {"county_code": county, "visible_usccs": visible, "assessor_id": assessor}


async def of_enterprises(
    session: AsyncSession, principal: Principal, usccs: Sequence[str]
) -> list[Assessment]:
    """The assessments of several enterprises (newest first), scoped exactly like `page`."""
    wanted = list(dict.fromkeys(u.upper() for u in usccs))
    if not wanted:
        return []
    return list(await AssessmentRepository(session).of_usccs(wanted, **await _scope(session, principal)))


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    uscc: str | None,
    kind: str | None,
    status: str | None,
    cursor: str | None,
    limit: int,
    order: str = "newest",
) -> tuple[list[Assessment], int, str | None]:
    sort = ORDERS[order]
    items, total = await AssessmentRepository(session).page(
        order=sort,
        after=sort.decode(cursor),
        limit=limit + 1,
        uscc=uscc.upper() if uscc else None,
        kind=kind,
        status=status,
        **await _scope(session, principal),
    )
    items = list(items)
    next_cursor = sort.cursor(items[limit - 1]) if len(items) > limit else None
    return items[:limit], total, next_cursor


def base_score_text(milli: int | None) -> str | None:
    return None if milli is None else f"{(Decimal(milli) / 1000).normalize():f}"
