from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.funding.db import audit_log
from services.funding.report import service
from services.funding.report.schemas import EnterpriseStatement, FundsReport, PerformanceReport
from services.funding.spreadsheet import XLSX, to_xlsx
from szcore.auth import CurrentPrincipal
from szcore.readaudit import record_reads
from szcore.service import DbSession

router = APIRouter(prefix="/reports", tags=["report"])

GroupBy = Annotated[
    str, Query(pattern="^(source|year|county|industry)$", description="source, year, county, industry")
]
COLUMNS = ["key", "allocated_fen", "committed_fen", "paid_fen", "recovery_raised_fen", "recovered_fen"]


@router.get(
    "/funds",
    response_model=FundsReport,
    summary="Funds allocated, committed, paid, recovered, by a dimension",
)
async def funds(
    session: DbSession,
    principal: CurrentPrincipal,
    group_by: GroupBy = "source",
    policy_key: str | None = None,
) -> FundsReport:
    return await service.funds(session, principal, group_by, policy_key)


@router.get(
    "/funds.xlsx",
    summary="The funds report by source, year, county and industry as XLSX",
    response_class=Response,
    responses={200: {"content": {XLSX: {"schema": {"type": "string", "format": "binary"}}}}},
)
async def funds_xlsx(
    session: DbSession, principal: CurrentPrincipal, policy_key: str | None = None
) -> Response:
    sheets = {}
    for group_by in ("source", "year", "county", "industry"):
        report = await service.funds(session, principal, group_by, policy_key)
        rows = [[getattr(row, c) for c in COLUMNS] for row in [*report.rows, report.totals]]
        sheets[group_by] = (COLUMNS, rows)
    return Response(
        to_xlsx(sheets), media_type=XLSX, headers={"content-disposition": 'attachment; filename="funds.xlsx"'}
    )


@router.get(
    "/enterprises/{uscc}/statement",
    response_model=EnterpriseStatement,
    summary="One enterprise's claims, payments and recoveries (对账单)",
)
async def statement(uscc: str, session: DbSession, principal: CurrentPrincipal) -> EnterpriseStatement:
    statement = await service.statement(session, principal, uscc)
    await record_reads(session, audit_log, principal, "statement", [statement.uscc])
    return statement


@router.get(
    "/performance", response_model=PerformanceReport, summary="Performance figures (绩效): execution rate"
)
async def performance(
    session: DbSession, principal: CurrentPrincipal, policy_key: str | None = None
) -> PerformanceReport:
    return await service.performance(session, principal, policy_key)
