from typing import Annotated

from fastapi import APIRouter, Query, status

from services.enrollment.enterprise import service
from services.enrollment.enterprise.schemas import EnterpriseCreate, EnterpriseList, EnterpriseRead
from szcore.auth import CurrentPrincipal
from szcore.service import DbSession

router = APIRouter(prefix="/enterprises", tags=["enterprise"])

MAX_BATCH = 500


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=EnterpriseRead, summary="Register an enterprise"
)
async def register_enterprise(
    data: EnterpriseCreate, session: DbSession, principal: CurrentPrincipal
) -> EnterpriseRead:
    enterprise = await service.register(session, principal, data)
    return EnterpriseRead.model_validate(enterprise)


@router.get("", response_model=EnterpriseList, summary="Enterprises by USCC (batch read)")
async def list_enterprises(
    session: DbSession,
    principal: CurrentPrincipal,
    uscc: Annotated[list[str], Query(max_length=MAX_BATCH, description="USCCs to fetch")],
) -> EnterpriseList:
    enterprises = await service.list_by_uscc(session, principal, uscc)
    return EnterpriseList(items=[EnterpriseRead.model_validate(e) for e in enterprises])


@router.get("/{uscc}", response_model=EnterpriseRead, summary="One enterprise dossier")
async def get_enterprise(uscc: str, session: DbSession, principal: CurrentPrincipal) -> EnterpriseRead:
    return EnterpriseRead.model_validate(await service.get(session, principal, uscc))
