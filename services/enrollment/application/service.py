import uuid
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.application import auth, events
from services.enrollment.application.models import Application, ApplicationAction, Objection, ObjectionStatus
from services.enrollment.application.repository import ApplicationRepository
from services.enrollment.application.schemas import ApplicationCreate, Funnel, FunnelRow
from services.enrollment.application.workflow import (
    Action,
    Decision,
    State,
    Status,
    Step,
    TransitionRefused,
    current_step,
    may_ever,
    submitted,
    transition,
)
from services.enrollment.db import audit_log, outbox
from services.enrollment.enterprise import service as enterprise_service
from services.enrollment.enterprise.models import AdmissionStatus, Enterprise
from services.enrollment.expert import service as expert_service
from services.enrollment.programme.schemas import ProgrammeConfig
from services.enrollment.programme.service import config_of
from szcore.auth import Principal, Role
from szcore.errors import FieldError, ProblemError, bad_request, conflict, forbidden, not_found
from szcore.keyset import Order
from szcore.types import utcnow


def steps_of(config: ProgrammeConfig) -> list[Step]:
    return [Step(step.code, step.role) for step in config.review_steps]


def current_step_code(application: Application, config: ProgrammeConfig) -> str | None:
    step = current_step(State(application.status, application.step_index), steps_of(config))
    return step.code if step else None


def unknown_batch(batch_id: str, field: str = "batch_id") -> ProblemError:
    return bad_request(
        "unknown_batch",
        f"No batch {batch_id} in the programme",
        [FieldError(field, "unknown_batch", "no such batch", "批次不存在")],
    )


async def submit(session: AsyncSession, principal: Principal, data: ApplicationCreate) -> Application:
    auth.authorize_submit(principal)
    enterprise = await enterprise_service.get(session, principal, data.uscc)
    config = await config_of(session, data.programme_id)
    errors = []
    batch = config.batch(data.batch_id)
    if batch is None:
        errors.append(FieldError("batch_id", "unknown_batch", "no such batch", "批次不存在"))
    elif config.enforce_application_windows and batch.application_window is not None:
        window, today = batch.application_window, utcnow().date()
        if not window.start <= today <= window.end:
            errors.append(
                FieldError(
                    "batch_id",
                    "application_window_closed",
                    f"applications to this batch run {window.start} to {window.end}",
                    f"本批次申报时间为{window.start}至{window.end}",
                )
            )
    if enterprise.programme_id not in (None, config.id):
        errors.append(
            FieldError(
                "programme_id",
                "programme_mismatch",
                "the dossier belongs to another programme",
                "企业档案属于其他试点项目",
            )
        )
    if not config.county_allowed(enterprise.county_code):
        errors.append(
            FieldError(
                "county_code",
                "county_not_in_programme",
                "county is not part of the programme",
                "该区县不在试点范围内",
            )
        )
    for declaration in config.declarations:
        if data.declarations.get(declaration.code) is not True:
            errors.append(
                FieldError(
                    f"declarations.{declaration.code}",
                    "declaration_missing",
                    "must be declared",
                    f"须承诺：{declaration.text}",
                )
            )
    unknown = sorted(set(data.declarations) - {d.code for d in config.declarations})
    errors += [
        FieldError(
            f"declarations.{code}",
            "unknown_declaration",
            "not a declaration of the programme",
            "非本项目的承诺项",
        )
        for code in unknown
    ]
    if errors:
        raise bad_request("invalid_application", "; ".join(f"{e.field}: {e.message}" for e in errors), errors)
    repository = ApplicationRepository(session)
    await repository.lock_enterprise(enterprise.uscc)
    if await repository.active_for(enterprise.uscc, config.id) is not None:
        raise conflict(
            "application_exists",
            f"{enterprise.uscc} already has an open application to {config.id}",
            [FieldError("uscc", "application_exists", "an application is open", "已有进行中的申报")],
        )
    now = utcnow()
    state = submitted()
    application = Application(
        id=str(uuid.uuid4()),
        uscc=enterprise.uscc,
        programme_id=config.id,
        batch_id=data.batch_id,
        county_code=enterprise.county_code,
        status=state.status,
        step_index=state.step_index,
        declarations=data.declarations,
        submitted_by=principal.subject,
        submitted_by_county=principal.role != Role.enterprise,
        submitted_at=now,
        updated_at=now,
    )
    repository.add(application)
    await record(session, principal, application, enterprise, "submit", None, application.status, now=now)
    await outbox.add(
        session,
        events.application_submitted(application),
        aggregate_type="application",
        aggregate_id=application.id,
    )
    return application


