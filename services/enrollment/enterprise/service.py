from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.db import audit_log, outbox
from services.enrollment.enterprise import auth, repository
from services.enrollment.enterprise.dossier import FIELDS, check_dossier, diff
from services.enrollment.enterprise.events import enterprise_registered, enterprise_updated
from services.enrollment.enterprise.export import workbook
from services.enrollment.enterprise.models import DossierSource, Enterprise, EnterpriseVersion, SrdiStatus
from services.enrollment.enterprise.repository import EnterpriseFilter, EnterpriseRepository
from services.enrollment.enterprise.schemas import EnterpriseCreate, EnterprisePatch
from services.enrollment.enterprise.uscc import uscc_error
from services.enrollment.programme.repository import ProgrammeRepository
from services.enrollment.programme.schemas import ProgrammeConfig
from szcore.auth import Principal, Role
from szcore.errors import FieldError, bad_request, conflict, forbidden, not_found
from szcore.readaudit import record_reads
from szcore.types import utcnow

SOURCE_BY_ROLE = {Role.county_system: DossierSource.county_push, Role.county_admin: DossierSource.county_push}


async def programme_config(session: AsyncSession, programme_id: str | None) -> ProgrammeConfig | None:
    if not programme_id:
        return None
    programme = await ProgrammeRepository(session).get(programme_id)
    return ProgrammeConfig.model_validate(programme.config) if programme else None


def invalid_dossier(errors: list[FieldError]) -> Exception:
    return bad_request("invalid_dossier", "; ".join(f"{e.field}: {e.message}" for e in errors), errors)


def snapshot(enterprise: Enterprise) -> dict[str, Any]:
    return {field: getattr(enterprise, field) for field in FIELDS}


async def register(session: AsyncSession, principal: Principal, data: EnterpriseCreate) -> Enterprise:
    auth.authorize_register(principal, data.county_code)
    reason = uscc_error(data.uscc)
    if reason:
        raise bad_request(
            "invalid_uscc",
            f"{data.uscc} is not a valid unified social credit code: {reason}",
            [FieldError("uscc", "invalid_uscc", reason, "统一社会信用代码无效")],
        )
    values = data.model_dump(exclude={"uscc"})
    values["srdi_status"] = values["srdi_status"] or SrdiStatus.none
    values["cloud_adopted"] = bool(values["cloud_adopted"])
    errors = check_dossier(values, await programme_config(session, data.programme_id))
    if errors:
        raise invalid_dossier(errors)
    repository = EnterpriseRepository(session)
    if await repository.get(data.uscc) is not None:
        raise conflict(
            "duplicate_uscc",
            f"An enterprise with USCC {data.uscc} is already registered",
            [FieldError("uscc", "duplicate_uscc", "already registered", "该统一社会信用代码已登记")],
        )
    now = utcnow()
    source = SOURCE_BY_ROLE.get(principal.role, DossierSource.city)
    enterprise = await repository.add(
        Enterprise(
            uscc=data.uscc,
            **values,
            source=source,
            registered_by=principal.subject,
            registered_at=now,
            updated_at=now,
            version=1,
        )
    )
    session.add(
        EnterpriseVersion(
            uscc=enterprise.uscc,
            version=1,
            source=source,
            changed_by=principal.subject,
            changed_role=principal.role.value,
            changed_at=now,
            changes=diff({}, values),
        )
    )
    await outbox.add(
        session, enterprise_registered(enterprise), aggregate_type="enterprise", aggregate_id=enterprise.uscc
    )
    await audit_log.append(
        session,
        actor=principal,
        action="enterprise.registered",
        entity_type="enterprise",
        entity_id=enterprise.uscc,
        data=data.model_dump(mode="json"),
    )
    return enterprise


async def update(
    session: AsyncSession, principal: Principal, uscc: str, patch: EnterprisePatch
) -> Enterprise:
    """Applies the fields sent; records a version and emits EnterpriseUpdated when anything changed."""
    auth.require_editor(principal)
    enterprise = await get(session, principal, uscc)
    sent = patch.model_dump(exclude_unset=True)
    source = auth.authorize_update(principal, sent, sent.get("county_code"))
    before = snapshot(enterprise)
    after = {**before, **sent}
    if "industry_code" in sent and "pilot_industry" not in sent:
        after["pilot_industry"] = None  # re-derived from the new code
    errors = check_dossier(after, await programme_config(session, after.get("programme_id")))
    if errors:
        raise invalid_dossier(errors)
    changes = diff(before, after)
    if not changes:
        return enterprise
    await record_changes(session, principal, enterprise, after, changes, source)
    await audit_log.append(
        session,
        actor=principal,
        action="enterprise.updated",
        entity_type="enterprise",
        entity_id=enterprise.uscc,
        data={"version": enterprise.version, "changes": changes},
    )
    return enterprise


