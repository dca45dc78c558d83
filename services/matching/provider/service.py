from collections.abc import Sequence
from dataclasses import asdict
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.common import refuse
from services.matching.db import audit_log, outbox
from services.matching.project.repository import ProjectRepository
from services.matching.provider import auth
from services.matching.provider.events import provider_listed, provider_status_changed
from services.matching.provider.models import (
    ACTIVE,
    Provider,
    ProviderRating,
    ProviderReview,
    ProviderStatus,
)
from services.matching.provider.rating_facts import ProjectFact, period_bounds, rating_facts
from services.matching.provider.repository import (
    PROVIDER_ORDERS,
    RATING_ORDERS,
    REVIEW_ORDERS,
    ProviderRepository,
)
from services.matching.provider.schemas import (
    DecisionCreate,
    ProviderApply,
    ProviderPage,
    ProviderRead,
    RatingCreate,
    RatingFactsRead,
    ReviewCreate,
    StatusAction,
    StatusChange,
)
from services.matching.provider.uscc import uscc_error
from services.matching.rules.schemas import Quotas, RatingSheet, RuleKind, ScoringSheet
from services.matching.rules.scoring import weighted_centi
from services.matching.rules.service import current, current_read
from services.matching.solution.repository import SolutionRepository
from szcore.auth import Principal, Role
from szcore.errors import FieldError, bad_request, conflict, forbidden, not_found
from szcore.types import utcnow

# action → (states it may start from, state it leads to)
STATUS_TRANSITIONS: dict[StatusAction, tuple[tuple[ProviderStatus, ...], ProviderStatus]] = {
    StatusAction.warn: ((ProviderStatus.listed,), ProviderStatus.warned),
    StatusAction.suspend: ((ProviderStatus.listed, ProviderStatus.warned), ProviderStatus.suspended),
    StatusAction.reinstate: ((ProviderStatus.warned, ProviderStatus.suspended), ProviderStatus.listed),
    StatusAction.remove: (
        (ProviderStatus.listed, ProviderStatus.warned, ProviderStatus.suspended),
        ProviderStatus.removed,
    ),
}


def read(provider: Provider) -> ProviderRead:
    return ProviderRead.model_validate(
        {
            **{c: getattr(provider, c) for c in ProviderRead.model_fields if hasattr(provider, c)},
            "confidentiality_signed": provider.confidentiality_signed_at is not None,
        }
    )


async def get(
    session: AsyncSession, principal: Principal, provider_id: str, *, for_update: bool = False
) -> Provider:
    provider = await ProviderRepository(session).get(provider_id, for_update=for_update)
    if provider is None or not auth.can_read(principal, provider):
        raise not_found("provider_not_found", f"No provider {provider_id} visible to you")
    return provider


async def apply(session: AsyncSession, principal: Principal, data: ProviderApply) -> Provider:
    auth.require(principal, Role.provider)
    assert principal.provider_id is not None
    reason = uscc_error(data.uscc)
    if reason:
        raise bad_request(
            "invalid_uscc",
            f"{data.uscc} is not a valid unified social credit code: {reason}",
            [FieldError("uscc", "invalid_uscc", reason, "统一社会信用代码无效")],
        )
    repository = ProviderRepository(session)
    existing = await repository.get(principal.provider_id, for_update=True)
    if existing is not None and existing.status != ProviderStatus.rejected:
        raise conflict("provider_exists", f"Provider {principal.provider_id} has already applied")
    now = utcnow()
    values = data.model_dump(mode="json")
    if existing is None:
        provider = await repository.add(
            Provider(
                provider_id=principal.provider_id,
                **values,
                status=ProviderStatus.applied,
                applied_at=now,
                updated_at=now,
            )
        )
    else:
        provider = existing
        for key, value in values.items():
            setattr(provider, key, value)
        provider.status, provider.status_reason, provider.review_score_centi = (
            ProviderStatus.applied,
            None,
            None,
        )
        provider.applied_at = provider.updated_at = now
    await audit_log.append(
        session,
        actor=principal,
        action="provider.applied",
        entity_type="provider",
        entity_id=provider.provider_id,
        data=values,
    )
    return provider


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    status: ProviderStatus | None,
    kind: str | None,
    industry: str | None,
    county: str | None,
    cursor: str | None,
    limit: int,
    order: str = "id",
) -> ProviderPage:
    statuses: list[str] | None = [status] if status else None
    if not principal.is_role(*auth.OFFICIALS):
        # The public roster: non-officials never list applicants or removed providers.
        statuses = [s for s in (statuses or list(ACTIVE)) if s in ACTIVE]
    items, total, next_cursor = await ProviderRepository(session).page(
        statuses=statuses,
        kind=kind,
        industry=industry,
        county=county,
        order=PROVIDER_ORDERS[order],
        cursor=cursor,
        limit=limit,
    )
    return ProviderPage(items=[read(p) for p in items], total=total, next_cursor=next_cursor)


