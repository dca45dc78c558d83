"""Per-enterprise reports (data and PDF) and programme numbers (level distribution, targets)."""

from collections import Counter
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import Integer, String, literal_column
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.assessment.models import Assessment
from services.assessment.assessment.repository import AssessmentRepository, CopyRepository
from services.assessment.enterprise import auth as enterprise_auth
from services.assessment.enterprise.models import EnterpriseCopy
from services.assessment.enterprise.repository import EnterpriseCopyRepository
from services.assessment.index import service as index_service
from services.assessment.report import auth, pdf
from services.assessment.report.repository import ReportRepository
from services.assessment.report.schemas import (
    AssessmentSummary,
    BelowTarget,
    BelowTargetList,
    EnterpriseReport,
    LevelDistribution,
    LevelGroup,
    RadarPoint,
    ScenarioComparison,
)
from szcore.auth import Principal, Role
from szcore.errors import forbidden, not_found
from szcore.keyset import Order, page_rows

# The below-target list is computed in Python (levels from two assessments per enterprise), so it is paged
# over the computed list; every order ends with the USCC (unique). Not yet assessed counts as level -1.
BELOW_TARGET_ORDERS = {
    "uscc": Order("uscc", (literal_column("uscc", String),), row_key=lambda b: (b.uscc,)),
    "level_lowest": Order(
        "level_lowest",
        (literal_column("level_after", Integer), literal_column("uscc", String)),
        row_key=lambda b: (-1 if b.level_after is None else b.level_after, b.uscc),
    ),
}

ABOVE_SCALE = "above_scale"


def percent(part: Decimal, whole: Decimal) -> str:
    return f"{(part * 100 / whole).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}"


def summary(assessment: Assessment | None) -> AssessmentSummary | None:
    if assessment is None or assessment.result is None:
        return None
    result = assessment.result
    return AssessmentSummary(
        assessment_id=assessment.id,
        kind=assessment.kind,
        index_code=assessment.index_code,
        level=assessment.level or 0,
        base_score=result["base_score"],
        dimensions=[
            RadarPoint(
                code=d["code"],
                name=d["name"],
                score=d["score"],
                max=d["max"],
                percent=percent(Decimal(d["score"]), Decimal(d["max"])),
            )
            for d in result["dimensions"]
        ],
        scenario_levels=result["scenario_levels"],
        explanation=result["explanation"],
        pain_points=assessment.pain_points,
        needed_scenarios=assessment.needed_scenarios,
        report=assessment.report,
    )


async def _visible_enterprise(session: AsyncSession, principal: Principal, uscc: str) -> EnterpriseCopy:
    enterprise = await EnterpriseCopyRepository(session).get(uscc.upper())
    if enterprise is not None:
        if enterprise_auth.can_read(principal, enterprise.county_code, enterprise.uscc):
            return enterprise
        if principal.role == Role.provider and principal.provider_id:
            engaged = await CopyRepository(session).engaged_usccs(principal.provider_id)
            if enterprise.uscc in engaged:
                return enterprise
    raise not_found("enterprise_not_found", f"No enterprise {uscc} visible to you")


async def enterprise_report(session: AsyncSession, principal: Principal, uscc: str) -> EnterpriseReport:
    enterprise = await _visible_enterprise(session, principal, uscc)
    repository = AssessmentRepository(session)
    own = await repository.latest(enterprise.uscc, "self", ("submitted",))
    before = await repository.latest(enterprise.uscc, "diagnosis", ("submitted",))
    after = await repository.latest(enterprise.uscc, "acceptance", ("signed_off",))
    reference = after or before or own
    index = index_service.document_of(
        await index_service.get(session, reference.index_code if reference else index_service.DEFAULT_INDEX)
    )
    return EnterpriseReport(
        uscc=enterprise.uscc,
        name=enterprise.name,
        county_code=enterprise.county_code,
        industry_code=enterprise.industry_code,
        size_class=enterprise.size_class,
        current_level=enterprise.current_level,
        pilot_revoked_at=enterprise.pilot_revoked_at,
        self_assessment=summary(own),
        diagnosis=summary(before),
        acceptance=summary(after),
        scenarios=[
            ScenarioComparison(
                code=s.code,
                name=s.name,
                mandatory=s.mandatory,
                before=before.scenario_levels.get(s.code, 0) if before else None,
                after=after.scenario_levels.get(s.code, 0) if after else None,
            )
            for s in index.scenarios
        ],
    )


