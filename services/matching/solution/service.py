from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.common import new_id, refuse
from services.matching.db import audit_log
from services.matching.project.models import EngagementStatus
from services.matching.project.repository import ProjectRepository
from services.matching.provider import auth
from services.matching.provider.models import ACTIVE
from services.matching.provider.repository import ProviderRepository
from services.matching.provider.schemas import ReviewCreate
from services.matching.rules.schemas import RuleKind, ScoringSheet
from services.matching.rules.scoring import weighted_centi
from services.matching.rules.service import current, current_read, scenario_codes
from services.matching.solution.models import Solution, SolutionRating, SolutionReview, SolutionStatus
from services.matching.solution.repository import (
    SOLUTION_ORDERS,
    SOLUTION_RATING_ORDERS,
    SOLUTION_REVIEW_ORDERS,
    SolutionRepository,
)
from services.matching.solution.schemas import (
    ExcellentCreate,
    SolutionCreate,
    SolutionDecision,
    SolutionPage,
    SolutionRatingCreate,
    SolutionRead,
)
from szcore.auth import Principal, Role
from szcore.errors import FieldError, bad_request, conflict, forbidden, not_found
from szcore.keyset import page_rows
from szcore.types import utcnow

# decision → (states it may start from, state it leads to)
DECISIONS = {
    "approve": ((SolutionStatus.submitted,), SolutionStatus.in_notice),
    "reject": ((SolutionStatus.submitted,), SolutionStatus.rejected),
    "delist": ((SolutionStatus.listed,), SolutionStatus.delisted),
}


def read(solution: Solution) -> SolutionRead:
    data = {c: getattr(solution, c) for c in SolutionRead.model_fields if hasattr(solution, c)}
    data["rating_avg_centi"] = (
        round(solution.rating_sum * 100 / solution.rating_count) if solution.rating_count else None
    )
    return SolutionRead.model_validate(data)


def can_read(principal: Principal, solution: Solution) -> bool:
    if principal.is_role(*auth.OFFICIALS) or auth.is_self(principal, solution.provider_id):
        return True
    return solution.status == SolutionStatus.listed


async def get(
    session: AsyncSession, principal: Principal, solution_id: str, *, for_update: bool = False
) -> Solution:
    solution = await SolutionRepository(session).get(solution_id, for_update=for_update)
    if solution is None or not can_read(principal, solution):
        raise not_found("solution_not_found", f"No solution {solution_id} visible to you")
    return solution


async def submit(session: AsyncSession, principal: Principal, data: SolutionCreate) -> Solution:
    auth.require(principal, Role.provider)
    assert principal.provider_id is not None
    provider = await ProviderRepository(session).get(principal.provider_id)
    if provider is None or provider.status not in ACTIVE:
        raise conflict("provider_not_listed", "Only a provider on the roster may submit solutions")
    unknown = sorted(set(data.scenario_codes) - scenario_codes())
    if unknown:
        raise bad_request(
            "unknown_scenario",
            f"Unknown scenario codes: {', '.join(unknown)}",
            [
                FieldError(
                    "scenario_codes", "unknown_scenario", f"unknown: {', '.join(unknown)}", "场景代码不存在"
                )
            ],
        )
    now = utcnow()
    solution = await SolutionRepository(session).add(
        Solution(
            solution_id=new_id("sol"),
            provider_id=provider.provider_id,
            **data.model_dump(mode="json"),
            status=SolutionStatus.submitted,
            submitted_at=now,
            updated_at=now,
        )
    )
    return solution