async def review(
    session: AsyncSession, principal: Principal, provider_id: str, data: ReviewCreate
) -> ProviderReview:
    auth.require(principal, Role.expert)
    provider = await get(session, principal, provider_id, for_update=True)
    if provider.status != ProviderStatus.applied:
        raise conflict(
            "provider_not_under_review", f"Provider {provider_id} is {provider.status}, not under review"
        )
    repository = ProviderRepository(session)
    if await repository.review_by(provider_id, principal.subject) is not None:
        raise conflict("already_reviewed", "You have already reviewed this application")
    sheet = await current_read(session, RuleKind.scoring_sheet)
    total = weighted_centi(ScoringSheet.model_validate(sheet.document).dimensions, data.scores)
    row = await repository.add_review(
        ProviderReview(
            provider_id=provider_id,
            expert=principal.subject,
            scores=data.scores,
            total_centi=total,
            sheet_version=sheet.version,
            comment=data.comment,
            reviewed_at=utcnow(),
        )
    )
    provider.review_score_centi = await repository.mean_review_centi(provider_id)
    await audit_log.append(
        session,
        actor=principal,
        action="provider.reviewed",
        entity_type="provider",
        entity_id=provider_id,
        data={"scores": data.scores, "total_centi": total, "sheet_version": sheet.version},
    )
    return row


async def reviews(session: AsyncSession, principal: Principal, provider_id: str) -> Sequence[ProviderReview]:
    auth.require(principal, Role.city_admin, Role.expert, Role.auditor)
    await get(session, principal, provider_id)
    return await ProviderRepository(session).reviews(provider_id)


async def review_page(
    session: AsyncSession, principal: Principal, provider_id: str, order: str, cursor: str | None, limit: int
) -> tuple[list[ProviderReview], int, str | None]:
    auth.require(principal, Role.city_admin, Role.expert, Role.auditor)
    await get(session, principal, provider_id)
    return await ProviderRepository(session).review_page(provider_id, REVIEW_ORDERS[order], cursor, limit)


async def decide(
    session: AsyncSession, principal: Principal, provider_id: str, data: DecisionCreate
) -> Provider:
    auth.require(principal, Role.city_admin)
    provider = await get(session, principal, provider_id, for_update=True)
    if provider.status != ProviderStatus.applied:
        raise conflict(
            "provider_not_under_review", f"Provider {provider_id} is {provider.status}, not under review"
        )
    now = utcnow()
    if data.decision == "approve":
        sheet = await current(session, RuleKind.scoring_sheet, ScoringSheet)
        if provider.review_score_centi is None:
            raise conflict("review_missing", "No expert has reviewed this application yet")
        if provider.review_score_centi < sheet.pass_score * 100:
            raise conflict(
                "below_pass_score",
                f"Mean review score {provider.review_score_centi / 100:.2f} is below {sheet.pass_score}",
            )
        provider.status, provider.notice_until = (
            ProviderStatus.in_notice,
            now + timedelta(days=data.notice_days),
        )
    else:
        if not data.reason:
            raise refuse("reason_required", "reason", "A rejection needs a reason", "驳回须说明原因")
        provider.status = ProviderStatus.rejected
    provider.status_reason, provider.updated_at = data.reason, now
    await audit_log.append(
        session,
        actor=principal,
        action=f"provider.{data.decision}d",
        entity_type="provider",
        entity_id=provider_id,
        data=data.model_dump(mode="json"),
    )
    return provider


