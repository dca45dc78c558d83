import base64
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from services.assessment.db import audit_log
from services.assessment.report import service, xlsx
from services.assessment.report.schemas import (
    BelowTargetList,
    EnterpriseReport,
    LevelDistribution,
    PdfDocument,
)
from szcore.auth import CurrentPrincipal
from szcore.readaudit import record_reads
from szcore.service import DbSession

router = APIRouter(tags=["report"])

TargetLevel = Annotated[int, Query(ge=1, le=4, description="Target maturity level (seeds: 2)")]


@router.get(
    "/enterprises/{uscc}/report",
    response_model=EnterpriseReport,
    summary="An enterprise's assessment report as data (radar, scenario levels, before/after)",
)
async def enterprise_report(uscc: str, session: DbSession, principal: CurrentPrincipal) -> EnterpriseReport:
    report = await service.enterprise_report(session, principal, uscc)
    await record_reads(session, audit_log, principal, "assessment_report", [report.uscc])
    return report


@router.get(
    "/enterprises/{uscc}/report.pdf",
    summary="An enterprise's assessment report as PDF",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
async def enterprise_report_pdf(uscc: str, session: DbSession, principal: CurrentPrincipal) -> Response:
    report = await service.enterprise_report(session, principal, uscc)
    await record_reads(session, audit_log, principal, "assessment_report", [report.uscc])
    return Response(
        service.report_pdf(report),
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="assessment-{report.uscc}.pdf"'},
    )


@router.get(
    "/enterprises/{uscc}/report.pdf.json",
    response_model=PdfDocument,
    summary="An enterprise's assessment report as base64 PDF inside JSON",
)
async def enterprise_report_pdf_json(
    uscc: str, session: DbSession, principal: CurrentPrincipal
) -> PdfDocument:
    report = await service.enterprise_report(session, principal, uscc)
    await record_reads(session, audit_log, principal, "assessment_report", [report.uscc])
    return PdfDocument(
        filename=f"assessment-{report.uscc}.pdf", base64=base64.b64encode(service.report_pdf(report)).decode()
    )


@router.get(
    "/programme/levels",
    response_model=LevelDistribution,
    summary="Level distribution before/after by industry or county; share of above-scale at target",
)
async def level_distribution(
    session: DbSession,
    principal: CurrentPrincipal,
    group_by: Literal["industry", "county"] = "industry",
    target_level: TargetLevel = 2,
) -> LevelDistribution:
    distribution, exposed = await service.level_distribution_exposing(
        session, principal, group_by, target_level
    )
    await record_reads(session, audit_log, principal, "level_distribution", exposed)
    return distribution


@router.get(
    "/programme/below-target",
    response_model=BelowTargetList,
    summary="Enterprises not (yet) certified at the target level",
)
async def below_target(
    session: DbSession,
    principal: CurrentPrincipal,
    target_level: TargetLevel = 2,
    cursor: str | None = None,
    limit: Annotated[
        int | None, Query(ge=1, le=200, description="Page size; without it and a cursor, all")
    ] = None,
    order: Annotated[
        Literal["uscc", "level_lowest"], Query(description="Sort order of a page; keep it while paging")
    ] = "uscc",
) -> BelowTargetList:
    if limit is None and cursor is None:
        data = await service.below_target(session, principal, target_level)
    else:
        data = await service.below_target_page(session, principal, target_level, order, cursor, limit or 50)
    await record_reads(session, audit_log, principal, "below_target", [i.uscc for i in data.items])
    return data


@router.get(
    "/programme/below-target.xlsx",
    summary="Enterprises below the target level as XLSX",
    response_class=Response,
    responses={200: {"content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}},
)
async def below_target_xlsx(
    session: DbSession, principal: CurrentPrincipal, target_level: TargetLevel = 2
) -> Response:
    data = await service.below_target(session, principal, target_level)
    await record_reads(session, audit_log, principal, "below_target_export", [i.uscc for i in data.items])
    return Response(
        xlsx.below_target_xlsx(data),
        media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"content-disposition": f'attachment; filename="below-level-{target_level}.xlsx"'},
    )
