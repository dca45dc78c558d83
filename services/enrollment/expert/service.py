import uuid
from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.application.models import Application
from services.enrollment.db import audit_log
from services.enrollment.expert.draw import Candidate, conflicts, draw, seed_for
from services.enrollment.expert.models import Expert, ExpertDraw, ExpertLink
from services.enrollment.expert.repository import EXPERT_ORDERS, ExpertRepository
from services.enrollment.expert.schemas import DrawCreate, ExpertCreate, LinkCreate
from szcore.auth import Principal, Role
from szcore.errors import FieldError, conflict, forbidden, not_found
from szcore.types import utcnow

READERS = (Role.city_admin, Role.auditor)


def authorize_manage(principal: Principal) -> None:
    if principal.role != Role.city_admin:
        raise forbidden("role_not_allowed", f"Role {principal.role.value} may not manage the expert pool")


async def create(session: AsyncSession, principal: Principal, data: ExpertCreate) -> Expert:
    authorize_manage(principal)
    repository = ExpertRepository(session)
    if await repository.get(data.id) is not None:
        raise conflict(
            "duplicate_expert",
            f"Expert {data.id} exists",
            [FieldError("id", "duplicate_expert", "exists", "专家已存在")],
        )
    expert = Expert(**data.model_dump(), active=True, created_at=utcnow())
    await repository.add(expert)
    await audit_log.append(
        session,
        actor=principal,
        action="expert.created",
        entity_type="expert",
        entity_id=expert.id,
        data=data.model_dump(),
    )
    return expert


async def get(
    session: AsyncSession, principal: Principal, expert_id: str
) -> tuple[Expert, Sequence[ExpertLink]]:
    expert = await ExpertRepository(session).get(expert_id)
    visible = principal.role in READERS or (principal.role == Role.expert and principal.subject == expert_id)
    if expert is None or not visible:
        raise not_found("expert_not_found", f"No expert {expert_id} visible to you")
    return expert, await ExpertRepository(session).links([expert.id])


async def list_all(session: AsyncSession, principal: Principal) -> list[tuple[Expert, list[ExpertLink]]]:
    if principal.role not in READERS:
        raise forbidden("role_not_allowed", f"Role {principal.role.value} may not list the expert pool")
    return await _with_links(ExpertRepository(session), await ExpertRepository(session).active())


async def page(
    session: AsyncSession, principal: Principal, order: str, cursor: str | None, limit: int
) -> tuple[list[tuple[Expert, list[ExpertLink]]], int, str | None]:
    if principal.role not in READERS:
        raise forbidden("role_not_allowed", f"Role {principal.role.value} may not list the expert pool")
    repository = ExpertRepository(session)
    experts, total, next_cursor = await repository.active_page(EXPERT_ORDERS[order], cursor, limit)
    return await _with_links(repository, experts), total, next_cursor


async def _with_links(
    repository: ExpertRepository, experts: Sequence[Expert]
) -> list[tuple[Expert, list[ExpertLink]]]:
    links: dict[str, list[ExpertLink]] = {}
    for link in await repository.links([e.id for e in experts]):
        links.setdefault(link.expert_id, []).append(link)
    return [(expert, links.get(expert.id, [])) for expert in experts]


async def add_link(
    session: AsyncSession, principal: Principal, expert_id: str, data: LinkCreate
) -> ExpertLink:
    authorize_manage(principal)
    repository = ExpertRepository(session)
    if await repository.get(expert_id) is None:
        raise not_found("expert_not_found", f"No expert {expert_id}")
    party_id = data.party_id.upper() if data.party_type == "enterprise" else data.party_id
    if await repository.link(expert_id, party_id) is not None:
        raise conflict("duplicate_link", "The link is already recorded")
    link = ExpertLink(
        expert_id=expert_id, party_type=data.party_type, party_id=party_id, relation=data.relation
    )
    await repository.add(link)
    await audit_log.append(
        session,
        actor=principal,
        action="expert.linked",
        entity_type="expert",
        entity_id=expert_id,
        data={"party_type": data.party_type, "party_id": party_id, "relation": data.relation},
    )
    return link


async def candidates(repository: ExpertRepository) -> list[Candidate]:
    experts = await repository.active()
    links: dict[str, set[str]] = {}
    for link in await repository.links([e.id for e in experts]):
        links.setdefault(link.expert_id, set()).add(link.party_id)
    return [
        Candidate(e.id, frozenset(e.fields), e.employer_uscc, frozenset(links.get(e.id, ()))) for e in experts
    ]


async def draw_for(
    session: AsyncSession, principal: Principal, application: Application, data: DrawCreate
) -> ExpertDraw:
    """Draws reviewers for an application at random, avoiding conflicts, and records how."""
    authorize_manage(principal)
    repository = ExpertRepository(session)
    now = utcnow()
    draw_id = str(uuid.uuid4())
    seed = seed_for(draw_id)
    result = draw(
        await candidates(repository),
        fields=data.fields,
        parties=[application.uscc, *data.provider_ids],
        recent_reviewers=await repository.recent_reviewers(
            application.uscc, now - timedelta(days=data.recent_days)
        ),
        count=data.count,
        seed=seed,
    )
    if len(result.selected) < data.count:
        raise conflict(
            "not_enough_experts",
            f"Only {len(result.eligible)} experts are eligible, {data.count} wanted",
            [FieldError("count", "not_enough_experts", "too few eligible experts", "符合条件的专家不足")],
        )
    record = ExpertDraw(
        id=draw_id,
        application_id=application.id,
        uscc=application.uscc,
        fields=list(data.fields),
        count=data.count,
        seed=seed,
        eligible=result.eligible,
        excluded=result.excluded,
        selected=result.selected,
        drawn_by=principal.subject,
        drawn_at=now,
    )
    await repository.add(record)
    await audit_log.append(
        session,
        actor=principal,
        action="expert.drawn",
        entity_type="application",
        entity_id=application.id,
        data={"draw_id": draw_id, "seed": seed, "selected": result.selected, "excluded": result.excluded},
    )
    return record


async def check_reviewer(session: AsyncSession, principal: Principal, application: Application) -> None:
    """An expert decides a step only if in the pool, free of conflicts and (when drawn) among those drawn."""
    repository = ExpertRepository(session)
    expert = await repository.get(principal.subject)
    if expert is None or not expert.active:
        raise forbidden("not_in_expert_pool", "Only experts of the pool review applications")
    links = {link.party_id for link in await repository.links([expert.id])}
    candidate = Candidate(expert.id, frozenset(expert.fields), expert.employer_uscc, frozenset(links))
    reason = conflicts(candidate, [application.uscc])
    if reason:
        raise forbidden("conflict_of_interest", f"The expert must stand aside ({reason})")
    draws = await repository.draws_for(application.id)
    if draws and expert.id not in draws[-1].selected:
        raise forbidden("expert_not_drawn", "The expert was not drawn for this application")


async def get_draw(session: AsyncSession, principal: Principal, draw_id: str) -> ExpertDraw:
    record = await ExpertRepository(session).draw(draw_id)
    if record is None or principal.role not in READERS:
        raise not_found("draw_not_found", f"No draw {draw_id} visible to you")
    return record
