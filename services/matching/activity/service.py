from collections import Counter

from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.activity import auth
from services.matching.activity.models import Activity, ActivityKind, ActivityStatus, Registration
from services.matching.activity.repository import ACTIVITY_ORDERS, REGISTRATION_ORDERS, ActivityRepository
from services.matching.activity.schemas import (
    ActivityCreate,
    ActivityPage,
    ActivityRead,
    ActivityStats,
    AttendanceRecord,
    KindStats,
    OutcomeRecord,
    RegistrationCreate,
)
from services.matching.common import new_id, refuse
from services.matching.db import audit_log
from szcore.auth import Principal, Role
from szcore.errors import conflict, forbidden, not_found
from szcore.keyset import page_rows
from szcore.types import utcnow

# Enterprises and providers sign themselves up; the organisers (city, county) sign others up.
REGISTRANTS = (Role.enterprise, Role.provider, Role.city_admin, Role.county_admin)


async def create(session: AsyncSession, principal: Principal, data: ActivityCreate) -> Activity:
    if not principal.is_role(Role.city_admin, Role.county_admin):
        raise forbidden("role_not_allowed", "The city, or a county for its own county, organises activities")
    if not auth.can_organise(principal, data.county_code):
        raise forbidden("county_forbidden", "A county organises activities for its own county")
    activity = Activity(
        activity_id=new_id("act"),
        **data.model_dump(),
        status=ActivityStatus.planned,
        organised_by=principal.subject,
        created_at=utcnow(),
    )
    await ActivityRepository(session).add(activity)
    return activity


async def get(
    session: AsyncSession, principal: Principal, activity_id: str, *, for_update: bool = False
) -> Activity:
    activity = await ActivityRepository(session).get(activity_id, for_update=for_update)
    if activity is None or not auth.can_read(principal, activity):
        raise not_found("activity_not_found", f"No activity {activity_id} visible to you")
    return activity


async def read(session: AsyncSession, activities: list[Activity]) -> list[ActivityRead]:
    registrations = await ActivityRepository(session).registrations([a.activity_id for a in activities])
    registered = Counter(r.activity_id for r in registrations)
    attended = Counter(r.activity_id for r in registrations if r.attended)
    return [
        ActivityRead.model_validate(a).model_copy(
            update={"registered": registered[a.activity_id], "attended": attended[a.activity_id]}
        )
        for a in activities
    ]


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    programme: str | None,
    kind: ActivityKind | None,
    cursor: str | None,
    limit: int,
    order: str = "id",
) -> ActivityPage:
    county = principal.county if principal.is_role(Role.county_admin, Role.county_system) else None
    repository = ActivityRepository(session)
    everything = await repository.filtered(programme=programme, kind=kind, county_code=county, after=None)
    rows, next_cursor = page_rows(everything, ACTIVITY_ORDERS[order], cursor, limit)
    return ActivityPage(items=await read(session, rows), total=len(everything), next_cursor=next_cursor)


def _participant(
    principal: Principal, activity: Activity, data: RegistrationCreate
) -> tuple[str, dict[str, str | None]]:
    if principal.is_role(Role.enterprise):
        return f"uscc:{principal.uscc}", {"uscc": principal.uscc}
    if principal.is_role(Role.provider):
        return f"provider:{principal.provider_id}", {"provider_id": principal.provider_id}
    if not auth.can_organise(principal, activity.county_code):
        raise forbidden("county_forbidden", "Only the organising county signs others up")
    if data.uscc:
        return f"uscc:{data.uscc.upper()}", {"uscc": data.uscc.upper()}
    if data.provider_id:
        return f"provider:{data.provider_id}", {"provider_id": data.provider_id}
    if data.person_name:
        return f"person:{data.person_name}", {"person_name": data.person_name}
    raise refuse("participant_required", "uscc", "Name the participant", "须指明参加者")


async def register(
    session: AsyncSession, principal: Principal, activity_id: str, data: RegistrationCreate
) -> Registration:
    if not principal.is_role(*REGISTRANTS):
        raise forbidden("role_not_allowed", "Sign yourself up (enterprise, provider), or be the organiser")
    activity = await get(session, principal, activity_id, for_update=True)
    if activity.status != ActivityStatus.planned:
        raise conflict("activity_not_open", f"Activity {activity_id} is {activity.status}")
    key, who = _participant(principal, activity, data)
    repository = ActivityRepository(session)
    if await repository.registration(activity_id, key) is not None:
        raise conflict("already_registered", "Already signed up for this activity")
    if len(await repository.registrations([activity_id])) >= activity.capacity:
        raise conflict("activity_full", f"Activity {activity_id} is full ({activity.capacity})")
    registration = Registration(
        activity_id=activity_id,
        participant_key=key,
        trainee_role=data.trainee_role,
        attended=False,
        registered_at=utcnow(),
        **who,
    )
    await repository.add(registration)
    return registration


