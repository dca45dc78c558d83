from collections.abc import Sequence

from shuzhuan.events.v1.assessment_pb2 import GapAnalysisProduced
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.common import new_id, refuse
from services.matching.enterprise import service as enterprises
from services.matching.need.models import Need, NeedSource, NeedStatus
from services.matching.need.repository import NEED_ORDERS, NeedRepository
from services.matching.need.schemas import CommonNeedList, NeedCreate
from services.matching.rules.schemas import CommonNeeds, RuleKind
from services.matching.rules.service import current_read, scenario_catalogue, scenario_codes
from szcore.auth import Principal, Role
from szcore.errors import conflict, forbidden, not_found
from szcore.events import Event
from szcore.types import utcnow

EDITORS = (Role.enterprise, Role.county_admin, Role.city_admin)


def scenario_name(code: str) -> str:
    names = {s["code"]: s["name"] for g in scenario_catalogue()["groups"] for s in g["scenarios"]}
    return names.get(code, code)


async def common_list(session: AsyncSession, industry_code: str) -> CommonNeedList:
    rule = await current_read(session, RuleKind.common_needs)
    document = CommonNeeds.model_validate(rule.document)
    return CommonNeedList(
        industry_code=industry_code, version=rule.version, items=document.industries.get(industry_code, [])
    )


async def of(session: AsyncSession, principal: Principal, uscc: str) -> Sequence[Need]:
    enterprise = await enterprises.get(session, principal, uscc)
    return await NeedRepository(session).of(enterprise.uscc)


async def page(
    session: AsyncSession, principal: Principal, uscc: str, order: str, cursor: str | None, limit: int
) -> tuple[list[Need], int, str | None]:
    enterprise = await enterprises.get(session, principal, uscc)
    return await NeedRepository(session).page(enterprise.uscc, NEED_ORDERS[order], cursor, limit)


async def of_enterprises(session: AsyncSession, principal: Principal, usccs: Sequence[str]) -> Sequence[Need]:
    """The needs of several enterprises: those of the enterprises the caller may read (as for `of`)."""
    visible = await enterprises.list_by_uscc(session, principal, list(dict.fromkeys(usccs)))
    return await NeedRepository(session).of_many([c.uscc for c in visible])


async def add(session: AsyncSession, principal: Principal, uscc: str, data: NeedCreate) -> Need:
    if not principal.is_role(*EDITORS):
        raise forbidden("role_not_allowed", "Needs are stated by the enterprise, its county or the city")
    enterprise = await enterprises.get(session, principal, uscc)
    now = utcnow()
    repository = NeedRepository(session)
    if data.common_code is not None:
        common = {item.code: item for item in (await common_list(session, enterprise.industry_code)).items}
        item = common.get(data.common_code)
        if item is None:
            raise refuse(
                "unknown_common_need",
                "common_code",
                f"{data.common_code} is not on the common list of industry {enterprise.industry_code}",
                "不在本行业共性需求清单中",
            )
        existing = {n.common_code for n in await repository.of(enterprise.uscc, open_only=True)}
        if item.code in existing:
            raise conflict("need_exists", f"Common need {item.code} is already adopted")
        # A common need spans scenarios; one row per scenario keeps matching by scenario simple.
        rows = [
            await repository.add(
                Need(
                    need_id=new_id("need"),
                    uscc=enterprise.uscc,
                    source=NeedSource.city_list,
                    scenario_code=code,
                    title=item.title,
                    common_code=item.code,
                    status=NeedStatus.open,
                    created_at=now,
                    updated_at=now,
                )
            )
            for code in item.scenario_codes
        ]
        return rows[0]
    assert data.scenario_code is not None and data.title is not None
    if data.scenario_code not in scenario_codes():
        raise refuse(
            "unknown_scenario", "scenario_code", f"Unknown scenario {data.scenario_code}", "场景代码不存在"
        )
    return await repository.add(
        Need(
            need_id=new_id("need"),
            uscc=enterprise.uscc,
            source=NeedSource.enterprise,
            scenario_code=data.scenario_code,
            title=data.title,
            status=NeedStatus.open,
            created_at=now,
            updated_at=now,
        )
    )


async def close(session: AsyncSession, principal: Principal, need_id: str) -> Need:
    if not principal.is_role(*EDITORS):
        raise forbidden("role_not_allowed", "Needs are closed by the enterprise, its county or the city")
    need = await NeedRepository(session).get(need_id)
    if need is None:
        raise not_found("need_not_found", f"No need {need_id} visible to you")
    await enterprises.get(session, principal, need.uscc)
    need.status, need.updated_at = NeedStatus.closed, utcnow()
    return need


async def apply_gap_analysis(session: AsyncSession, event: Event) -> None:
    """The newest gap analysis replaces the enterprise's earlier gap-analysis needs (upsert per scenario)."""
    payload = event.payload
    assert isinstance(payload, GapAnalysisProduced)
    uscc = payload.uscc.upper()
    now = utcnow()
    repository = NeedRepository(session)
    existing = {n.scenario_code: n for n in await repository.of(uscc, source=NeedSource.gap_analysis)}
    wanted = {i.scenario_code: i for i in payload.improvements if i.scenario_code}
    for code, improvement in wanted.items():
        values = {
            "title": f"{scenario_name(code)} L{improvement.from_level}→L{improvement.to_level}",
            "from_level": improvement.from_level,
            "to_level": improvement.to_level,
            "assessment_id": payload.assessment_id,
            "status": NeedStatus.open,
            "updated_at": now,
        }
        need = existing.get(code)
        if need is None:
            await repository.add(
                Need(
                    need_id=new_id("need"),
                    uscc=uscc,
                    source=NeedSource.gap_analysis,
                    scenario_code=code,
                    created_at=now,
                    **values,
                )
            )
        else:
            for key, value in values.items():
                setattr(need, key, value)
    for code, need in existing.items():
        if code not in wanted and need.status == NeedStatus.open:
            need.status, need.updated_at = NeedStatus.closed, now
    await session.flush()
