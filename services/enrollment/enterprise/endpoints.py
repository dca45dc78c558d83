import base64
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response, status
from pydantic import BaseModel, Field

from services.enrollment.db import audit_log
from services.enrollment.enterprise import service
from services.enrollment.enterprise.models import AdmissionStatus, SizeClass, SrdiStatus
from services.enrollment.enterprise.repository import EnterpriseFilter
from services.enrollment.enterprise.schemas import (
    EnterpriseCreate,
    EnterpriseHistory,
    EnterpriseList,
    EnterprisePatch,
    EnterpriseRead,
    EnterpriseVersionRead,
)
from szcore.auth import CurrentPrincipal, Principal
from szcore.masking import Personal, mask, mask_fields, needs
from szcore.readaudit import ReadList, list_reads, record_reads
from szcore.service import DbSession

router = APIRouter(prefix="/enterprises", tags=["enterprise"])

MAX_BATCH = 500
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PERSONAL = {
    "contact_name": Personal.name,
    "contact_phone": Personal.phone,
    "contact_email": Personal.email,
    "officer_name": Personal.name,
    "officer_phone": Personal.phone,
    "officer_email": Personal.email,
}


def dossier(principal: Principal, enterprise: object) -> EnterpriseRead:
    """The dossier as this principal may see it: personal data masked for roles that do not need it."""
    read = EnterpriseRead.model_validate(enterprise)
    return EnterpriseRead.model_validate(mask_fields(principal, read.model_dump(), PERSONAL))


def version(principal: Principal, row: object) -> EnterpriseVersionRead:
    read = EnterpriseVersionRead.model_validate(row)
    for field, kind in PERSONAL.items():
        if field in read.changes and not needs(principal, kind):
            read.changes[field] = [mask(kind, v) if isinstance(v, str) else v for v in read.changes[field]]
    return read


@router.post(
    "", status_code=status.HTTP_201_CREATED, response_model=EnterpriseRead, summary="Register an enterprise"
)
async def register_enterprise(
    data: EnterpriseCreate, session: DbSession, principal: CurrentPrincipal
) -> EnterpriseRead:
    enterprise = await service.register(session, principal, data)
    return EnterpriseRead.model_validate(enterprise)


def enterprise_filter(
    county_code: Annotated[str | None, Query(description="所属区县")] = None,
    programme_id: Annotated[str | None, Query(description="试点项目")] = None,
    pilot_industry: Annotated[str | None, Query(description="试点行业 code")] = None,
    industry_code: Annotated[str | None, Query(description="国民经济行业分类 prefix, e.g. C34")] = None,
    batch_id: Annotated[str | None, Query(description="批次")] = None,
    status: Annotated[AdmissionStatus | None, Query(description="入选状态")] = None,
    size_class: Annotated[SizeClass | None, Query(description="规上/规下")] = None,
    srdi_status: Annotated[SrdiStatus | None, Query(description="专精特新类型")] = None,
    q: Annotated[str | None, Query(max_length=100, description="Name or USCC contains")] = None,
) -> EnterpriseFilter:
    return EnterpriseFilter(
        county_code=county_code,
        programme_id=programme_id,
        pilot_industry=pilot_industry,
        industry_code=industry_code,
        batch_id=batch_id,
        admission_status=status,
        size_class=size_class,
        srdi_status=srdi_status,
        text=q or None,
    )


Filters = Annotated[EnterpriseFilter, Depends(enterprise_filter)]


