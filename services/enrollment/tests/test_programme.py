import copy
from typing import Any

import httpx
import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.programme.models import Programme, ProgrammeVersion
from services.enrollment.programme.presets import load_preset, load_presets
from services.enrollment.programme.schemas import ProgrammeConfig
from szcore.auth import Role

# The target tables as printed in the seeds (../shared/seeds), typed in again here on purpose: the
# presets must equal the plans, row by row. {code: (total, {year: value})}
SEED_TARGETS: dict[str, dict[str, tuple[int, dict[str, int]]]] = {
    "luoyang": {  # 000 试点工作总体目标表
        "transform_above_scale": (445, {}),
        "transform_below_scale": (15, {}),
        "transform_total": (460, {}),
        "little_giant": (42, {}),
        "srdi": (184, {}),
        "cloud_adoption": (460, {}),
        "solutions": (60, {}),
        "digital_workshops": (30, {}),
        "level4": (10, {}),
        "providers": (40, {}),
        "showcase": (25, {}),
        "new_srdi": (120, {}),
        "chain_cases": (4, {}),
        "cluster_cases": (2, {}),
        "finance_products": (2, {}),
    },
    "xinxiang": {  # 001 附件 总体目标表 (合计, 2025, 2026)
        "transform_above_scale": (459, {"2025": 187, "2026": 272}),
        "transform_below_scale": (47, {"2025": 21, "2026": 26}),
        "transform_total": (506, {"2025": 208, "2026": 298}),
        "little_giant": (39, {"2025": 15, "2026": 24}),
        "srdi": (256, {"2025": 107, "2026": 149}),
        "cloud_adoption": (506, {"2025": 208, "2026": 298}),
        "solutions": (100, {"2025": 40, "2026": 60}),
        "digital_workshops": (26, {"2025": 13, "2026": 13}),
        "level4": (10, {"2025": 4, "2026": 6}),
        "providers": (15, {"2025": 15, "2026": 0}),
        "chain_cases": (6, {"2025": 2, "2026": 4}),
        "matchmaking_events": (10, {"2025": 6, "2026": 4}),
        "clusters_parks": (7, {"2025": 2, "2026": 5}),
        "new_srdi": (136, {"2025": 68, "2026": 68}),
        "replicable_scenarios": (10, {"2025": 4, "2026": 6}),
        "digital_tech_coverage": (120, {"2025": 48, "2026": 72}),
    },
    "jinhua": {  # 002 表1 (2024, 2025, 2026, 总目标)
        "transform_above_scale": (561, {"2024": 93, "2025": 242, "2026": 226}),
        "above_scale_level2": (561, {"2024": 93, "2025": 242, "2026": 226}),
        "above_scale_level2_share": (93, {"2024": 15, "2025": 40, "2026": 38}),
        "transform_below_scale": (20, {"2024": 3, "2025": 8, "2026": 9}),
        "below_scale_level2": (20, {"2024": 3, "2025": 8, "2026": 9}),
        "transform_total": (581, {"2024": 96, "2025": 250, "2026": 235}),
        "little_giant": (17, {"2024": 4, "2025": 10, "2026": 3}),
        "srdi": (158, {"2024": 15, "2025": 110, "2026": 33}),
        "cloud_adoption": (505, {"2024": 83, "2025": 219, "2026": 203}),
        "solutions": (200, {"2024": 40, "2025": 100, "2026": 60}),
        "digital_workshops": (15, {"2024": 3, "2025": 5, "2026": 7}),
        "level4": (10, {"2024": 3, "2025": 3, "2026": 4}),
        "providers": (90, {"2024": 30, "2025": 30, "2026": 30}),
        "chain_cases": (10, {"2024": 3, "2025": 4, "2026": 3}),
        "local_practices": (10, {"2024": 3, "2025": 4, "2026": 3}),
        "showcase": (30, {}),
    },
    "zibo": {  # 003 二、工作目标 (no table in the seed)
        "transform_total": (556, {}),
        "above_scale_level2_share": (100, {}),
        "providers": (10, {}),
        "solutions": (200, {}),
        "smart_factories": (80, {}),
        "benchmark": (30, {}),
        "chain_cases": (6, {}),
        "cluster_cases": (3, {}),
        "level4": (3, {}),
        "ai_cases": (5, {}),
        "robot_scenarios": (56, {}),
        "robot_solutions": (20, {}),
        "diagnosis_consultants": (100, {}),
        "digital_engineers": (320, {}),
        "matchmaking_events": (24, {}),
    },
    "hefei": {  # 004 二、主要目标 and 三 (no table in the seed)
        "transform_level2": (500, {}),
        "digital_pilots_lighthouses": (5, {}),
        "listings": (5, {}),
        "showcase_projects": (20, {}),
        "little_giant_champions": (200, {}),
        "trained_talent": (2000, {}),
        "new_national_platforms": (3, {}),
        "solutions": (100, {}),
        "chain_cases": (10, {}),
        "pilot_parks": (3, {}),
        "excellent_products": (20, {}),
    },
}
SEED_INDUSTRIES = {
    "luoyang": ["轴承及通用零部件", "铜铝及先进合金材料", "电气及光电设备", "化工材料及产品"],
    "xinxiang": ["起重装备", "高端医疗器械及卫材", "汽车零部件", "新型化工"],
    "jinhua": ["电动工具", "磁性材料", "服装"],
    "zibo": ["先进高分子材料", "高效动力传动装备", "新型建材及陶瓷琉璃制品"],
    "hefei": [
        "汽车零部件及配件制造",
        "家用电力器具制造",
        "输配电及控制设备制造",
        "电子器件制造",
        "电子元件及电子专用材料制造",
    ],
}
SEED_BATCH_COUNTS = {"luoyang": 3, "xinxiang": 4, "jinhua": 2, "zibo": 2, "hefei": 2}


