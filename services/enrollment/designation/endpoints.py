from fastapi import APIRouter, status

from services.enrollment.designation import service
from services.enrollment.designation.schemas import DesignationCreate, DesignationList, DesignationRead
from szcore.auth import CurrentPrincipal
from szcore.service import DbSession

router = APIRouter(prefix="/enterprises", tags=["designation"])


@router.post(
    "/{uscc}/designations",
    status_code=status.HTTP_201_CREATED,
    response_model=DesignationRead,
    summary="Record an honour (样板, 标杆, 智能工厂, 链式 case, 数字领航, ...) with its evidence",
)
async def award_designation(
    uscc: str, data: DesignationCreate, session: DbSession, principal: CurrentPrincipal
) -> DesignationRead:
    return DesignationRead.model_validate(await service.award(session, principal, uscc, data))


@router.get("/{uscc}/designations", response_model=DesignationList, summary="An enterprise's honours")
async def list_designations(uscc: str, session: DbSession, principal: CurrentPrincipal) -> DesignationList:
    return DesignationList(
        items=[
            DesignationRead.model_validate(d) for d in await service.of_enterprise(session, principal, uscc)
        ]
    )
