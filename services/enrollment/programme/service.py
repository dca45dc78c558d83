from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.db import audit_log
from services.enrollment.programme import auth, repository
from services.enrollment.programme.models import Programme, ProgrammeVersion
from services.enrollment.programme.presets import PRESET_NAMES, load_preset
from services.enrollment.programme.progress import progress
from services.enrollment.programme.repository import ProgrammeRepository
from services.enrollment.programme.schemas import (
    ProgrammeConfig,
    ProgrammeProgress,
    SeedResult,
    TargetProgressRead,
)
from szcore.auth import Principal, Role
from szcore.errors import FieldError, bad_request, forbidden, not_found
from szcore.types import utcnow


async def store(
    session: AsyncSession, principal: Principal, config: ProgrammeConfig, source: str
) -> SeedResult:
    """Stores the configuration as a new version unless it equals the current one (idempotent)."""
    auth.authorize_configure(principal)
    repository = ProgrammeRepository(session)
    data = config.model_dump(mode="json")
    programme = await repository.get(config.id)
    if programme is not None and programme.config == data:
        return SeedResult(id=programme.id, version=programme.version, changed=False)
    now = utcnow()
    if programme is None:
        programme = Programme(id=config.id, version=0)
        session.add(programme)
    programme.version += 1
    programme.city_code, programme.city_name, programme.name = config.city_code, config.city_name, config.name
    programme.config, programme.updated_by, programme.updated_at = data, principal.subject, now
    await repository.add(
        ProgrammeVersion(
            programme_id=config.id,
            version=programme.version,
            config=data,
            source=source,
            created_by=principal.subject,
            created_at=now,
        )
    )
    await audit_log.append(
        session,
        actor=principal,
        action="programme.configured",
        entity_type="programme",
        entity_id=config.id,
        data={"version": programme.version, "source": source},
    )
    return SeedResult(id=programme.id, version=programme.version, changed=True)


async def seed(session: AsyncSession, principal: Principal, names: Sequence[str] = ()) -> list[SeedResult]:
    """Loads the seed cities' presets (all of them, or those named)."""
    auth.authorize_configure(principal)
    unknown = [name for name in names if name not in PRESET_NAMES]
    if unknown:
        raise bad_request(
            "unknown_preset",
            f"No preset {', '.join(unknown)}; presets: {', '.join(PRESET_NAMES)}",
            [FieldError("city", "unknown_preset", f"unknown preset {n}", "无此预置城市") for n in unknown],
        )
    return [await store(session, principal, load_preset(name), "seed") for name in (names or PRESET_NAMES)]


async def get(session: AsyncSession, programme_id: str) -> Programme:
    programme = await ProgrammeRepository(session).get(programme_id)
    if programme is None:
        raise not_found("programme_not_found", f"No programme {programme_id}")
    return programme


async def config_of(session: AsyncSession, programme_id: str) -> ProgrammeConfig:
    return ProgrammeConfig.model_validate((await get(session, programme_id)).config)


async def list_all(session: AsyncSession) -> Sequence[Programme]:
    return await ProgrammeRepository(session).list()


async def versions(session: AsyncSession, programme_id: str) -> Sequence[ProgrammeVersion]:
    await get(session, programme_id)
    return await ProgrammeRepository(session).versions(programme_id)


async def progress_of(session: AsyncSession, principal: Principal, programme_id: str) -> ProgrammeProgress:
    """The target table next to what the platform counts (admissions and honours), per year."""
    if principal.role in (Role.provider, Role.enterprise):
        raise forbidden("role_not_allowed", f"Role {principal.role.value} may not read programme progress")
    config = await config_of(session, programme_id)
    county = principal.county if principal.role in (Role.county_admin, Role.county_system) else None
    rows = progress(
        config.targets,
        await repository.admitted_of(session, programme_id, county),
        await repository.honours_of(session, programme_id, county),
    )
    return ProgrammeProgress(
        programme_id=programme_id,
        county_code=county,
        targets=[TargetProgressRead(**vars(row)) for row in rows],
    )