def sixth_city(**overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "id": "nanyang-2026",
        "city_code": "411300",
        "city_name": "南阳市",
        "name": "南阳市中小企业数字化转型城市试点",
        "period": {"start": "2026-01-01", "end": "2027-12-31"},
        "industries": [{"code": "textiles", "name": "纺织", "industry_codes": ["C17"]}],
        "counties": [{"code": "411302", "name": "宛城区"}],
        "batches": [
            {
                "id": "nanyang-2026-b1",
                "number": 1,
                "name": "第一批",
                "application_window": {"start": "2026-01-01", "end": "2026-03-31"},
            }
        ],
        "targets": [
            {
                "code": "transform_above_scale",
                "name": "规上",
                "unit": "家",
                "total": 300,
                "part_of": "transform_total",
                "by_year": {"2026": 100, "2027": 200},
            },
            {
                "code": "transform_below_scale",
                "name": "规下",
                "unit": "家",
                "total": 100,
                "part_of": "transform_total",
            },
            {"code": "transform_total", "name": "合计", "unit": "家", "total": 400},
        ],
        "review_steps": [{"code": "county_review", "name": "区县初审", "role": "county_admin"}],
    }
    config.update(overrides)
    return config


class TestPresets:
    @pytest.mark.parametrize("name", list(SEED_TARGETS))
    def test_target_table_equals_the_seed(self, name: str) -> None:
        config = load_preset(name)
        assert {t.code: (t.total, dict(t.by_year)) for t in config.targets} == SEED_TARGETS[name]

    @pytest.mark.parametrize("name", list(SEED_INDUSTRIES))
    def test_industries_and_batches(self, name: str) -> None:
        config = load_preset(name)
        assert [i.name for i in config.industries] == SEED_INDUSTRIES[name]
        assert [b.number for b in config.batches] == list(range(1, SEED_BATCH_COUNTS[name] + 1))
        assert config.source.startswith("seeds/")

    def test_named_counties(self) -> None:
        jinhua, zibo = load_preset("jinhua"), load_preset("zibo")
        assert {c.name for c in jinhua.counties} >= {"永康市", "武义县", "东阳市", "浦江县", "义乌市"}
        assert jinhua.industry("apparel").counties == ["330783", "330726", "330782"]  # type: ignore[union-attr]
        assert {c.name for c in zibo.counties} >= {"临淄区", "桓台县", "高青县", "淄川区", "博山区", "周村区"}

    def test_all_presets_have_distinct_ids(self) -> None:
        assert len({c.id for c in load_presets()}) == 5


class TestConfigValidation:
    def test_yearly_split_must_add_up(self) -> None:
        config = sixth_city()
        config["targets"][0]["by_year"] = {"2026": 100, "2027": 199}
        with pytest.raises(ValidationError, match="does not add up"):
            ProgrammeConfig.model_validate(config)

    def test_parts_must_add_up_to_the_whole(self) -> None:
        config = sixth_city()
        config["targets"][2]["total"] = 401
        with pytest.raises(ValidationError, match="parts do not add up"):
            ProgrammeConfig.model_validate(config)

    def test_duplicate_batch_number(self) -> None:
        config = sixth_city()
        config["batches"].append({**config["batches"][0], "id": "nanyang-2026-b2"})
        with pytest.raises(ValidationError, match="duplicate batch number"):
            ProgrammeConfig.model_validate(config)

    def test_output_tiers(self) -> None:
        config = load_preset("jinhua")
        assert config.output_tier(9_999_999_999) == "under_100m"
        assert config.output_tier(10_000_000_000) == "100m_200m"
        assert config.output_tier(20_000_000_000) == "over_200m"