async def of_providers(
    session: AsyncSession, principal: Principal, provider_ids: Sequence[str]
) -> list[SolutionRead]:
    """The solutions of several providers, each shown only if the caller may read it (as in `page`)."""
    wanted = list(dict.fromkeys(provider_ids))
    rows = await SolutionRepository(session).of_providers(wanted) if wanted else []
    return [read(s) for s in rows if can_read(principal, s)]


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    status: SolutionStatus | None,
    provider_id: str | None,
    scenario: str | None,
    industry: str | None,
    excellent_year: int | None,
    cursor: str | None,
    limit: int,
    order: str = "id",
) -> SolutionPage:
    statuses = [status] if status else None
    rows = await SolutionRepository(session).filtered(statuses=statuses, provider_id=provider_id)
    matching = [
        s
        for s in rows
        if can_read(principal, s)
        and (scenario is None or scenario in s.scenario_codes)
        and (industry is None or not s.industries or industry in s.industries)
        and (excellent_year is None or excellent_year in s.excellent_years)
    ]
    items, next_cursor = page_rows(matching, SOLUTION_ORDERS[order], cursor, limit)
    return SolutionPage(items=[read(s) for s in items], total=len(matching), next_cursor=next_cursor)


async def decide(
    session: AsyncSession, principal: Principal, solution_id: str, data: SolutionDecision
) -> Solution:
    auth.require(principal, Role.city_admin)
    solution = await get(session, principal, solution_id, for_update=True)
    sources, target = DECISIONS[data.decision]
    if solution.status not in sources:
        raise conflict(
            "solution_decision_not_allowed", f"Cannot {data.decision} a solution that is {solution.status}"
        )
    if target != SolutionStatus.in_notice and not data.reason:
        raise refuse("reason_required", "reason", "This decision needs a reason", "须说明原因")
    now = utcnow()
    if target == SolutionStatus.in_notice:
        sheet = await current(session, RuleKind.solution_scoring_sheet, ScoringSheet)
        if solution.review_score_centi is None:
            raise conflict("review_missing", "No expert has reviewed this product yet")
        if solution.review_score_centi < sheet.pass_score * 100:
            raise conflict(
                "below_pass_score",
                f"Mean review score {solution.review_score_centi / 100:.2f} is below {sheet.pass_score}",
            )
        solution.notice_until = now + timedelta(days=data.notice_days)
    solution.status, solution.status_reason, solution.updated_at = target, data.reason, now
    await audit_log.append(
        session,
        actor=principal,
        action=f"solution.{target}",
        entity_type="solution",
        entity_id=solution_id,
        data=data.model_dump(mode="json"),
    )
    return solution


async def review(
    session: AsyncSession, principal: Principal, solution_id: str, data: ReviewCreate
) -> SolutionReview:
    auth.require(principal, Role.expert)
    solution = await get(session, principal, solution_id, for_update=True)
    if solution.status != SolutionStatus.submitted:
        raise conflict(
            "solution_not_under_review", f"Solution {solution_id} is {solution.status}, not under review"
        )
    repository = SolutionRepository(session)
    if await repository.review_by(solution_id, principal.subject) is not None:
        raise conflict("already_reviewed", "You have already reviewed this product")
    sheet = await current_read(session, RuleKind.solution_scoring_sheet)
    total = weighted_centi(ScoringSheet.model_validate(sheet.document).dimensions, data.scores)
    row = await repository.add_review(
        SolutionReview(
            solution_id=solution_id,
            expert=principal.subject,
            scores=data.scores,
            total_centi=total,
            sheet_version=sheet.version,
            comment=data.comment,
            reviewed_at=utcnow(),
        )
    )
    solution.review_score_centi = await repository.mean_review_centi(solution_id)
    await audit_log.append(
        session,
        actor=principal,
        action="solution.reviewed",
        entity_type="solution",
        entity_id=solution_id,
        data={"scores": data.scores, "total_centi": total, "sheet_version": sheet.version},
    )
    return row


async def reviews(session: AsyncSession, principal: Principal, solution_id: str) -> Sequence[SolutionReview]:
    auth.require(principal, Role.city_admin, Role.expert, Role.auditor)
    await get(session, principal, solution_id)
    return await SolutionRepository(session).reviews(solution_id)