def _require_role(principal: Principal, *actions: Action) -> None:
    # Before any lookup: a role that may never take the action learns nothing about which applications exist.
    if not any(may_ever(action, principal.role.value) for action in actions):
        raise forbidden("role_not_allowed", f"Role {principal.role.value} may not {actions[0].value}")


async def get(session: AsyncSession, principal: Principal, application_id: str) -> Application:
    application = await ApplicationRepository(session).get(application_id)
    if application is None or not auth.can_read(principal, application):
        raise not_found("application_not_found", f"No application {application_id} visible to you")
    return application


async def detail(
    session: AsyncSession, principal: Principal, application_id: str
) -> tuple[Application, Any, Any, str | None]:
    application = await get(session, principal, application_id)
    repository = ApplicationRepository(session)
    config = await config_of(session, application.programme_id)
    return (
        application,
        await repository.actions(application.id),
        await repository.objections(application.id),
        current_step_code(application, config),
    )


async def page(
    session: AsyncSession,
    principal: Principal,
    *,
    programme_id: str | None,
    batch_id: str | None,
    status: Status | None,
    county_code: str | None,
    after: list[Any] | None,
    limit: int,
    order: Order,
) -> tuple[Sequence[Application], int]:
    if principal.role == Role.provider:
        raise forbidden("role_not_allowed", "Providers do not see applications")
    own_county = principal.county if principal.role in (Role.county_admin, Role.county_system) else None
    if own_county and county_code and county_code != own_county:
        return [], 0
    return await ApplicationRepository(session).page(
        county_code=own_county or county_code,
        uscc=principal.uscc if principal.role == Role.enterprise else None,
        programme_id=programme_id,
        batch_id=batch_id,
        status=status,
        after=after,
        limit=limit,
        order=order,
    )


async def of_enterprises(
    session: AsyncSession, principal: Principal, usccs: Sequence[str]
) -> Sequence[Application]:
    """The applications of several enterprises, scoped exactly like `page`."""
    if principal.role == Role.provider:
        raise forbidden("role_not_allowed", "Providers do not see applications")
    own_county = principal.county if principal.role in (Role.county_admin, Role.county_system) else None
    wanted = list(dict.fromkeys(u.upper() for u in usccs))
    if not wanted:
        return []
    return await ApplicationRepository(session).of_usccs(
        wanted,
        county_code=own_county,
        uscc=(principal.uscc or "") if principal.role == Role.enterprise else None,
    )


async def act(
    session: AsyncSession,
    principal: Principal,
    application_id: str,
    action: Action,
    *,
    decision: Decision | None = None,
    comment: str | None = None,
    expected_step: str | None = None,
) -> Application:
    """Runs one workflow transition: checks it with the pure state machine, then stores, audits and emits."""
    _require_role(principal, action)
    application = await get(session, principal, application_id)
    config = await config_of(session, application.programme_id)
    if expected_step is not None and current_step_code(application, config) != expected_step:
        raise conflict(
            "step_already_decided",
            f"Step {expected_step} is no longer open on this application; reload it",
        )
    return await _transition(
        session, principal, application, config, action, decision=decision, comment=comment
    )


async def _transition(
    session: AsyncSession,
    principal: Principal,
    application: Application,
    config: ProgrammeConfig,
    action: Action,
    *,
    decision: Decision | None = None,
    comment: str | None = None,
    new_batch_id: str | None = None,
) -> Application:
    repository = ApplicationRepository(session)
    now = utcnow()
    before = State(
        application.status,
        application.step_index,
        application.notice_ends_at,
        await repository.open_objections(application.id),
    )
    step = current_step_code(application, config)
    open_step = current_step(State(application.status, application.step_index), steps_of(config))
    if action == Action.review and open_step and open_step.role == principal.role.value == Role.expert.value:
        await expert_service.check_reviewer(session, principal, application)
    try:
        after = transition(
            before,
            action,
            principal.role.value,
            steps_of(config),
            now=now,
            decision=decision,
            objection_window=timedelta(days=config.objection_window_days),
        )
    except TransitionRefused as refused:
        if refused.by_role:
            raise forbidden(refused.code, str(refused)) from None
        raise conflict(refused.code, str(refused)) from None
    if not await repository.take(application, before.status, before.step_index, now):
        raise conflict(
            "concurrent_update",
            "Someone else acted on this application at the same time; reload it and try again",
        )
    from_status = application.status
    application.status, application.step_index = after.status, after.step_index
    application.notice_ends_at = after.notice_ends_at
    application.updated_at = now
    if after.status == Status.admitted and from_status != Status.admitted:
        application.admitted_at = now
    if action in (Action.withdraw, Action.disqualify, Action.replaced):
        application.reason = comment
    from_batch = application.batch_id
    if new_batch_id is not None:
        application.batch_id = new_batch_id
    enterprise = await enterprise_service.get(session, principal_for_mirror(principal), application.uscc)
    await record(
        session,
        principal,
        application,
        enterprise,
        action.value,
        from_status,
        after.status,
        step=step if action == Action.review else None,
        decision=decision,
        comment=comment,
        now=now,
        extra={"from_batch_id": from_batch} if from_batch != application.batch_id else None,
    )
    await emit(
        session, application, config, enterprise, action, from_status, step, decision, principal, comment
    )
    return application