async def count(session: AsyncSession, model: type) -> int:
    return (await session.execute(select(func.count()).select_from(model))).scalar_one()


class TestSeedEndpoint:
    async def test_seed_loads_the_five_and_is_idempotent(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        headers = tokens.headers(Role.city_admin)
        first = await client.post("/programmes/seed", headers=headers)
        assert first.status_code == 200, first.text
        assert [(i["id"], i["version"], i["changed"]) for i in first.json()["items"]] == [
            ("luoyang-2025", 1, True),
            ("xinxiang-2024", 1, True),
            ("jinhua-2024", 1, True),
            ("zibo-2025", 1, True),
            ("hefei-2024", 1, True),
        ]
        again = await client.post("/programmes/seed", headers=headers)
        assert [i["changed"] for i in again.json()["items"]] == [False] * 5
        assert await count(session, ProgrammeVersion) == 5
        stored = (await client.get("/programmes/xinxiang-2024", headers=headers)).json()
        rows = {t["code"]: t for t in stored["config"]["targets"]}
        assert rows["transform_above_scale"]["by_year"] == {"2025": 187, "2026": 272}

    async def test_seed_one_city(self, client: httpx.AsyncClient, tokens) -> None:
        response = await client.post(
            "/programmes/seed", params={"city": "jinhua"}, headers=tokens.headers(Role.city_admin)
        )
        assert [i["id"] for i in response.json()["items"]] == ["jinhua-2024"]
        listed = await client.get("/programmes", headers=tokens.headers(Role.county_admin, county="330784"))
        assert [p["id"] for p in listed.json()["items"]] == ["jinhua-2024"]

    async def test_unknown_preset(self, client: httpx.AsyncClient, session: AsyncSession, tokens) -> None:
        response = await client.post(
            "/programmes/seed", params={"city": "atlantis"}, headers=tokens.headers(Role.city_admin)
        )
        assert response.status_code == 422 and response.json()["code"] == "unknown_preset"
        assert await count(session, Programme) == 0

    @pytest.mark.parametrize("role", [Role.county_admin, Role.enterprise, Role.expert])
    async def test_only_the_city_seeds(
        self, role: Role, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        scope = {"county": "410322"} if role == Role.county_admin else {}
        if role == Role.enterprise:
            scope = {"uscc": "91350100M000100Y43"}
        response = await client.post("/programmes/seed", headers=tokens.headers(role, **scope))
        assert response.status_code == 403 and response.json()["code"] == "role_not_allowed"
        assert await count(session, Programme) == 0


class TestSixthCity:
    async def test_a_city_added_by_data_alone(self, client: httpx.AsyncClient, tokens) -> None:
        headers = tokens.headers(Role.city_admin)
        created = await client.put("/programmes/nanyang-2026", json=sixth_city(), headers=headers)
        assert created.status_code == 200, created.text
        assert created.json() == {"id": "nanyang-2026", "version": 1, "changed": True}
        changed = copy.deepcopy(sixth_city(objection_window_days=7))
        second = await client.put("/programmes/nanyang-2026", json=changed, headers=headers)
        assert second.json()["version"] == 2
        versions = await client.get("/programmes/nanyang-2026/versions", headers=headers)
        assert [(v["version"], v["source"]) for v in versions.json()["items"]] == [(1, "api"), (2, "api")]
        current = (await client.get("/programmes/nanyang-2026", headers=headers)).json()
        assert current["version"] == 2 and current["config"]["objection_window_days"] == 7

    async def test_invalid_configuration_is_refused_and_nothing_stored(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        config = sixth_city()
        config["targets"][0]["by_year"] = {"2026": 1}
        response = await client.put(
            "/programmes/nanyang-2026", json=config, headers=tokens.headers(Role.city_admin)
        )
        assert response.status_code == 422 and response.json()["code"] == "validation_failed"
        assert await count(session, Programme) == 0

    async def test_path_and_body_must_agree(self, client: httpx.AsyncClient, tokens) -> None:
        response = await client.put(
            "/programmes/other", json=sixth_city(), headers=tokens.headers(Role.city_admin)
        )
        assert response.status_code == 422 and response.json()["code"] == "programme_id_mismatch"

    async def test_unknown_programme(self, client: httpx.AsyncClient, tokens) -> None:
        response = await client.get("/programmes/nowhere", headers=tokens.headers(Role.city_admin))
        assert response.status_code == 404 and response.json()["code"] == "programme_not_found"
