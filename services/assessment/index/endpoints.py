import json

from fastapi import APIRouter

from services.assessment.index import service
from services.assessment.index.schemas import (
    IndexVersionDetail,
    IndexVersionList,
    IndexVersionSummary,
    IndexVersionUpload,
)
from szcore.auth import CurrentPrincipal
from szcore.service import DbSession

router = APIRouter(prefix="/index-versions", tags=["index"])


@router.get("", response_model=IndexVersionList, summary="Index versions loaded (指标版本)")
async def list_versions(session: DbSession, principal: CurrentPrincipal) -> IndexVersionList:
    versions = await service.list_versions(session)
    return IndexVersionList(items=[IndexVersionSummary.model_validate(v) for v in versions])


@router.get("/{code}", response_model=IndexVersionDetail, summary="One index version with its document")
async def get_version(code: str, session: DbSession, principal: CurrentPrincipal) -> IndexVersionDetail:
    version = await service.get(session, code)
    summary = IndexVersionSummary.model_validate(version)
    return IndexVersionDetail(**summary.model_dump(), document=json.loads(version.document))


@router.post(
    "",
    response_model=IndexVersionSummary,
    status_code=201,
    summary="Load a new index version (city admin); validated, never replaces an existing one",
)
async def load_version(
    body: IndexVersionUpload, session: DbSession, principal: CurrentPrincipal
) -> IndexVersionSummary:
    return IndexVersionSummary.model_validate(await service.load(session, principal, body.document))


@router.post(
    "/{code}/retire",
    response_model=IndexVersionSummary,
    summary="Retire an index version (city admin): no new submissions; old results stay",
)
async def retire_version(code: str, session: DbSession, principal: CurrentPrincipal) -> IndexVersionSummary:
    return IndexVersionSummary.model_validate(await service.retire(session, principal, code))