def principal_for_mirror(principal: Principal) -> Principal:
    # The enterprise row is read to mirror the status on it; the caller's own reading rights were checked
    # on the application already (an expert may decide a step without seeing the dossier list).
    return Principal(subject=principal.subject, role=Role.city_admin)


async def emit(
    session: AsyncSession,
    application: Application,
    config: ProgrammeConfig,
    enterprise: Enterprise,
    action: Action,
    from_status: Status,
    step: str | None,
    decision: Decision | None,
    principal: Principal,
    comment: str | None,
) -> None:
    payload: Any = None
    if action == Action.review:
        payload = events.application_reviewed(
            application, step or "", decision.value if decision else "", principal.role.value
        )
    elif action == Action.resubmit:
        payload = events.application_submitted(application)
    elif application.status == Status.admitted and from_status != Status.admitted:
        batch = config.batch(application.batch_id)
        payload = events.enterprise_admitted(
            application, batch.number if batch else 0, enterprise.pilot_industry or ""
        )
    elif action == Action.withdraw:
        payload = events.enterprise_withdrawn(application, comment or "")
    elif action == Action.disqualify:
        payload = events.enterprise_disqualified(application, comment or "")
    if payload is not None:
        await outbox.add(session, payload, aggregate_type="application", aggregate_id=application.id)


async def record(
    session: AsyncSession,
    principal: Principal,
    application: Application,
    enterprise: Enterprise,
    action: str,
    from_status: Status | None,
    to_status: Status,
    *,
    now: Any,
    step: str | None = None,
    decision: Decision | None = None,
    comment: str | None = None,
    extra: dict[str, Any] | None = None,
) -> None:
    """The transition's trace: action row, the status mirrored on the dossier, the audit record."""
    ApplicationRepository(session).add(
        ApplicationAction(
            application_id=application.id,
            action=action,
            step=step,
            decision=decision.value if decision else None,
            from_status=(from_status or to_status).value,
            to_status=to_status.value,
            actor_subject=principal.subject,
            actor_role=principal.role.value,
            comment=comment,
            occurred_at=now,
        )
    )
    enterprise.admission_status = AdmissionStatus(to_status.value)
    enterprise.batch_id = application.batch_id
    await session.flush()
    await audit_log.append(
        session,
        actor=principal,
        action=f"application.{action}",
        entity_type="application",
        entity_id=application.id,
        data={
            "uscc": application.uscc,
            "from": from_status.value if from_status else None,
            "to": to_status.value,
            "step": step,
            "decision": decision.value if decision else None,
            "batch_id": application.batch_id,
            "comment": comment,
            **(extra or {}),
        },
    )


async def transfer(
    session: AsyncSession, principal: Principal, application_id: str, to_batch_id: str, reason: str
) -> Application:
    _require_role(principal, Action.transfer)
    application = await get(session, principal, application_id)
    config = await config_of(session, application.programme_id)
    if config.batch(to_batch_id) is None:
        raise unknown_batch(to_batch_id, "to_batch_id")
    if to_batch_id == application.batch_id:
        raise conflict("same_batch", "The application is already in that batch")
    from_batch = application.batch_id
    await _transition(
        session, principal, application, config, Action.transfer, comment=reason, new_batch_id=to_batch_id
    )
    await outbox.add(
        session,
        events.enterprise_transferred(application, from_batch),
        aggregate_type="application",
        aggregate_id=application.id,
    )
    return application


