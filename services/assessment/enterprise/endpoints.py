from typing import Annotated

from fastapi import APIRouter, Query

from services.assessment.db import audit_log
from services.assessment.enterprise import service
from services.assessment.enterprise.schemas import EnterpriseProfile, EnterpriseProfileList
from szcore.auth import CurrentPrincipal
from szcore.readaudit import ReadList, list_reads
from szcore.service import DbSession

router = APIRouter(prefix="/enterprises", tags=["enterprise"])


@router.get("", response_model=EnterpriseProfileList, summary="Assessment profiles by USCC (batch read)")
async def list_profiles(
    session: DbSession, principal: CurrentPrincipal, uscc: Annotated[list[str], Query(max_length=500)]
) -> EnterpriseProfileList:
    copies = await service.list_by_uscc(session, principal, uscc)
    return EnterpriseProfileList(items=[EnterpriseProfile.model_validate(c) for c in copies])


@router.get("/{uscc}", response_model=EnterpriseProfile, summary="An enterprise's assessment profile")
async def get_profile(uscc: str, session: DbSession, principal: CurrentPrincipal) -> EnterpriseProfile:
    return EnterpriseProfile.model_validate(await service.get(session, principal, uscc))


@router.get(
    "/{uscc}/reads",
    response_model=ReadList,
    summary="Who read this enterprise's assessments (city, auditors, and the enterprise itself)",
)
async def reads(uscc: str, session: DbSession, principal: CurrentPrincipal) -> ReadList:
    return await list_reads(session, audit_log, principal, uscc)