async def review_page(
    session: AsyncSession, principal: Principal, solution_id: str, order: str, cursor: str | None, limit: int
) -> tuple[list[SolutionReview], int, str | None]:
    auth.require(principal, Role.city_admin, Role.expert, Role.auditor)
    await get(session, principal, solution_id)
    return await SolutionRepository(session).review_page(
        solution_id, SOLUTION_REVIEW_ORDERS[order], cursor, limit
    )


async def list_solution(session: AsyncSession, principal: Principal, solution_id: str) -> Solution:
    auth.require(principal, Role.city_admin)
    solution = await get(session, principal, solution_id, for_update=True)
    if solution.status != SolutionStatus.in_notice:
        raise conflict(
            "solution_not_in_notice", f"Solution {solution_id} is {solution.status}, not in public notice"
        )
    now = utcnow()
    if solution.notice_until is not None and now < solution.notice_until:
        raise conflict(
            "notice_period_running", f"The public notice runs until {solution.notice_until.isoformat()}"
        )
    solution.status, solution.listed_at, solution.updated_at = SolutionStatus.listed, now, now
    await audit_log.append(
        session,
        actor=principal,
        action="solution.listed",
        entity_type="solution",
        entity_id=solution_id,
        data={},
    )
    return solution


async def rate(
    session: AsyncSession, principal: Principal, solution_id: str, data: SolutionRatingCreate
) -> SolutionRating:
    auth.require(principal, Role.enterprise)
    solution = await get(session, principal, solution_id, for_update=True)
    engagement = await ProjectRepository(session).get_engagement(data.engagement_id)
    if engagement is None or engagement.uscc != principal.uscc or solution_id not in engagement.solution_ids:
        raise forbidden(
            "solution_not_used", "You may rate only a product you used in one of your engagements"
        )
    if engagement.status != EngagementStatus.completed:
        raise conflict("engagement_not_completed", "A product is rated after the engagement is completed")
    repository = SolutionRepository(session)
    if await repository.rating_for(solution_id, data.engagement_id) is not None:
        raise conflict("already_rated", "This product has already been rated for this engagement")
    rating = await repository.add_rating(
        SolutionRating(
            solution_id=solution_id,
            engagement_id=data.engagement_id,
            uscc=engagement.uscc,
            score=data.score,
            comment=data.comment,
            rated_at=utcnow(),
        )
    )
    solution.rating_sum += data.score
    solution.rating_count += 1
    await audit_log.append(
        session,
        actor=principal,
        action="solution.rated",
        entity_type="solution",
        entity_id=solution_id,
        data=data.model_dump(mode="json"),
    )
    return rating


async def ratings(session: AsyncSession, principal: Principal, solution_id: str) -> Sequence[SolutionRating]:
    await get(session, principal, solution_id)
    return await SolutionRepository(session).ratings(solution_id)


async def rating_page(
    session: AsyncSession, principal: Principal, solution_id: str, order: str, cursor: str | None, limit: int
) -> tuple[list[SolutionRating], int, str | None]:
    await get(session, principal, solution_id)
    return await SolutionRepository(session).rating_page(
        solution_id, SOLUTION_RATING_ORDERS[order], cursor, limit
    )


async def select_excellent(
    session: AsyncSession, principal: Principal, solution_id: str, data: ExcellentCreate
) -> Solution:
    auth.require(principal, Role.city_admin)
    solution = await get(session, principal, solution_id, for_update=True)
    if solution.status != SolutionStatus.listed:
        raise conflict("solution_not_listed", "Only a listed product can be selected as excellent")
    if data.year in solution.excellent_years:
        raise conflict("already_excellent", f"Already selected as excellent for {data.year}")
    solution.excellent_years = sorted([*solution.excellent_years, data.year])
    solution.updated_at = utcnow()
    await audit_log.append(
        session,
        actor=principal,
        action="solution.excellent",
        entity_type="solution",
        entity_id=solution_id,
        data={"year": data.year},
    )
    return solution
