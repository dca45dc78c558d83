"""The programme performance report as plain data (dicts, ints, strings): what GraphQL, the XLSX export
and the national monthly report are made of. `report(clients, principal, programme_id, year)` is the
one entry point; it reads the programme from enrollment and every service's `/stats/performance` with the
caller's token, so each service still decides what the caller may see."""

import asyncio
from datetime import date
from fractions import Fraction
from typing import Any
from urllib.parse import quote

from gateway.clients import Clients
from gateway.errors import GatewayError
from gateway.performance import domain
from szcore.auth import Principal, Role
from szcore.types import utcnow

STATS_SERVICES = ("enrollment", "assessment", "matching", "funding")
READERS = (Role.city_admin, Role.auditor, Role.national_platform, Role.county_admin)


def number(value: Fraction | int | None) -> float | int | None:
    """Exact counts stay integers; shares and percentages to two decimals."""
    if value is None:
        return None
    if isinstance(value, Fraction) and value.denominator != 1:
        return round(float(value), 2)
    return int(value)


def authorize(principal: Principal) -> str | None:
    """The county the caller is confined to (None: city-wide)."""
    if principal.role not in READERS:
        raise GatewayError(
            "ROLE_NOT_ALLOWED", f"Role {principal.role.value} may not read programme performance", 403
        )
    return (principal.county or "") if principal.role is Role.county_admin else None


async def fetch(
    clients: Clients, token: str, programme_id: str, scope: str
) -> tuple[dict[str, Any], list[Any]]:
    """The programme's configuration and every service's metric cells."""
    params = {"programme": programme_id, "scope": scope}
    programme, *stats = await asyncio.gather(
        clients.by_name["enrollment"].get(f"/programmes/{quote(programme_id, safe='')}", token),
        *(clients.by_name[name].get("/stats/performance", token, params=params) for name in STATS_SERVICES),
    )
    return programme, stats


def current_period(config: dict[str, Any], year: int | None, quarter: int | None) -> tuple[int, int]:
    today = utcnow().date()
    if year is None:
        end = date.fromisoformat(config["period"]["end"])
        year = min(today.year, end.year)
    if quarter is None:
        quarter = (today.month - 1) // 3 + 1 if year == today.year else 4
    if not 1 <= quarter <= 4:
        raise GatewayError("QUARTER_INVALID", "The quarter is 1 to 4", 400)
    return year, quarter


def figure(f: domain.PeriodFigure) -> dict[str, Any]:
    return {
        "period": f.period,
        "target": f.target,
        "actual": number(f.actual),
        "gap": number(f.gap),
        "percent": number(f.percent),
        "trend": number(f.trend),
    }


def ranking_data(
    config: dict[str, Any],
    figures: domain.Figures,
    counties: list[str],
    names: dict[str, str],
    year: int,
    quarter: int,
    own_county: str | None,
) -> dict[str, Any] | None:
    """The ranking (晾晒) if the programme runs one. Ranks and scores are published to every county;
    a county official sees the criterion values of its own county only."""
    if not config.get("ranking"):
        return None
    ranking = domain.county_ranking(config["ranking"], figures, counties, year, quarter)
    rows = [
        {
            "county_code": r.county_code,
            "county_name": names.get(r.county_code, r.county_code),
            "rank": r.rank,
            "previous_rank": r.previous_rank,
            "score": number(r.score),
            "top": r.top,
            "values": [
                {"code": c.code, "value": r.values[c.code]}
                for c in ranking.criteria
                if own_county is None or own_county == r.county_code
            ],
        }
        for r in ranking.rows
    ]
    return {
        "name": ranking.name,
        "period": config["ranking"].get("period", "quarter"),
        "year": year,
        "quarter": quarter,
        "top_count": ranking.top,
        "criteria": [
            {"code": c.code, "name": c.name, "metrics": list(c.metrics), "weight": c.weight}
            for c in ranking.criteria
        ],
        "rows": rows,
        "top": [row for row in rows if row["top"]],
    }