async def count_against_quota(session: AsyncSession, provider: Provider) -> list[FieldError]:
    quotas = await current(session, RuleKind.quotas, Quotas)
    limit = quotas.per_industry.get(provider.kind)
    if limit is None:
        return []
    repository = ProviderRepository(session)
    await repository.lock_quota(provider.kind)
    rostered = await repository.rostered_of_kind(provider.kind)
    errors = []
    for industry in provider.industries:
        taken = sum(1 for p in rostered if industry in p.industries and p.provider_id != provider.provider_id)
        if taken >= limit:
            errors.append(
                FieldError(
                    "industries",
                    "quota_exceeded",
                    f"industry {industry} already has {taken} {provider.kind} providers (limit {limit})",
                    f"行业{industry}名额已满",
                )
            )
    return errors


async def list_provider(session: AsyncSession, principal: Principal, provider_id: str) -> Provider:
    auth.require(principal, Role.city_admin)
    provider = await get(session, principal, provider_id, for_update=True)
    if provider.status != ProviderStatus.in_notice:
        raise conflict(
            "provider_not_in_notice", f"Provider {provider_id} is {provider.status}, not in public notice"
        )
    now = utcnow()
    if provider.notice_until is not None and now < provider.notice_until:
        raise conflict(
            "notice_period_running", f"The public notice runs until {provider.notice_until.isoformat()}"
        )
    errors = await count_against_quota(session, provider)
    if errors:
        raise conflict("quota_exceeded", "The per-industry quota for this kind of provider is full", errors)
    provider.status, provider.listed_at, provider.updated_at, provider.status_reason = (
        ProviderStatus.listed,
        now,
        now,
        None,
    )
    await outbox.add(session, provider_listed(provider), aggregate_type="provider", aggregate_id=provider_id)
    await audit_log.append(
        session,
        actor=principal,
        action="provider.listed",
        entity_type="provider",
        entity_id=provider_id,
        data={},
    )
    return provider


async def sign_confidentiality(session: AsyncSession, principal: Principal, provider_id: str) -> Provider:
    auth.require(principal, Role.provider)
    if not auth.is_self(principal, provider_id):
        raise forbidden("provider_forbidden", "A provider signs its own confidentiality undertaking")
    provider = await get(session, principal, provider_id, for_update=True)
    if provider.confidentiality_signed_at is None:
        provider.confidentiality_signed_at = provider.updated_at = utcnow()
        await audit_log.append(
            session,
            actor=principal,
            action="provider.confidentiality_signed",
            entity_type="provider",
            entity_id=provider_id,
            data={},
        )
    return provider


async def _set_status(
    session: AsyncSession, principal: Principal, provider: Provider, status: ProviderStatus, reason: str
) -> None:
    provider.status, provider.status_reason, provider.updated_at = status, reason, utcnow()
    await outbox.add(
        session,
        provider_status_changed(provider, reason),
        aggregate_type="provider",
        aggregate_id=provider.provider_id,
    )
    await audit_log.append(
        session,
        actor=principal,
        action=f"provider.{status}",
        entity_type="provider",
        entity_id=provider.provider_id,
        data={"reason": reason},
    )


async def change_status(
    session: AsyncSession, principal: Principal, provider_id: str, data: StatusChange
) -> Provider:
    auth.require(principal, Role.city_admin)
    provider = await get(session, principal, provider_id, for_update=True)
    sources, target = STATUS_TRANSITIONS[data.action]
    if provider.status not in sources:
        raise conflict(
            "status_change_not_allowed", f"Cannot {data.action.value} a provider that is {provider.status}"
        )
    await _set_status(session, principal, provider, target, data.reason)
    return provider