async def record_changes(
    session: AsyncSession,
    principal: Principal,
    enterprise: Enterprise,
    after: dict[str, Any],
    changes: dict[str, list[Any]],
    source: DossierSource,
) -> None:
    now = utcnow()
    for field in changes:
        setattr(enterprise, field, after[field])
    enterprise.version += 1
    enterprise.updated_at = now
    session.add(
        EnterpriseVersion(
            uscc=enterprise.uscc,
            version=enterprise.version,
            source=source,
            changed_by=principal.subject,
            changed_role=principal.role.value,
            changed_at=now,
            changes=changes,
        )
    )
    await session.flush()
    await outbox.add(
        session,
        enterprise_updated(enterprise, sorted(changes), source.value),
        aggregate_type="enterprise",
        aggregate_id=enterprise.uscc,
    )


async def get(session: AsyncSession, principal: Principal, uscc: str) -> Enterprise:
    repository = EnterpriseRepository(session)
    enterprise = await repository.get(uscc.strip().upper())
    visible = enterprise is not None and (
        auth.can_read(principal, enterprise.county_code, enterprise.uscc)
        or (
            principal.role == Role.provider
            and await repository.engaged(enterprise.uscc, principal.provider_id or "")
        )
    )
    # Another county's enterprise answers exactly like a missing one, so that existence does not leak.
    if enterprise is None or not visible:
        raise not_found("enterprise_not_found", f"No enterprise {uscc} visible to you")
    return enterprise


async def history(session: AsyncSession, principal: Principal, uscc: str) -> Sequence[EnterpriseVersion]:
    enterprise = await get(session, principal, uscc)
    return await EnterpriseRepository(session).versions(enterprise.uscc)


async def list_by_uscc(
    session: AsyncSession, principal: Principal, usccs: Sequence[str]
) -> Sequence[Enterprise]:
    enterprises = await EnterpriseRepository(session).list_by_uscc(
        [u.upper() for u in usccs], auth.visible_county(principal)
    )
    return [e for e in enterprises if auth.can_read(principal, e.county_code, e.uscc)]


def scoped_filter(principal: Principal, where: EnterpriseFilter) -> EnterpriseFilter | None:
    """The filter narrowed to what the principal may see; None when it can match nothing."""
    if principal.role == Role.provider:
        raise forbidden("role_not_allowed", "Providers see enterprises through their engagements")
    own_county = auth.visible_county(principal)
    if own_county is not None:
        if where.county_code not in (None, own_county):
            return None
        where = replace(where, county_code=own_county)
    if principal.role == Role.enterprise:
        where = replace(where, uscc=principal.uscc)
    return where


async def of_batches(
    session: AsyncSession, principal: Principal, batch_ids: Sequence[str]
) -> Sequence[Enterprise]:
    """The enterprises of several batches, scoped exactly like `search`."""
    scoped = scoped_filter(principal, EnterpriseFilter())
    wanted = list(dict.fromkeys(batch_ids))
    if scoped is None or not wanted:
        return []
    return await repository.in_batches(session, scoped, wanted)


async def search(
    session: AsyncSession,
    principal: Principal,
    where: EnterpriseFilter,
    cursor: str | None,
    limit: int,
    order: str = "uscc",
) -> tuple[Sequence[Enterprise], int, str | None]:
    sort = repository.ORDERS[order]
    after = sort.decode(cursor)
    scoped = scoped_filter(principal, where)
    if scoped is None:
        return [], 0, None
    rows = await repository.page(session, scoped, sort, after, limit)
    items = rows[:limit]
    next_cursor = sort.cursor(items[-1]) if len(rows) > limit else None
    return items, await repository.count(session, scoped), next_cursor


async def export_rows(
    session: AsyncSession, principal: Principal, where: EnterpriseFilter, cap: int
) -> list[Enterprise]:
    """Every match (up to `cap`), fetched page by page along the key."""
    scoped = scoped_filter(principal, where)
    if scoped is None:
        return []
    if await repository.count(session, scoped) > cap:
        raise bad_request(
            "export_too_large",
            f"More than {cap} enterprises match; narrow the filters",
            [
                FieldError(
                    "filters", "export_too_large", f"more than {cap} rows", f"超过{cap}行，请缩小筛选范围"
                )
            ],
        )
    rows: list[Enterprise] = []
    by_uscc = repository.ORDERS["uscc"]
    after: list[Any] | None = None
    while True:
        chunk = await repository.page(session, scoped, by_uscc, after, 2000)
        rows.extend(chunk[:2000])
        if len(chunk) <= 2000:
            return rows
        after = by_uscc.key(chunk[1999])


EXPORT_CAP = 100_000


async def export_xlsx(session: AsyncSession, principal: Principal, where: EnterpriseFilter) -> bytes:
    rows = await export_rows(session, principal, where, EXPORT_CAP)
    await record_reads(session, audit_log, principal, "dossier_export", [r.uscc for r in rows])
    configs = {
        p.id: ProgrammeConfig.model_validate(p.config) for p in await ProgrammeRepository(session).list()
    }
    return workbook(rows, configs)