@router.get(
    "",
    response_model=EnterpriseList,
    summary="Enterprises: by USCC (batch read) or filtered, with keyset pagination and the total count",
)
async def list_enterprises(
    session: DbSession,
    principal: CurrentPrincipal,
    where: Filters,
    uscc: Annotated[list[str], Query(max_length=MAX_BATCH, description="USCCs to fetch (batch read)")] = [],  # noqa: B006
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    order: Annotated[
        Literal["uscc", "registered_newest", "registered_oldest", "name"],
        Query(description="Sort order; keep it while paging with the cursor"),
    ] = "uscc",
) -> EnterpriseList:
    if uscc:
        enterprises = await service.list_by_uscc(session, principal, uscc)
        await record_reads(session, audit_log, principal, "dossier", [e.uscc for e in enterprises])
        return EnterpriseList(items=[dossier(principal, e) for e in enterprises])
    items, total, next_cursor = await service.search(session, principal, where, cursor, limit, order)
    await record_reads(session, audit_log, principal, "dossier", [e.uscc for e in items])
    return EnterpriseList(items=[dossier(principal, e) for e in items], total=total, next_cursor=next_cursor)


@router.get(
    "/by-batch",
    response_model=EnterpriseList,
    summary="Enterprises of several programme batches (batch read by batch id)",
)
async def enterprises_of_batches(
    session: DbSession,
    principal: CurrentPrincipal,
    batch_id: Annotated[list[str], Query(max_length=MAX_BATCH, description="Batch ids")],
) -> EnterpriseList:
    enterprises = await service.of_batches(session, principal, batch_id)
    await record_reads(session, audit_log, principal, "dossier", [e.uscc for e in enterprises])
    return EnterpriseList(items=[dossier(principal, e) for e in enterprises])


@router.get(
    "/export.xlsx",
    summary="XLSX of the filtered list in the official layout (序号, 企业名称, 统一社会信用代码, ...)",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}},
)
async def export_enterprises(session: DbSession, principal: CurrentPrincipal, where: Filters) -> Response:
    content = await service.export_xlsx(session, principal, where)
    return Response(
        content,
        media_type=XLSX,
        headers={"content-disposition": 'attachment; filename="enterprises.xlsx"'},
    )


class ExportFile(BaseModel):
    filename: str
    content_type: str
    content_base64: str = Field(description="The XLSX workbook, base64-encoded")


@router.get(
    "/export",
    response_model=ExportFile,
    summary="The same XLSX as /enterprises/export.xlsx, base64 in JSON (for the GraphQL gateway)",
)
async def export_enterprises_json(
    session: DbSession, principal: CurrentPrincipal, where: Filters
) -> ExportFile:
    content = await service.export_xlsx(session, principal, where)
    return ExportFile(
        filename="enterprises.xlsx", content_type=XLSX, content_base64=base64.b64encode(content).decode()
    )


@router.get("/{uscc}", response_model=EnterpriseRead, summary="One enterprise dossier")
async def get_enterprise(uscc: str, session: DbSession, principal: CurrentPrincipal) -> EnterpriseRead:
    enterprise = await service.get(session, principal, uscc)
    await record_reads(session, audit_log, principal, "dossier", [enterprise.uscc])
    return dossier(principal, enterprise)


@router.patch(
    "/{uscc}",
    response_model=EnterpriseRead,
    summary="Change a dossier (enterprise: own contacts and figures; county: own county; city: any)",
)
async def update_enterprise(
    uscc: str, patch: EnterprisePatch, session: DbSession, principal: CurrentPrincipal
) -> EnterpriseRead:
    return dossier(principal, await service.update(session, principal, uscc, patch))


@router.get("/{uscc}/history", response_model=EnterpriseHistory, summary="Every version of a dossier")
async def enterprise_history(uscc: str, session: DbSession, principal: CurrentPrincipal) -> EnterpriseHistory:
    versions = await service.history(session, principal, uscc)
    await record_reads(session, audit_log, principal, "dossier_history", [v.uscc for v in versions[:1]])
    return EnterpriseHistory(uscc=uscc.strip().upper(), items=[version(principal, v) for v in versions])


@router.get(
    "/{uscc}/reads",
    response_model=ReadList,
    summary="Who read this dossier (its financial figures) other than the enterprise: city, auditors, itself",
)
async def reads(uscc: str, session: DbSession, principal: CurrentPrincipal) -> ReadList:
    return await list_reads(session, audit_log, principal, uscc)