async def rate(
    session: AsyncSession, principal: Principal, provider_id: str, data: RatingCreate
) -> ProviderRating:
    auth.require(principal, Role.city_admin)
    provider = await get(session, principal, provider_id, for_update=True)
    if provider.status not in (ProviderStatus.listed, ProviderStatus.warned, ProviderStatus.suspended):
        raise conflict(
            "provider_not_rostered", f"Provider {provider_id} is {provider.status}, not on the roster"
        )
    repository = ProviderRepository(session)
    if await repository.rating(provider_id, data.period) is not None:
        raise conflict("already_rated", f"Provider {provider_id} already has a rating for {data.period}")
    sheet_read = await current_read(session, RuleKind.rating_sheet)
    sheet = RatingSheet.model_validate(sheet_read.document)
    overall = weighted_centi(sheet.dimensions, data.scores)
    rating = await repository.add_rating(
        ProviderRating(
            provider_id=provider_id,
            period=data.period,
            scores=data.scores,
            overall_centi=overall,
            sheet_version=sheet_read.version,
            rated_by=principal.subject,
            rated_at=utcnow(),
        )
    )
    latest = (await repository.ratings(provider_id))[0]
    provider.rating_centi = latest.overall_centi
    await audit_log.append(
        session,
        actor=principal,
        action="provider.rated",
        entity_type="provider",
        entity_id=provider_id,
        data={"period": data.period, "scores": data.scores, "overall_centi": overall},
    )
    if overall < sheet.warning_below * 100 and provider.status == ProviderStatus.listed:
        await _set_status(
            session,
            principal,
            provider,
            ProviderStatus.warned,
            f"rating {overall / 100:.2f} for {data.period}",
        )
    return rating


async def ratings(session: AsyncSession, principal: Principal, provider_id: str) -> Sequence[ProviderRating]:
    if not auth.can_read_ratings(principal, provider_id):
        raise not_found("provider_not_found", f"No ratings of {provider_id} visible to you")
    await get(session, principal, provider_id)
    return await ProviderRepository(session).ratings(provider_id)


async def rating_page(
    session: AsyncSession, principal: Principal, provider_id: str, order: str, cursor: str | None, limit: int
) -> tuple[list[ProviderRating], int, str | None]:
    if not auth.can_read_ratings(principal, provider_id):
        raise not_found("provider_not_found", f"No ratings of {provider_id} visible to you")
    await get(session, principal, provider_id)
    return await ProviderRepository(session).rating_page(provider_id, RATING_ORDERS[order], cursor, limit)


async def ratings_of_providers(
    session: AsyncSession, principal: Principal, provider_ids: Sequence[str]
) -> Sequence[ProviderRating]:
    """The ratings of several providers (newest first), of those whose ratings the caller may read (as in
    `ratings`); the others are left out."""
    repository = ProviderRepository(session)
    wanted = [p for p in dict.fromkeys(provider_ids) if auth.can_read_ratings(principal, p)]
    visible = [
        p.provider_id
        for p in (await repository.of_ids(wanted) if wanted else [])
        if auth.can_read(principal, p)
    ]
    return await repository.ratings_of_many(visible)


async def facts(
    session: AsyncSession, principal: Principal, provider_id: str, period: str
) -> RatingFactsRead:
    if not auth.can_read_ratings(principal, provider_id):
        raise not_found("provider_not_found", f"No ratings of {provider_id} visible to you")
    await get(session, principal, provider_id)
    sheet = await current(session, RuleKind.rating_sheet, RatingSheet)
    start, end = period_bounds(period)
    projects = ProjectRepository(session)
    completed = await projects.projects_completed_between(provider_id, start, end)
    scores = await SolutionRepository(session).scores_between(
        await projects.engagement_ids_of(provider_id), start, end
    )
    result = rating_facts(
        [ProjectFact(p.completed_at, p.ends_on, p.accepted_level) for p in completed],
        scores,
        sheet.full_marks_projects,
    )
    return RatingFactsRead(provider_id=provider_id, period=period, **asdict(result))
