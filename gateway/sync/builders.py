"""The four reports, built from the services' data over HTTP with the caller's token. Records are sorted
so that the same data always gives the same content hash (regenerating unchanged data is a no-op)."""

import re
from collections.abc import Awaitable, Callable
from typing import Any

from gateway.clients import Clients, ServiceClient
from gateway.errors import GatewayError
from gateway.performance import service as performance
from gateway.sync.models import ReportKind

MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")
Built = tuple[list[dict[str, Any]], dict[str, Any]]
Builder = Callable[[Clients, str, str, str], Awaitable[Built]]


def check_period(kind: str, period: str) -> None:
    """Monthly kinds take YYYY-MM; a batch admission list takes the batch id."""
    if not period or len(period) > 40:
        raise GatewayError("INVALID_PERIOD", "A period of at most 40 characters is required", 422)
    if kind != ReportKind.batch_admissions and not MONTH.match(period):
        raise GatewayError("INVALID_PERIOD", f"The period of a {kind} report is YYYY-MM", 422)


async def _pages(
    client: ServiceClient, path: str, token: str, params: dict[str, Any]
) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = await client.get(path, token, params={**params, **({"cursor": cursor} if cursor else {})})
        items.extend(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return items


async def batch_admissions(clients: Clients, token: str, period: str, city: str) -> Built:
    rows = await _pages(
        clients.enrollment, "/applications", token, {"batch_id": period, "status": "admitted", "limit": 500}
    )
    records = sorted(
        (
            {
                "uscc": a["uscc"],
                "county_code": a["county_code"],
                "programme_id": a["programme_id"],
                "batch_id": a["batch_id"],
                "admitted_at": a.get("admitted_at"),
            }
            for a in rows
        ),
        key=lambda r: r["uscc"],
    )
    by_county: dict[str, int] = {}
    for record in records:
        by_county[record["county_code"]] = by_county.get(record["county_code"], 0) + 1
    return records, {"admitted": len(records), "by_county": by_county}


async def _signed_off_acceptances(clients: Clients, token: str) -> list[dict[str, Any]]:
    return await _pages(
        clients.assessment,
        "/assessments",
        token,
        {"kind": "acceptance", "status": "signed_off", "limit": 200},
    )


async def acceptance_results(clients: Clients, token: str, period: str, city: str) -> Built:
    rows = [
        a
        for a in await _signed_off_acceptances(clients, token)
        if (a.get("signed_off_at") or "")[:7] == period
    ]
    records = sorted(
        (
            {
                "assessment_id": a["id"],
                "uscc": a["uscc"],
                "county_code": a["county_code"],
                "level": a.get("level"),
                "base_score": a.get("base_score"),
                "signed_off_at": a.get("signed_off_at"),
            }
            for a in rows
        ),
        key=lambda r: r["assessment_id"],
    )
    levels: dict[str, int] = {}
    for record in records:
        levels[str(record["level"])] = levels.get(str(record["level"]), 0) + 1
    return records, {"accepted": len(records), "by_level": levels}


async def fund_use(clients: Clients, token: str, period: str, city: str) -> Built:
    report = await clients.funding.get("/reports/funds", token, params={"group_by": "county"})
    # Allocations to a source belong to no county yet; the ledger reports them under an empty key.
    records = sorted(({**r, "key": r["key"] or "city"} for r in report["rows"]), key=lambda r: r["key"])
    return records, {"as_of_period": period, "totals": report["totals"]}


async def monthly_progress(clients: Clients, token: str, period: str, city: str) -> Built:
    """Headline counts, and every target row of each of the city's programmes (目标表: target and actual,
    for the programme's whole period and the report's year) from the performance report."""
    admitted = await clients.enrollment.get("/applications", token, params={"status": "admitted", "limit": 1})
    accepted = await _signed_off_acceptances(clients, token)
    funds = await clients.funding.get("/reports/funds", token, params={"group_by": "source"})
    totals = funds["totals"]
    metrics = {
        "enterprises_admitted": admitted["total"],
        "acceptances_signed_off": len(accepted),
        "acceptances_signed_off_in_period": sum(
            1 for a in accepted if (a.get("signed_off_at") or "")[:7] == period
        ),
        "funds_committed_fen": totals["committed_fen"],
        "funds_paid_fen": totals["paid_fen"],
    }
    records: list[dict[str, Any]] = [
        {"metric": name, "value": value} for name, value in sorted(metrics.items())
    ]
    year, month = int(period[:4]), int(period[5:7])
    programmes = (await clients.enrollment.get("/programmes", token))["items"]
    for programme in sorted(programmes, key=lambda p: p["id"]):
        if city and programme["city_code"] != city:
            continue
        report = await performance.report_for_token(
            clients, token, programme["id"], year, (month - 1) // 3 + 1
        )
        records += [
            {
                "metric": f"target:{target['code']}",
                "programme_id": programme["id"],
                "name": target["name"],
                "unit": target["unit"],
                "value": target["total"]["actual"],
                "target": target["total"]["target"],
                "year_actual": target["year"]["actual"],
                "year_target": target["year"]["target"],
            }
            for target in report["targets"]
            if target["measured"]
        ]
    return records, {"period": period, "city": city}


BUILDERS: dict[str, Builder] = {
    ReportKind.batch_admissions: batch_admissions,
    ReportKind.acceptance_results: acceptance_results,
    ReportKind.fund_use: fund_use,
    ReportKind.monthly_progress: monthly_progress,
}
