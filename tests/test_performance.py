"""Programme performance on a seeded dataset: every figure below is counted by hand from the rows this
file inserts into the four services' databases (each through its own models, as its own API would leave
them). The gateway talks to the services in-process (ASGI), with the caller's token."""

import io
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.app import create_app as create_gateway
from gateway.clients import Clients
from gateway.performance import service as performance
from services.assessment.app import create_app as create_assessment
from services.assessment.assessment.models import Assessment
from services.assessment.enterprise.models import EnterpriseCopy as AssessmentEnterprise
from services.enrollment.app import create_app as create_enrollment
from services.enrollment.application.models import Application
from services.enrollment.designation.models import Designation
from services.enrollment.enterprise.models import Enterprise
from services.funding.app import create_app as create_funding
from services.funding.ledger.models import FundingSource, LedgerEntry
from services.matching.activity.models import Activity
from services.matching.app import create_app as create_matching
from services.matching.project.models import Engagement, Project
from services.matching.provider.models import Provider
from services.matching.solution.models import Solution
from szcore.auth import Role
from szcore.settings import get_settings
from tests.support.fixtures import Tokens, asgi_client, rolled_back_session

PROGRAMME = "jinhua-2024"
A, B, C = "330702", "330703", "330784"  # 婺城区, 金东区, 永康市
NOW = datetime(2026, 1, 5, tzinfo=UTC)


def at(day: str) -> datetime:
    return datetime.fromisoformat(day).replace(tzinfo=UTC)


def uscc(n: int) -> str:
    return f"91330700TEST{n:05d}X"[:18]


# uscc, county, size class, srdi, cloud, admitted (None: not admitted), programme
ENTERPRISES = [
    (1, A, "above_scale", "little_giant", True, "2025-02-10", PROGRAMME),
    (2, A, "above_scale", "provincial_srdi", False, "2025-05-01", PROGRAMME),
    (3, B, "below_scale", "none", True, "2025-02-20", PROGRAMME),
    (4, B, "above_scale", "none", True, "2024-12-15", PROGRAMME),
    (5, C, "above_scale", "innovative", False, "2025-08-01", PROGRAMME),
    (6, C, "below_scale", "none", True, None, PROGRAMME),  # still in review
    (7, A, "above_scale", "little_giant", True, "2025-03-01", "luoyang-2025"),  # another programme
]
# uscc, kind, day, case
DESIGNATIONS = [
    (1, "showcase", "2025-03-01", ""),
    (4, "digital_workshop", "2025-04-10", ""),
    (5, "smart_factory", "2025-02-01", ""),
    (1, "chain_leader", "2025-03-05", "chain-1"),
    (2, "chain_member", "2025-03-05", "chain-1"),
    (3, "cluster_member", "2025-01-10", "cluster-1"),
    (5, "cluster_member", "2025-02-01", "cluster-1"),
]


async def seed_enrollment(session: AsyncSession) -> None:
    for n, county, size, srdi, cloud, admitted, programme in ENTERPRISES:
        session.add(
            Enterprise(
                uscc=uscc(n),
                name=f"企业{n}",
                county_code=county,
                industry_code="C3465",
                size_class=size,
                source="web",
                registered_by="test",
                programme_id=programme,
                srdi_status=srdi,
                cloud_adopted=cloud,
            )
        )
        session.add(
            Application(
                id=str(uuid.uuid4()),
                uscc=uscc(n),
                programme_id=programme,
                batch_id=f"{programme}-b1",
                county_code=county,
                status="admitted" if admitted else "in_review",
                declarations={},
                submitted_by="test",
                admitted_at=at(admitted) if admitted else None,
            )
        )
    for n, kind, day, case in DESIGNATIONS:
        session.add(
            Designation(
                id=str(uuid.uuid4()),
                uscc=uscc(n),
                kind=kind,
                case_id=case,
                awarded_on=date.fromisoformat(day),
                level="city",
                source="市经信局",
                evidence="doc",
                recorded_by="test",
            )
        )
    await session.flush()