async def _organised(session: AsyncSession, principal: Principal, activity_id: str) -> Activity:
    if not principal.is_role(Role.city_admin, Role.county_admin):
        raise forbidden("role_not_allowed", "Only the organiser records attendance and outcomes")
    activity = await get(session, principal, activity_id, for_update=True)
    if not auth.can_organise(principal, activity.county_code):
        raise forbidden("county_forbidden", "Only the organising county records attendance and outcomes")
    if activity.status == ActivityStatus.cancelled:
        raise conflict("activity_cancelled", f"Activity {activity_id} was cancelled")
    return activity


async def registrations(session: AsyncSession, principal: Principal, activity_id: str) -> list[Registration]:
    await registrations_visible(session, principal, activity_id)
    return list(await ActivityRepository(session).registrations([activity_id]))


async def registrations_visible(session: AsyncSession, principal: Principal, activity_id: str) -> None:
    if not principal.is_role(Role.city_admin, Role.county_admin, Role.auditor):
        raise forbidden("role_not_allowed", "Only the organiser sees the sign-ups")
    activity = await get(session, principal, activity_id)
    if not (auth.can_organise(principal, activity.county_code) or principal.is_role(Role.auditor)):
        raise forbidden("county_forbidden", "Only the organising county sees the sign-ups")


async def registration_page(
    session: AsyncSession, principal: Principal, activity_id: str, order: str, cursor: str | None, limit: int
) -> tuple[list[Registration], int, str | None]:
    await registrations_visible(session, principal, activity_id)
    return await ActivityRepository(session).registration_page(
        activity_id, REGISTRATION_ORDERS[order], cursor, limit
    )


async def record_attendance(
    session: AsyncSession, principal: Principal, activity_id: str, data: AttendanceRecord
) -> list[Registration]:
    await _organised(session, principal, activity_id)
    registrations = {r.id: r for r in await ActivityRepository(session).registrations([activity_id])}
    unknown = sorted(set(data.registration_ids) - set(registrations))
    if unknown:
        raise refuse(
            "unknown_registration",
            "registration_ids",
            f"Not sign-ups of this activity: {', '.join(map(str, unknown))}",
            "报名记录不存在",
        )
    for registration_id in data.registration_ids:
        registrations[registration_id].attended = True
    return list(registrations.values())


async def record_outcome(
    session: AsyncSession, principal: Principal, activity_id: str, data: OutcomeRecord
) -> Activity:
    activity = await _organised(session, principal, activity_id)
    activity.status, activity.contacts_made, activity.outcome_notes = (
        ActivityStatus.held,
        data.contacts_made,
        data.notes,
    )
    await audit_log.append(
        session,
        actor=principal,
        action="activity.held",
        entity_type="activity",
        entity_id=activity_id,
        data=data.model_dump(),
    )
    return activity


async def stats(session: AsyncSession, principal: Principal, programme: str) -> ActivityStats:
    if not principal.is_role(*auth.OFFICIALS):
        raise forbidden("role_not_allowed", "Activity statistics are for officials")
    county = principal.county if principal.is_role(Role.county_admin) else None
    repository = ActivityRepository(session)
    held = [
        a
        for a in await repository.filtered(programme=programme, kind=None, county_code=county, after=None)
        if a.status == ActivityStatus.held
    ]
    attended = [r for r in await repository.registrations([a.activity_id for a in held]) if r.attended]
    engagements = await repository.engagements_of(sorted({r.uscc for r in attended if r.uscc}))
    by_id = {a.activity_id: a for a in held}
    kinds = []
    for kind in ActivityKind:
        mine = [r for r in attended if by_id[r.activity_id].kind == kind]
        followed = {
            e.engagement_id
            for r in mine
            if r.uscc
            for e in engagements
            if e.uscc == r.uscc and e.created_at >= by_id[r.activity_id].starts_at
        }
        kinds.append(
            KindStats(
                kind=kind,
                held=sum(1 for a in held if a.kind == kind),
                attendees=len(mine),
                contacts_made=sum(a.contacts_made for a in held if a.kind == kind),
                trained_by_role=dict(sorted(Counter(r.trainee_role for r in mine if r.trainee_role).items())),
                engagements_followed=len(followed),
            )
        )
    return ActivityStats(programme=programme, kinds=kinds)