async def replace(
    session: AsyncSession, principal: Principal, application_id: str, replacement_id: str, reason: str
) -> tuple[Application, Application]:
    """The admitted enterprise leaves; the replacement (past its public notice) takes its batch place."""
    _require_role(principal, Action.replaced)
    leaving = await get(session, principal, application_id)
    replacement = await get(session, principal, replacement_id)
    if replacement.programme_id != leaving.programme_id or replacement.id == leaving.id:
        raise bad_request(
            "invalid_replacement",
            "The replacement must be another application of the same programme",
            [
                FieldError(
                    "replacement_application_id",
                    "invalid_replacement",
                    "not a replacement for this place",
                    "替补申报无效",
                )
            ],
        )
    if leaving.status != Status.admitted:
        raise conflict(
            "invalid_transition",
            f"Only an admitted place can be replaced; this one is {leaving.status.value}",
        )
    config = await config_of(session, leaving.programme_id)
    # The replacement goes first: it is the step most likely to be refused (notice running, objections).
    await _transition(
        session,
        principal,
        replacement,
        config,
        Action.admit_as_replacement,
        comment=reason,
        new_batch_id=leaving.batch_id,
    )
    await _transition(session, principal, leaving, config, Action.replaced, comment=reason)
    leaving.replaced_by, replacement.replaces = replacement.id, leaving.id
    await outbox.add(
        session,
        events.enterprise_withdrawn(leaving, reason, replaced_by_uscc=replacement.uscc),
        aggregate_type="application",
        aggregate_id=leaving.id,
    )
    return leaving, replacement


async def raise_objection(
    session: AsyncSession, principal: Principal, application_id: str, content: str
) -> Objection:
    _require_role(principal, Action.raise_objection)
    application = await get(session, principal, application_id)
    config = await config_of(session, application.programme_id)
    await _transition(session, principal, application, config, Action.raise_objection, comment=content)
    objection = Objection(
        id=str(uuid.uuid4()),
        application_id=application.id,
        content=content,
        raised_by=principal.subject,
        raised_role=principal.role.value,
        raised_at=utcnow(),
        status=ObjectionStatus.open,
    )
    ApplicationRepository(session).add(objection)
    await session.flush()
    return objection


async def resolve_objection(
    session: AsyncSession,
    principal: Principal,
    application_id: str,
    objection_id: str,
    upheld: bool,
    resolution: str,
) -> Objection:
    _require_role(principal, Action.uphold_objection, Action.dismiss_objection)
    application = await get(session, principal, application_id)
    objection = await ApplicationRepository(session).objection(application.id, objection_id)
    if objection is None:
        raise not_found("objection_not_found", f"No objection {objection_id} on this application")
    if objection.status != ObjectionStatus.open:
        raise conflict("objection_resolved", "The objection is already resolved")
    config = await config_of(session, application.programme_id)
    await _transition(
        session,
        principal,
        application,
        config,
        Action.uphold_objection if upheld else Action.dismiss_objection,
        comment=resolution,
    )
    objection.status = ObjectionStatus.upheld if upheld else ObjectionStatus.dismissed
    objection.resolution, objection.resolved_by, objection.resolved_at = (
        resolution,
        principal.subject,
        utcnow(),
    )
    await session.flush()
    return objection


PASSED_REVIEW = (Status.approved, Status.public_notice, Status.admitted)


def funnel_row(batch_id: str, county_code: str, by_status: dict[Status, int]) -> FunnelRow:
    return FunnelRow(
        batch_id=batch_id,
        county_code=county_code,
        submitted=sum(by_status.values()),
        by_status={status: by_status.get(status, 0) for status in Status},
        passed_review=sum(by_status.get(s, 0) for s in PASSED_REVIEW),
        admitted=by_status.get(Status.admitted, 0),
    )


async def funnel(session: AsyncSession, principal: Principal, programme_id: str) -> Funnel:
    """The admission funnel per batch and county (a county sees its own)."""
    if principal.role == Role.provider:
        raise forbidden("role_not_allowed", "Providers do not see applications")
    await config_of(session, programme_id)
    own_county = principal.county if principal.role in (Role.county_admin, Role.county_system) else None
    cells: dict[tuple[str, str], dict[Status, int]] = {}
    totals: dict[Status, int] = {}
    for batch_id, county_code, status, count in await ApplicationRepository(session).funnel(
        programme_id, own_county
    ):
        cells.setdefault((batch_id, county_code), {})[status] = count
        totals[status] = totals.get(status, 0) + count
    return Funnel(
        programme_id=programme_id,
        rows=[funnel_row(batch, county, counts) for (batch, county), counts in cells.items()],
        totals=funnel_row("*", "*", totals),
    )