def assessment(
    n: int, kind: str, level: int, day: str, status: str = "signed_off", **extra: Any
) -> Assessment:
    when = at(day)
    return Assessment(
        id=extra.pop("id", str(uuid.uuid4())),
        uscc=uscc(n),
        county_code=next(e[1] for e in ENTERPRISES if e[0] == n),
        kind=kind,
        status=status,
        index_code="miit-2024",
        created_by="evaluator-1",
        assessor_role="evaluator",
        assessor_id="org-1",
        answers={},
        scenario_levels={},
        evidence={},
        pain_points=[],
        needed_scenarios=[],
        level=level,
        created_at=when,
        updated_at=when,
        submitted_at=when,
        signed_off_at=when if status == "signed_off" else None,
        **extra,
    )


async def seed_assessment(session: AsyncSession) -> None:
    for n, county, size, *_ in ENTERPRISES[:6]:
        session.add(
            AssessmentEnterprise(
                uscc=uscc(n),
                name=f"企业{n}",
                county_code=county,
                industry_code="C3465",
                size_class=size,
                registered_at=NOW,
                copied_at=NOW,
                pilot_revoked_at=at("2025-05-01") if n == 6 else None,
            )
        )
    corrected = str(uuid.uuid4())
    session.add_all(
        [
            assessment(1, "diagnosis", 1, "2024-12-01", "submitted"),
            assessment(1, "acceptance", 3, "2025-03-20"),
            assessment(2, "diagnosis", 2, "2025-05-10", "submitted"),
            assessment(2, "acceptance", 2, "2025-06-10"),
            assessment(3, "diagnosis", 1, "2025-01-05", "submitted"),
            # A correction: the superseded evaluation does not count.
            assessment(3, "acceptance", 1, "2025-02-25", superseded_by_id=corrected),
            assessment(3, "acceptance", 2, "2025-03-01", id=corrected),
            assessment(4, "diagnosis", 3, "2024-12-20", "submitted"),
            assessment(4, "acceptance", 4, "2025-02-15"),
            assessment(5, "acceptance", 1, "2025-09-01"),
            # Pilot status revoked (回头看): its level no longer counts.
            assessment(6, "acceptance", 2, "2025-04-01"),
        ]
    )
    await session.flush()


async def seed_matching(session: AsyncSession) -> None:
    for provider_id, status, listed in (
        ("p1", "listed", "2024-11-01"),
        ("p2", "warned", "2025-02-01"),
        ("p3", "applied", None),
    ):
        session.add(
            Provider(
                provider_id=provider_id,
                uscc=uscc(100 + len(provider_id)),
                name=provider_id,
                kind="integrated",
                status=status,
                applied_at=at("2024-10-01"),
                listed_at=at(listed) if listed else None,
                updated_at=NOW,
            )
        )
    for solution_id, status, listed in (
        ("s1", "listed", "2025-01-15"),
        ("s2", "listed", "2025-05-01"),
        ("s3", "submitted", None),
    ):
        session.add(
            Solution(
                solution_id=solution_id,
                provider_id="p1",
                name=solution_id,
                deployment="saas",
                price_model="one_off",
                list_price_fen=100_000,
                implementation_days=30,
                status=status,
                submitted_at=at("2024-12-01"),
                listed_at=at(listed) if listed else None,
                updated_at=NOW,
            )
        )
    for activity_id, kind, county, status, day in (
        ("a1", "matchmaking", A, "held", "2025-03-10"),
        ("a2", "training", None, "held", "2025-04-02"),
        ("a3", "site_visit", B, "cancelled", "2025-04-03"),
    ):
        session.add(
            Activity(
                activity_id=activity_id,
                programme=PROGRAMME,
                kind=kind,
                title=activity_id,
                county_code=county,
                starts_at=at(day),
                capacity=50,
                status=status,
                organised_by="test",
                created_at=at("2025-01-01"),
            )
        )
    # project, enterprise, county, signed, status, completed
    for project_id, n, county, signed, status, completed in (
        ("pr1", 1, A, "2025-01-20", "completed", "2025-03-01"),
        ("pr2", 2, A, "2025-02-10", "active", None),
        ("pr3", 3, B, "2025-04-05", "active", None),
        ("pr4", 4, B, "2024-11-10", "completed", "2025-02-01"),
        ("pr5", 5, C, "2025-02-15", "cancelled", None),
    ):
        session.add(
            Engagement(
                engagement_id=f"e-{project_id}",
                uscc=uscc(n),
                county_code=county,
                provider_id="p1",
                kind="transformation",
                status="open",
                created_by="test",
                created_at=at(signed),
            )
        )
        session.add(
            Project(
                project_id=project_id,
                engagement_id=f"e-{project_id}",
                uscc=uscc(n),
                provider_id="p1",
                contract_id=f"c-{project_id}",
                amount_fen=1_000_000,
                signed_on=at(signed),
                starts_on=at(signed),
                ends_on=at("2025-12-31"),
                status=status,
                completed_at=at(completed) if completed else None,
            )
        )
    await session.flush()