def build(
    programme: dict[str, Any], stats: list[Any], year: int, quarter: int, own_county: str | None
) -> dict[str, Any]:
    """Pure: the whole report from the programme and the services' cells."""
    config = programme["config"]
    figures = domain.Figures(domain.cells_from(stats))
    labels = {k: v for payload in stats for k, v in payload.get("labels", {}).items()}
    rows = [domain.TargetRow.from_config(t) for t in config.get("targets", [])]
    start, end = (int(config["period"][k][:4]) for k in ("start", "end"))
    years = domain.programme_years(rows, start, end)
    names = {c["code"]: c["name"] for c in config.get("counties", [])}
    every_county = sorted(set(names) | figures.counties())
    counties = [own_county] if own_county is not None else every_county
    targets = [
        {
            "code": p.row.code,
            "name": p.row.name,
            "unit": p.row.unit,
            "part_of": p.row.part_of,
            "note": p.row.note,
            "metrics": list(p.row.metrics),
            "denominator_metrics": list(p.row.denominator_metrics),
            "measured": bool(p.row.metrics),
            "year": figure(p.year),
            "total": figure(p.total),
            "years": [figure(f) for f in p.years],
        }
        for p in domain.compose(rows, figures, year, years, own_county)
    ]
    county_rows = []
    for county in counties:
        county_rows.append(
            {
                "county_code": county,
                "county_name": names.get(county, county),
                "targets": [
                    {
                        "code": p.row.code,
                        "name": p.row.name,
                        "unit": p.row.unit,
                        "year": figure(p.year),
                        "total": figure(p.total),
                    }
                    for p in domain.compose(rows, figures, year, [], county)
                    if p.row.metrics
                ],
            }
        )
    return {
        "programme": {
            "id": programme["id"],
            "name": programme["name"],
            "city_code": programme["city_code"],
            "city_name": programme["city_name"],
            "version": programme["version"],
            "period": dict(config["period"]),
        },
        "year": year,
        "quarter": quarter,
        "years": years,
        "county_code": own_county,
        "generated_at": utcnow().isoformat(),
        "targets": targets,
        "counties": county_rows,
        "levels": [vars(level) for level in domain.level_distribution(figures, year, own_county)],
        "funds": [vars(s) for s in domain.funds_by_source(figures, labels, year, own_county)],
        "ranking": ranking_data(
            config,
            figures,
            every_county,
            names,
            year,
            quarter,
            own_county,
        ),
    }


async def report(
    clients: Clients,
    principal: Principal,
    programme_id: str,
    year: int | None = None,
    quarter: int | None = None,
) -> dict[str, Any]:
    """The programme's performance report (target table, counties, levels, funds, ranking) as plain data."""
    own_county = authorize(principal)
    programme, stats = await fetch(clients, principal.token, programme_id, "county")
    year, quarter = current_period(programme["config"], year, quarter)
    data = build(programme, stats, year, quarter, own_county)
    if own_county is not None and programme["config"].get("ranking"):
        # The ranking needs every county's aggregates, which the services publish for it (晾晒).
        _, ranking_stats = await fetch(clients, principal.token, programme_id, "ranking")
        data["ranking"] = build(programme, ranking_stats, year, quarter, own_county)["ranking"]
    return data


async def ranking(
    clients: Clients,
    principal: Principal,
    programme_id: str,
    year: int | None = None,
    quarter: int | None = None,
) -> dict[str, Any] | None:
    own_county = authorize(principal)
    programme, stats = await fetch(clients, principal.token, programme_id, "ranking")
    year, quarter = current_period(programme["config"], year, quarter)
    return build(programme, stats, year, quarter, own_county)["ranking"]


async def report_for_token(
    clients: Clients, token: str, programme_id: str, year: int | None = None, quarter: int | None = None
) -> dict[str, Any]:
    """The city-wide report for a machine caller that holds only a token (the national monthly push).
    The services still authorise the token; give it a city-wide role (city_admin or national_platform)."""
    programme, stats = await fetch(clients, token, programme_id, "county")
    year, quarter = current_period(programme["config"], year, quarter)
    return build(programme, stats, year, quarter, None)
