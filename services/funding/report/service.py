from collections import defaultdict

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.claim.repository import ClaimRepository
from services.funding.claim.schemas import ClaimRead, PaymentRead, RecoveryRead
from services.funding.enterprise import service as enterprises
from services.funding.ledger.repository import LedgerRepository
from services.funding.report.repository import ReportRepository
from services.funding.report.schemas import EnterpriseStatement, FundsReport, FundsRow, PerformanceReport
from szcore.auth import Principal, Role
from szcore.errors import forbidden

FIELDS = {
    "allocation": "allocated_fen",
    "commitment": "committed_fen",
    "payment": "paid_fen",
    "recovery_raised": "recovery_raised_fen",
    "recovery_repaid": "recovered_fen",
}


def county_scope(principal: Principal) -> str | None:
    """City-wide readers see everything; a county official sees the county's own rows only."""
    if principal.role in (Role.city_admin, Role.auditor, Role.national_platform):
        return None
    if principal.role is Role.county_admin:
        return principal.county or ""
    raise forbidden("role_not_allowed", "Fund reports are for the city, counties, auditors and the ministry")


async def _policy_sources(session: AsyncSession, policy_key: str | None) -> list[str] | None:
    if policy_key is None:
        return None
    return [s.source_id for s in await LedgerRepository(session).list_sources(policy_key)]


async def funds(
    session: AsyncSession, principal: Principal, group_by: str, policy_key: str | None
) -> FundsReport:
    county = county_scope(principal)
    rows = await ReportRepository(session).funds(group_by, county, await _policy_sources(session, policy_key))
    table: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(FIELDS.values(), 0))
    for key, entry_type, total in rows:
        name = "" if key is None else str(key)
        if entry_type == "release":
            table[name]["committed_fen"] -= int(total)
        elif entry_type in FIELDS:
            table[name][FIELDS[entry_type]] += int(total)
    result = [FundsRow(key=key, **values) for key, values in sorted(table.items())]
    totals = {field: sum(getattr(row, field) for row in result) for field in FIELDS.values()}
    return FundsReport(group_by=group_by, rows=result, totals=FundsRow(key="total", **totals))


async def statement(session: AsyncSession, principal: Principal, uscc: str) -> EnterpriseStatement:
    enterprise = await enterprises.get(session, principal, uscc)
    claims = ClaimRepository(session)
    rows = await claims.claims_of(enterprise.uscc)
    recoveries = await claims.recoveries(uscc=enterprise.uscc)
    return EnterpriseStatement(
        uscc=enterprise.uscc,
        name=enterprise.name,
        county_code=enterprise.county_code,
        approved_fen=sum(c.approved_fen for c in rows),
        paid_fen=enterprise.paid_fen,
        outstanding_recovery_fen=sum(r.amount_fen - r.repaid_fen for r in recoveries),
        claims=[ClaimRead.model_validate(c) for c in rows],
        payments=[PaymentRead.model_validate(p) for p in await claims.payments(uscc=enterprise.uscc)],
        recoveries=[RecoveryRead.model_validate(r) for r in recoveries],
    )


async def performance(
    session: AsyncSession, principal: Principal, policy_key: str | None
) -> PerformanceReport:
    county = county_scope(principal)
    report = await funds(session, principal, "source", policy_key)
    repository = ReportRepository(session)
    totals = report.totals
    return PerformanceReport(
        claims_by_status=await repository.claims_by_status(county),
        enterprises_paid=await repository.enterprises_paid(county),
        approved_fen=totals.committed_fen,
        paid_fen=totals.paid_fen,
        recovered_fen=totals.recovered_fen,
        allocated_fen=totals.allocated_fen,
        execution_rate_bp=totals.paid_fen * 10000 // totals.allocated_fen if totals.allocated_fen else 0,
    )