async def seed_funding(session: AsyncSession) -> None:
    session.add_all(
        [
            FundingSource(
                source_id="central", level="central", name="中央财政资金", policy_key="jinhua", created_at=NOW
            ),
            FundingSource(
                source_id="city", level="city", name="=市级财政资金", policy_key="jinhua", created_at=NOW
            ),
        ]
    )
    # seq, type, source, county, amount, day
    for seq, entry_type, source, county, amount, day in (
        (1, "allocation", "central", None, 100_000_000, "2025-01-05"),
        (2, "allocation", "city", None, 150_000_000, "2025-01-05"),
        (3, "commitment", "central", A, 30_000_000, "2025-03-25"),
        (4, "payment", "central", A, 30_000_000, "2025-04-10"),
        (5, "payment", "city", A, 45_000_000, "2025-04-10"),
        (6, "recovery_raised", "city", A, 5_000_000, "2025-05-20"),
        (7, "recovery_repaid", "city", A, 5_000_000, "2025-06-01"),
    ):
        session.add(
            LedgerEntry(
                seq=seq,
                entry_type=entry_type,
                source_id=source,
                fiscal_year=2025,
                debit_account="d",
                credit_account="c",
                amount_fen=amount,
                county_code=county,
                occurred_at=at(day),
                actor_subject="test",
                prev_hash="0" * 64,
                hash=f"{seq:064d}",
            )
        )
    await session.flush()


