from typing import Annotated

from fastapi import APIRouter, Query

from services.enrollment.programme import service
from services.enrollment.programme.models import Programme
from services.enrollment.programme.schemas import (
    ProgrammeConfig,
    ProgrammeList,
    ProgrammeProgress,
    ProgrammeRead,
    ProgrammeSummary,
    ProgrammeVersionList,
    ProgrammeVersionRead,
    SeedResult,
    SeedResults,
)
from szcore.auth import CurrentPrincipal, Principal, Role, require_roles
from szcore.errors import FieldError, bad_request
from szcore.service import DbSession

router = APIRouter(prefix="/programmes", tags=["programme"])


def read(programme: Programme) -> ProgrammeRead:
    return ProgrammeRead(
        id=programme.id,
        version=programme.version,
        city_code=programme.city_code,
        city_name=programme.city_name,
        name=programme.name,
        config=ProgrammeConfig.model_validate(programme.config),
        updated_by=programme.updated_by,
        updated_at=programme.updated_at,
    )


@router.post("/seed", response_model=SeedResults, summary="Load the seed cities' presets (city admin)")
async def seed_presets(
    session: DbSession,
    principal: CurrentPrincipal,
    city: Annotated[list[str], Query(description="Preset names (default: all five)")] = [],  # noqa: B006
) -> SeedResults:
    return SeedResults(items=await service.seed(session, principal, city))


@router.get("", response_model=ProgrammeList, summary="All programmes")
async def list_programmes(session: DbSession, principal: CurrentPrincipal) -> ProgrammeList:
    return ProgrammeList(
        items=[
            ProgrammeSummary(
                id=p.id,
                version=p.version,
                city_code=p.city_code,
                city_name=p.city_name,
                name=p.name,
                updated_at=p.updated_at,
            )
            for p in await service.list_all(session)
        ]
    )


@router.put(
    "/{programme_id}",
    response_model=SeedResult,
    summary="Create a programme or store a new version of its configuration (city admin)",
)
async def configure_programme(
    programme_id: str,
    config: ProgrammeConfig,
    session: DbSession,
    # A dependency: the role is refused before the body is validated (a refused role learns nothing).
    principal: Annotated[Principal, require_roles(Role.city_admin)],
) -> SeedResult:
    if config.id != programme_id:
        raise bad_request(
            "programme_id_mismatch",
            f"The body is programme {config.id}, the path {programme_id}",
            [FieldError("id", "programme_id_mismatch", "differs from the path", "与路径中的编号不一致")],
        )
    return await service.store(session, principal, config, "api")


@router.get("/{programme_id}", response_model=ProgrammeRead, summary="A programme's current configuration")
async def get_programme(programme_id: str, session: DbSession, principal: CurrentPrincipal) -> ProgrammeRead:
    return read(await service.get(session, programme_id))


@router.get(
    "/{programme_id}/versions",
    response_model=ProgrammeVersionList,
    summary="A programme's configuration history",
)
async def list_versions(
    programme_id: str, session: DbSession, principal: CurrentPrincipal
) -> ProgrammeVersionList:
    return ProgrammeVersionList(
        items=[ProgrammeVersionRead.model_validate(v) for v in await service.versions(session, programme_id)]
    )


@router.get(
    "/{programme_id}/progress",
    response_model=ProgrammeProgress,
    summary="Target table progress: targets next to admissions and honours counted, per year",
)
async def programme_progress(
    programme_id: str, session: DbSession, principal: CurrentPrincipal
) -> ProgrammeProgress:
    return await service.progress_of(session, principal, programme_id)