def report_pdf(report: EnterpriseReport) -> bytes:
    document = pdf.Document(f"数字化水平评测报告  {report.name}")
    document.add(f"统一社会信用代码 {report.uscc}   区县 {report.county_code}   行业 {report.industry_code}")
    document.add(f"认定等级 {report.current_level if report.current_level is not None else '未验收'}")
    for title, part in (("改造前（诊断）", report.diagnosis), ("改造后（评测验收）", report.acceptance)):
        document.add(title, size=13)
        if part is None:
            document.add("  暂无")
            continue
        document.add(f"  指标版本 {part.index_code}   基础得分 {part.base_score}   等级 {part.level}")
        for point in part.dimensions:
            document.add(f"  {point.name} {point.score}/{point.max}", bar=float(Decimal(point.percent) / 100))
        for text in part.explanation.split(" | "):
            document.add(f"  {text}", size=8)
        if part.pain_points:
            document.add("  痛点: " + "；".join(part.pain_points))
    document.add("场景等级（改造前 → 改造后）", size=13)
    for scenario in report.scenarios:
        mark = "★" if scenario.mandatory else " "
        before = "-" if scenario.before is None else scenario.before
        after = "-" if scenario.after is None else scenario.after
        document.add(f"  {mark} {scenario.code} {scenario.name}: {before} → {after}")
    return pdf.render(document)


def _level_counts(usccs: Iterable[str], levels: dict[str, int]) -> dict[str, int]:
    counts = Counter(str(levels[u]) if u in levels else "none" for u in usccs)
    return {key: counts.get(key, 0) for key in ("none", "0", "1", "2", "3", "4")}


def level_group(
    name: str,
    enterprises: Sequence[EnterpriseCopy],
    before: dict[str, int],
    after: dict[str, int],
    target: int,
) -> LevelGroup:
    usccs = [e.uscc for e in enterprises]
    above = [e.uscc for e in enterprises if e.size_class == ABOVE_SCALE]
    at_target = sum(1 for u in above if after.get(u, 0) >= target)
    return LevelGroup(
        group=name,
        enterprises=len(usccs),
        before=_level_counts(usccs, before),
        after=_level_counts(usccs, after),
        above_scale=len(above),
        above_scale_at_target=at_target,
        above_scale_share_percent=percent(Decimal(at_target), Decimal(len(above))) if above else None,
    )


async def _programme(
    session: AsyncSession, principal: Principal
) -> tuple[Sequence[EnterpriseCopy], dict, dict]:  # type: ignore[type-arg]
    if not auth.can_read_programme(principal):
        raise forbidden("role_not_allowed", "Programme numbers are for officials, auditors and experts")
    county = auth.county_scope(principal)
    repository = ReportRepository(session)
    enterprises = await repository.enterprises(county)
    before = await repository.latest_levels("diagnosis", "submitted", county)
    after = await repository.latest_levels("acceptance", "signed_off", county)
    # A revoked pilot keeps its history but no longer counts as certified.
    revoked = {e.uscc for e in enterprises if e.pilot_revoked_at is not None}
    return enterprises, before, {u: lvl for u, lvl in after.items() if u not in revoked}


async def level_distribution(
    session: AsyncSession, principal: Principal, group_by: str, target: int
) -> LevelDistribution:
    return (await level_distribution_exposing(session, principal, group_by, target))[0]


def singled_out(groups: Sequence[Sequence[EnterpriseCopy]]) -> list[str]:
    """Enterprises alone in a group: the group's figures are that enterprise's own levels."""
    return sorted({members[0].uscc for members in groups if len(members) == 1})


async def level_distribution_exposing(
    session: AsyncSession, principal: Principal, group_by: str, target: int
) -> tuple[LevelDistribution, list[str]]:
    """The distribution, and the enterprises whose own levels it reveals (read-audited by the caller)."""
    enterprises, before, after = await _programme(session, principal)
    key = (lambda e: e.industry_code) if group_by == "industry" else (lambda e: e.county_code)
    groups: dict[str, list[EnterpriseCopy]] = {}
    for enterprise in enterprises:
        groups.setdefault(key(enterprise), []).append(enterprise)
    exposed = singled_out([enterprises, *groups.values()])
    return LevelDistribution(
        target_level=target,
        group_by=group_by,
        total=level_group("all", enterprises, before, after, target),
        groups=[
            level_group(name, members, before, after, target) for name, members in sorted(groups.items())
        ],
    ), exposed


async def below_target(session: AsyncSession, principal: Principal, target: int) -> BelowTargetList:
    enterprises, before, after = await _programme(session, principal)
    items = [
        BelowTarget(
            uscc=e.uscc,
            name=e.name,
            county_code=e.county_code,
            industry_code=e.industry_code,
            size_class=e.size_class,
            level_before=before.get(e.uscc),
            level_after=after.get(e.uscc),
        )
        for e in enterprises
        if after.get(e.uscc, 0) < target
    ]
    return BelowTargetList(target_level=target, total=len(items), items=items)


async def below_target_page(
    session: AsyncSession, principal: Principal, target: int, order: str, cursor: str | None, limit: int
) -> BelowTargetList:
    data = await below_target(session, principal, target)
    items, next_cursor = page_rows(data.items, BELOW_TARGET_ORDERS[order], cursor, limit)
    return BelowTargetList(target_level=target, total=data.total, items=items, next_cursor=next_cursor)