@dataclass
class World:
    gateway: httpx.AsyncClient
    services: dict[str, httpx.AsyncClient]
    tokens: Tokens
    clients: Clients

    async def graphql(self, query: str, token: str, **variables: Any) -> dict[str, Any]:
        response = await self.gateway.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
        )
        return response.json()  # type: ignore[no-any-return]

    async def stats(
        self, service: str, token: str, **params: str
    ) -> dict[tuple[str, str | None, int, int], int]:
        response = await self.services[service].get(
            "/stats/performance",
            params={"programme": PROGRAMME, **params},
            headers={"authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.text
        return {
            (c["metric"], c["county_code"], c["year"], c["quarter"]): c["value"]
            for c in response.json()["cells"]
        }


SEEDS = {
    "enrollment": (create_enrollment, seed_enrollment),
    "assessment": (create_assessment, seed_assessment),
    "matching": (create_matching, seed_matching),
    "funding": (create_funding, seed_funding),
}


@pytest.fixture
async def world(migrated_engines: Callable, tokens: Tokens) -> AsyncIterator[World]:  # type: ignore[type-arg]
    async with AsyncExitStack() as stack:
        services = {}
        for name, (create, seed) in SEEDS.items():
            session = await stack.enter_async_context(
                asynccontextmanager(rolled_back_session)(await migrated_engines(name))
            )
            await seed(session)
            services[name] = await stack.enter_async_context(asgi_client(create(), session))
        seeded = await services["enrollment"].post(
            "/programmes/seed", params={"city": "jinhua"}, headers=tokens.headers(Role.city_admin)
        )
        assert seeded.status_code == 200, seeded.text
        app = create_gateway(get_settings())
        for name, client in services.items():
            await app.state.clients.by_name[name].http.aclose()
            app.state.clients.by_name[name].http = client
        gateway = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gateway.test")
        async with gateway:
            yield World(gateway, services, tokens, app.state.clients)


class TestServiceStats:
    async def test_enrollment_counts_admissions_and_honours(self, world: World) -> None:
        cells = await world.stats("enrollment", world.tokens(Role.city_admin))
        assert cells[("admitted", A, 2025, 1)] == 1  # E1 (E7 is another programme's)
        assert cells[("admitted", A, 2025, 2)] == 1
        assert cells[("admitted_above_scale", B, 2024, 4)] == 1
        assert cells[("admitted_below_scale", B, 2025, 1)] == 1
        assert cells[("admitted_little_giant", A, 2025, 1)] == 1
        assert cells[("admitted_srdi", A, 2025, 2)] == 1
        assert ("admitted_srdi", C, 2025, 3) not in cells  # 创新型 is not 专精特新
        assert ("admitted", C, 2025, 4) not in cells and ("admitted_below_scale", C, 2025, 1) not in cells
        assert sum(v for (m, *_), v in cells.items() if m == "admitted") == 5
        assert sum(v for (m, *_), v in cells.items() if m == "admitted_cloud") == 3
        assert cells[("honours", A, 2025, 1)] == 3
        assert cells[("honours", C, 2025, 1)] == 2
        assert cells[("chain_cases", A, 2025, 1)] == 1
        assert cells[("cluster_cases", B, 2025, 1)] == 1  # one case across two counties, counted once
        assert sum(v for (m, *_), v in cells.items() if m == "cluster_cases") == 1

    async def test_assessment_counts_latest_acceptance_once(self, world: World) -> None:
        cells = await world.stats("assessment", world.tokens(Role.city_admin))

        def total(metric: str) -> int:
            return sum(v for (m, *_), v in cells.items() if m == metric)

        assert total("accepted") == 5
        assert total("transformed") == 4
        assert total("transformed_above_scale") == 3
        assert total("transformed_below_scale") == 1
        assert total("level4") == 1
        assert total("level_up") == 4  # E1 1→3, E3 1→2, E4 3→4, E5 0→1 (E2 stays at 2)
        assert [total(f"level_before:{n}") for n in range(5)] == [1, 2, 1, 1, 0]
        assert [total(f"level_after:{n}") for n in range(5)] == [0, 1, 2, 1, 1]
        assert cells[("accepted", B, 2025, 1)] == 2

    async def test_matching_counts_flows_and_projects_in_progress(self, world: World) -> None:
        cells = await world.stats("matching", world.tokens(Role.city_admin))
        assert cells[("providers", None, 2024, 4)] == 1 and cells[("providers", None, 2025, 1)] == 1
        assert cells[("solutions", None, 2025, 1)] == 1 and cells[("solutions", None, 2025, 2)] == 1
        assert cells[("activities_matchmaking", A, 2025, 1)] == 1
        assert cells[("activities", None, 2025, 2)] == 1 and ("activities", B, 2025, 2) not in cells
        assert cells[("contracts_signed", A, 2025, 1)] == 2
        assert cells[("contracts_signed", B, 2024, 4)] == 1
        assert ("contracts_signed", C, 2025, 1) not in cells  # cancelled
        assert cells[("projects_completed", A, 2025, 1)] == 1
        assert cells[("projects_in_progress", B, 2024, 4)] == 1
        assert cells[("projects_in_progress", A, 2025, 1)] == 1
        assert ("projects_in_progress", B, 2025, 1) not in cells
        assert (
            cells[("projects_in_progress", A, 2025, 2)] == 1
            and cells[("projects_in_progress", B, 2025, 2)] == 1
        )

    async def test_funding_sums_by_source_net_of_recoveries(self, world: World) -> None:
        cells = await world.stats("funding", world.tokens(Role.city_admin))
        assert cells[("funds_allocated:central", None, 2025, 1)] == 100_000_000
        assert cells[("funds_allocated", None, 2025, 1)] == 250_000_000
        assert cells[("funds_paid:city", A, 2025, 2)] == 40_000_000
        assert cells[("funds_paid", A, 2025, 2)] == 70_000_000


class TestStatsAuthorisation:
    async def test_county_official_sees_only_its_county(self, world: World) -> None:
        token = world.tokens(Role.county_admin, county=A)
        for service in SEEDS:
            cells = await world.stats(service, token)
            assert {county for _, county, *_ in cells} <= {A, None}
            assert not any(
                county is None and value
                for (m, county, *_), value in cells.items()
                if m != "projects_in_progress"
            )

    async def test_ranking_scope_shows_every_county(self, world: World) -> None:
        cells = await world.stats("assessment", world.tokens(Role.county_admin, county=A), scope="ranking")
        assert {county for _, county, *_ in cells} == {A, B, C}

    @pytest.mark.parametrize("service", list(SEEDS))
    async def test_enterprise_is_refused(self, world: World, service: str) -> None:
        response = await world.services[service].get(
            "/stats/performance", headers=world.tokens.headers(Role.enterprise, uscc=uscc(1))
        )
        assert response.status_code == 403
        assert response.json()["code"] == "role_not_allowed"


PERFORMANCE = """
query($programme: String!, $year: Int, $quarter: Int) {
  programmePerformance(programme: $programme, year: $year, quarter: $quarter) {
    programmeId year quarter countyCode
    targets { code measured
      year { period target actual gap percent trend }
      total { period target actual gap percent trend } }
    counties { countyCode countyName targets { code total { actual } } }
    levels { level before after }
    funds { sourceId name allocatedFen paidFen }
    ranking { rows { countyCode rank values { code value } } }
  }
}
"""

RANKING = """
query($programme: String!, $year: Int, $quarter: Int) {
  countyRanking(programme: $programme, year: $year, quarter: $quarter) {
    name period year quarter topCount
    criteria { code weight }
    rows { countyCode countyName rank previousRank score top values { code value } }
    top { countyCode rank }
  }
}
"""


def by_code(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["code"]: row for row in rows}


class TestProgrammePerformance:
    async def test_target_rows_equal_hand_counts(self, world: World) -> None:
        body = await world.graphql(
            PERFORMANCE, world.tokens(Role.city_admin), programme=PROGRAMME, year=2025, quarter=1
        )
        assert "errors" not in body, body
        targets = by_code(body["data"]["programmePerformance"]["targets"])
        above = targets["transform_above_scale"]
        assert above["year"] == {
            "period": "2025",
            "target": 242,
            "actual": 3,
            "gap": 239,
            "percent": 1.24,
            "trend": 2,
        }
        assert above["total"] == {
            "period": "total",
            "target": 561,
            "actual": 4,
            "gap": 557,
            "percent": 0.71,
            "trend": 3,
        }
        expected_2025 = {
            "above_scale_level2": 3,
            "above_scale_level2_share": 100,
            "transform_below_scale": 1,
            "below_scale_level2": 1,
            "transform_total": 4,
            "little_giant": 1,
            "srdi": 2,
            "cloud_adoption": 2,
            "solutions": 2,
            "digital_workshops": 2,
            "level4": 1,
            "providers": 1,
            "chain_cases": 1,
            "showcase": 1,
        }
        assert {code: targets[code]["year"]["actual"] for code in expected_2025} == expected_2025
        assert targets["above_scale_level2_share"]["total"]["actual"] == 75  # 3 of 4 admitted 规上
        assert targets["providers"]["total"]["actual"] == 2
        assert targets["local_practices"]["measured"] is False
        assert targets["local_practices"]["year"]["actual"] is None
        assert targets["showcase"]["year"]["target"] is None  # no yearly split in the plan

    async def test_counties_levels_and_funds(self, world: World) -> None:
        body = await world.graphql(PERFORMANCE, world.tokens(Role.city_admin), programme=PROGRAMME, year=2025)
        data = body["data"]["programmePerformance"]
        counties = {c["countyCode"]: by_code(c["targets"]) for c in data["counties"]}
        assert len(counties) == 9
        assert counties[A]["transform_total"]["total"]["actual"] == 2
        assert counties[B]["transform_total"]["total"]["actual"] == 2
        assert counties[B]["level4"]["total"]["actual"] == 1
        assert counties["330727"]["transform_total"]["total"]["actual"] == 0
        assert data["levels"] == [
            {"level": 0, "before": 1, "after": 0},
            {"level": 1, "before": 2, "after": 1},
            {"level": 2, "before": 1, "after": 2},
            {"level": 3, "before": 1, "after": 1},
            {"level": 4, "before": 0, "after": 1},
        ]
        assert data["funds"] == [
            {
                "sourceId": "central",
                "name": "中央财政资金",
                "allocatedFen": 100_000_000,
                "paidFen": 30_000_000,
            },
            {"sourceId": "city", "name": "=市级财政资金", "allocatedFen": 150_000_000, "paidFen": 40_000_000},
        ]


class TestCountyRanking:
    async def test_quarter_ranking_with_weights_and_top_three(self, world: World) -> None:
        body = await world.graphql(
            RANKING, world.tokens(Role.city_admin), programme=PROGRAMME, year=2025, quarter=1
        )
        assert "errors" not in body, body
        ranking = body["data"]["countyRanking"]
        assert ranking["period"] == "QUARTER" and ranking["topCount"] == 3
        assert [c["weight"] for c in ranking["criteria"]] == [25, 25, 25, 25]
        rows = {r["countyCode"]: r for r in ranking["rows"]}
        # Best: contracts 2 (A), in progress 1 (A), acceptances 2 (B), honours 3 (A).
        assert rows[A]["score"] == 87.5 and rows[A]["rank"] == 1
        assert rows[B]["score"] == 33.33 and rows[B]["rank"] == 2
        assert rows[C]["score"] == 16.67 and rows[C]["rank"] == 3
        assert {r["rank"] for code, r in rows.items() if code not in (A, B, C)} == {4}
        assert [t["countyCode"] for t in ranking["top"]] == [A, B, C]
        assert {v["code"]: v["value"] for v in rows[A]["values"]} == {
            "contracts": 2,
            "progress": 1,
            "acceptances": 1,
            "honours": 3,
        }
        # 2024 Q4: only B (a contract, one project in progress).
        assert rows[B]["previousRank"] == 1 and rows[A]["previousRank"] == 2

    async def test_programme_without_ranking(self, world: World) -> None:
        await world.services["enrollment"].post(
            "/programmes/seed", params={"city": "luoyang"}, headers=world.tokens.headers(Role.city_admin)
        )
        body = await world.graphql(
            RANKING, world.tokens(Role.city_admin), programme="luoyang-2025", year=2025
        )
        assert body["data"]["countyRanking"] is None


class TestCountyScope:
    async def test_county_official_sees_own_figures_and_ranking_positions(self, world: World) -> None:
        token = world.tokens(Role.county_admin, county=A)
        body = await world.graphql(PERFORMANCE, token, programme=PROGRAMME, year=2025, quarter=1)
        assert "errors" not in body, body
        data = body["data"]["programmePerformance"]
        assert data["countyCode"] == A
        targets = by_code(data["targets"])
        assert targets["transform_total"]["year"]["actual"] == 2
        assert targets["level4"]["year"]["actual"] == 0
        assert targets["providers"]["year"]["actual"] == 0  # city-wide figures are the city's
        assert [c["countyCode"] for c in data["counties"]] == [A]
        assert data["funds"][1]["paidFen"] == 40_000_000 and data["funds"][0]["allocatedFen"] == 0
        rows = {r["countyCode"]: r for r in data["ranking"]["rows"]}
        assert rows[A]["rank"] == 1 and rows[B]["rank"] == 2
        assert rows[A]["values"] and rows[B]["values"] == []

    async def test_other_roles_are_refused(self, world: World) -> None:
        body = await world.graphql(
            PERFORMANCE, world.tokens(Role.provider, provider_id="p1"), programme=PROGRAMME
        )
        assert body["errors"][0]["extensions"]["code"] == "ROLE_NOT_ALLOWED"

    async def test_national_platform_reads(self, world: World) -> None:
        body = await world.graphql(
            PERFORMANCE, world.tokens(Role.national_platform), programme=PROGRAMME, year=2025
        )
        assert "errors" not in body, body
        assert (
            by_code(body["data"]["programmePerformance"]["targets"])["transform_total"]["total"]["actual"]
            == 5
        )


class TestNationalReport:
    async def test_the_report_as_plain_data_for_the_monthly_push(self, world: World) -> None:
        data = await performance.report_for_token(
            world.clients, world.tokens(Role.national_platform), PROGRAMME, 2025, 1
        )
        targets = {t["code"]: t for t in data["targets"]}
        assert targets["transform_total"]["total"]["actual"] == 5
        assert targets["above_scale_level2_share"]["total"]["actual"] == 75
        assert data["ranking"]["top"][0]["county_code"] == A
        assert [f["paid_fen"] for f in data["funds"]] == [30_000_000, 40_000_000]


class TestExport:
    async def test_workbook_has_the_official_sheets_values_and_charts(self, world: World) -> None:
        response = await world.gateway.get(
            "/reports/performance.xlsx",
            params={"programme": PROGRAMME, "year": 2025, "quarter": 1},
            headers=world.tokens.headers(Role.city_admin),
        )
        assert response.status_code == 200, response.text
        workbook = load_workbook(io.BytesIO(response.content))
        assert workbook.sheetnames == ["目标完成情况", "分区县", "区县晾晒", "级别分布", "资金来源"]
        targets = workbook["目标完成情况"]
        assert "金华市" in targets["A1"].value and "jinhua-2024" in targets["A2"].value
        rows = {row[1]: row for row in targets.iter_rows(min_row=6, values_only=True)}
        assert rows["transform_above_scale"][4:9] == (242, 3, 239, 1.24, 2)
        assert rows["local_practices"][5] == "未统计"
        assert workbook["区县晾晒"]["C7"].value == "婺城区"
        funds = list(workbook["资金来源"].iter_rows(min_row=6, values_only=True))
        assert funds[1][1] == "'=市级财政资金"  # formula injection neutralised
        assert float(funds[0][2]) == 1_000_000.0
        charts = [chart for sheet in workbook.worksheets for chart in sheet._charts]
        assert len(charts) == 3

    async def test_export_needs_a_token_and_a_reader(self, world: World) -> None:
        response = await world.gateway.get("/reports/performance.xlsx", params={"programme": PROGRAMME})
        assert response.status_code == 401
        response = await world.gateway.get(
            "/reports/performance.xlsx",
            params={"programme": PROGRAMME},
            headers=world.tokens.headers(Role.enterprise, uscc=uscc(1)),
        )
        assert response.status_code == 403
