"""County isolation in the services downstream of enrollment, with randomised data: each service's own
records (read copies written through its event handlers, records through its API) spread at random over
four counties; a county admin of one county sees only its own county's records in lists and their
totals, batch reads, single reads, reports and exports."""

import io
import random
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import openpyxl
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.app import create_app as assessment_app
from services.assessment.tests import helpers as assessment
from services.funding.app import create_app as funding_app
from services.funding.tests import support as funding
from services.matching.app import create_app as matching_app
from services.matching.tests import helpers as matching
from services.matching.tests.test_projects import CONTRACT, PLAN
from szcore.auth import Role
from tests.support.fixtures import Tokens, asgi_client, rolled_back_session

SEEDS = (7, 2024, 90210)
# 新乡 counties: the funding builders' policy (xinxiang) is theirs.
FUNDING_COUNTIES = (funding.COUNTY, funding.OTHER_COUNTY, "410711", "410721")
# 洛阳 counties: the assessment builders' city.
ASSESSMENT_COUNTIES = (assessment.COUNTY, assessment.OTHER_COUNTY, "410324", "410325")
# 合肥 counties: the matching builders' city.
MATCHING_COUNTIES = (matching.COUNTY, matching.OTHER_COUNTY, "340102", "340103")


def xlsx_cells(content: bytes) -> list[list[Any]]:
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    return [list(row) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True)]


async def all_pages(
    client: httpx.AsyncClient, path: str, headers: dict[str, str], **params: Any
) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    cursor = None
    total = -1
    while True:
        query = {**params, "limit": 5, **({"cursor": cursor} if cursor else {})}
        response = await client.get(path, params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        total = page["total"] if total == -1 else total
        cursor = page.get("next_cursor")
        if not cursor:
            return items, total


def spread(rng: random.Random, counties: tuple[str, ...], new_id: Callable[[], str]) -> dict[str, str]:
    """USCC -> county, every county but the last one holding at least one enterprise."""
    placed = {new_id(): county for county in counties[:-1]}
    for _ in range(rng.randint(4, 10)):
        placed[new_id()] = rng.choice(counties)
    return placed


async def assert_county_stats(client: httpx.AsyncClient, headers: dict[str, str], county: str) -> None:
    """The county view of the performance figures; the ranking (晾晒) shows every county by design."""
    stats = await client.get("/stats/performance", params={"scope": "county"}, headers=headers)
    assert stats.status_code == 200, stats.text
    assert {c["county_code"] for c in stats.json()["cells"]} <= {county, None}


@pytest.fixture
async def funding_session(migrated_engines: Callable) -> AsyncIterator[AsyncSession]:  # type: ignore[type-arg]
    engine = await migrated_engines("funding")
    async for session in rolled_back_session(engine):
        yield session


@pytest.fixture
async def funding_client(funding_session: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(funding_app(), funding_session) as client:
        yield client


@pytest.mark.parametrize("seed_value", SEEDS)
class TestFundingCountyAdminSeesOnlyItsCounty:
    async def test_claims_profiles_reports_and_exports(
        self,
        funding_client: httpx.AsyncClient,
        funding_session: AsyncSession,
        tokens: Tokens,
        seed_value: int,
    ) -> None:
        client = funding_client
        rng = random.Random(seed_value)
        await funding.setup_policy_and_sources(client, tokens)
        placed = spread(rng, FUNDING_COUNTIES, funding.new_uscc)
        claims: dict[str, str] = {}
        committed: dict[str, int] = {}
        for number, (uscc, county) in enumerate(placed.items()):
            await funding.seed_enterprise(funding_session, uscc, county=county, contract=f"c-{uscc}")
            body = funding.claim_body(
                uscc, [funding.invoice(f"ISO{seed_value}-{number}", 10 * funding.WAN)], funding.WAN
            )
            if rng.random() < 0.5:
                claim_id = await funding.claim_through_audit(client, tokens, body, county)
                approved = await client.post(
                    f"/claims/{claim_id}/approve", headers=tokens.headers(Role.city_admin) | funding.key()
                )
                assert approved.status_code == 200, approved.text
                claims[claim_id] = uscc
                committed[county] = committed.get(county, 0) + funding.WAN
                continue
            submitted = await client.post(
                "/claims", json=body, headers=tokens.headers(Role.enterprise, uscc=uscc) | funding.key()
            )
            assert submitted.status_code == 201, submitted.text
            claims[submitted.json()["claim_id"]] = uscc
        every = sorted(placed)
        for county in FUNDING_COUNTIES:
            headers = tokens.headers(Role.county_admin, county=county)
            mine = {u for u, c in placed.items() if c == county}
            theirs = [u for u, c in placed.items() if c != county]

            for order in ("oldest_first", "claimed_highest"):
                items, total = await all_pages(client, "/claims", headers, order=order)
                assert {i["uscc"] for i in items} == mine
                assert total == len(items) == len(mine)
            for other_county in set(FUNDING_COUNTIES) - {county}:
                filtered = await client.get("/claims", params={"county_code": other_county}, headers=headers)
                assert filtered.status_code in (200, 403)
                if filtered.status_code == 200:
                    assert filtered.json()["items"] == [] and filtered.json()["total"] == 0

            batch = await client.get("/claims/by-enterprise", params={"uscc": every}, headers=headers)
            assert {i["uscc"] for i in batch.json()["items"]} == mine
            profiles = await client.get("/enterprises", params={"uscc": every}, headers=headers)
            assert profiles.status_code in (200, 403)
            if profiles.status_code == 200:
                assert {i["uscc"] for i in profiles.json()["items"]} <= mine

            for claim_id, uscc in claims.items():
                if uscc in theirs:
                    refused = await client.get(f"/claims/{claim_id}", headers=headers)
                    assert refused.status_code in (403, 404), refused.text
                    assert refused.json()["code"]
            for other in rng.sample(theirs, min(3, len(theirs))):
                for path in (f"/enterprises/{other}", f"/reports/enterprises/{other}/statement"):
                    refused = await client.get(path, headers=headers)
                    assert refused.status_code in (403, 404), (path, refused.text)
                    assert refused.json()["code"]
                for path in ("/claims", "/payments"):
                    refused = await client.get(path, params={"uscc": other}, headers=headers)
                    assert refused.status_code == 403 or refused.json()["items"] == [], (path, refused.text)

            # Money movements by enterprise are for the city and auditors only.
            for path in ("/payments", "/payments/by-enterprise", "/recoveries", "/ledger/entries"):
                refused = await client.get(path, params={"uscc": every}, headers=headers)
                assert refused.status_code == 403, (path, refused.text)

            report = await client.get("/reports/funds", params={"group_by": "county"}, headers=headers)
            if report.status_code == 200:
                assert {r["key"] for r in report.json()["rows"]} <= {county}
                assert report.json()["totals"]["committed_fen"] == committed.get(county, 0)
                xlsx = await client.get("/reports/funds.xlsx", headers=headers)
                assert xlsx.status_code == 200
                cells = {str(c) for row in xlsx_cells(xlsx.content) for c in row if c is not None}
                assert not cells & (set(FUNDING_COUNTIES) - {county})
            else:
                assert report.status_code == 403, report.text
            performance = await client.get("/reports/performance", headers=headers)
            if performance.status_code == 200:
                assert sum(performance.json()["claims_by_status"].values()) == len(mine)
            else:
                assert performance.status_code == 403, performance.text


def matching_uscc() -> str:
    return matching.provider_uscc().replace("MA2P", "MA2E")


@pytest.fixture
async def matching_world(migrated_engines: Callable, tokens: Tokens) -> AsyncIterator[matching.World]:  # type: ignore[type-arg]
    engine = await migrated_engines("matching")
    async for session in rolled_back_session(engine):
        async with asgi_client(matching_app(), session) as client:
            yield matching.World(client, session, tokens)


async def contracted_project(world: matching.World, uscc: str, solution_id: str) -> tuple[str, str]:
    """A transformation engagement of `uscc` taken to a signed contract: it and its project."""
    engaged = await world.ok(
        await world.client.post(
            "/engagements",
            json={"uscc": uscc, "provider_id": "p1", "kind": "transformation", "solution_ids": [solution_id]},
            headers=world.enterprise(uscc),
        ),
        201,
    )
    url = f"/engagements/{engaged['engagement_id']}"
    await world.ok(await world.client.post(f"{url}/plan", json=PLAN, headers=world.provider("p1")))
    await world.ok(
        await world.client.post(
            f"{url}/plan/decision", json={"decision": "approve"}, headers=world.enterprise(uscc)
        )
    )
    contract = CONTRACT | {"contract_id": f"HT-{uscc}"}
    project = await world.ok(
        await world.client.post(f"{url}/contract", json=contract, headers=world.enterprise(uscc)), 201
    )
    return engaged["engagement_id"], project["project_id"]


@pytest.mark.parametrize("seed_value", SEEDS)
class TestMatchingCountyAdminSeesOnlyItsCounty:
    async def test_needs_engagements_projects_and_matches(
        self, matching_world: matching.World, tokens: Tokens, seed_value: int
    ) -> None:
        world = matching_world
        client = world.client
        rng = random.Random(seed_value)
        await world.listed_provider("p1", counties=list(MATCHING_COUNTIES))
        solution = await world.listed_solution("p1")
        projects: dict[str, str] = {}
        placed = spread(rng, MATCHING_COUNTIES, matching_uscc)
        engagements: dict[str, str] = {}
        for number, (uscc, county) in enumerate(placed.items()):
            await world.enterprise_registered(uscc, county=county)
            await world.gap_analysis(uscc, ("S05", 1, 2), assessment_id=f"as-{seed_value}-{number}")
            if rng.random() < 0.7:
                engaged = await world.ok(
                    await client.post(
                        "/engagements",
                        json={"uscc": uscc, "provider_id": "p1", "kind": "diagnosis"},
                        headers=world.enterprise(uscc),
                    ),
                    201,
                )
                engagements[engaged["engagement_id"]] = uscc
            if rng.random() < 0.4:
                engagement_id, project_id = await contracted_project(world, uscc, solution["solution_id"])
                engagements[engagement_id] = projects[project_id] = uscc
        every = sorted(placed)
        for county in MATCHING_COUNTIES:
            headers = world.county(county)
            mine = {u for u, c in placed.items() if c == county}
            engaged_mine = {u for u in engagements.values() if u in mine}
            theirs = [u for u, c in placed.items() if c != county]

            for order in ("id", "created_newest"):
                items, total = await all_pages(client, "/engagements", headers, order=order)
                assert {i["uscc"] for i in items} == engaged_mine
                assert total == len(items) == len([u for u in engagements.values() if u in mine])
                assert {i["engagement_id"] for i in items} == {e for e, u in engagements.items() if u in mine}
            batch = await client.get("/engagements/by-enterprise", params={"uscc": every}, headers=headers)
            assert {i["uscc"] for i in batch.json()["items"]} == engaged_mine
            by_provider = await client.get(
                "/engagements/by-provider", params={"provider_id": "p1"}, headers=headers
            )
            assert by_provider.status_code in (200, 403)
            if by_provider.status_code == 200:
                assert {i["uscc"] for i in by_provider.json()["items"]} <= mine
            needs = await client.get("/needs/by-enterprise", params={"uscc": every}, headers=headers)
            assert {n["uscc"] for n in needs.json()["items"]} == mine

            for engagement_id, uscc in engagements.items():
                if uscc in theirs:
                    refused = await client.get(f"/engagements/{engagement_id}", headers=headers)
                    assert refused.status_code in (403, 404), refused.text
                    assert refused.json()["code"]
            for project_id, uscc in projects.items():
                response = await client.get(f"/projects/{project_id}", headers=headers)
                if uscc in mine:
                    assert response.status_code == 200, response.text
                else:
                    assert response.status_code in (403, 404), response.text
                    assert response.json()["code"]
            for other in rng.sample(theirs, min(3, len(theirs))):
                for path in (
                    f"/enterprises/{other}",
                    f"/enterprises/{other}/needs",
                    f"/enterprises/{other}/matches",
                ):
                    refused = await client.get(path, headers=headers)
                    assert refused.status_code in (403, 404), (path, refused.text)
                    assert refused.json()["code"]
                listed = await client.get("/engagements", params={"uscc": other}, headers=headers)
                assert listed.status_code == 403 or listed.json()["items"] == [], listed.text

            prospects = await client.get("/providers/p1/prospects", headers=headers)
            assert prospects.status_code == 403, prospects.text
            await assert_county_stats(client, headers, county)


@pytest.fixture
async def assessment_session(migrated_engines: Callable) -> AsyncIterator[AsyncSession]:  # type: ignore[type-arg]
    engine = await migrated_engines("assessment")
    async for session in rolled_back_session(engine):
        yield session


@pytest.fixture
async def assessment_client(assessment_session: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(assessment_app(), assessment_session) as client:
        yield client


@pytest.mark.parametrize("seed_value", SEEDS)
class TestAssessmentCountyAdminSeesOnlyItsCounty:
    async def test_assessments_distributions_reports_and_exports(
        self,
        assessment_client: httpx.AsyncClient,
        assessment_session: AsyncSession,
        tokens: Tokens,
        seed_value: int,
    ) -> None:
        client = assessment_client
        rng = random.Random(seed_value)
        placed = spread(rng, ASSESSMENT_COUNTIES, funding.new_uscc)
        assessments: dict[str, str] = {}
        completed: set[str] = set()
        for uscc, county in placed.items():
            await assessment.register(assessment_session, uscc, county)
            if rng.random() < 0.5:
                await assessment.complete_project(assessment_session, f"proj-{uscc}", uscc)
                completed.add(uscc)
            for _ in range(rng.randint(0, 2)):
                draft = await client.post(
                    "/assessments",
                    json={"uscc": uscc, "kind": "self"},
                    headers=tokens.headers(Role.enterprise, uscc=uscc),
                )
                assert draft.status_code == 201, draft.text
                assessments[draft.json()["id"]] = uscc
        every = sorted(placed)
        for county in ASSESSMENT_COUNTIES:
            headers = tokens.headers(Role.county_admin, county=county)
            mine = {u for u, c in placed.items() if c == county}
            assessed_mine = [a for a, u in assessments.items() if u in mine]
            theirs = [u for u, c in placed.items() if c != county]

            for order in ("newest", "oldest", "score_highest"):
                items, total = await all_pages(client, "/assessments", headers, order=order)
                assert {i["id"] for i in items} == set(assessed_mine)
                assert total == len(items)
            batch = await client.get("/assessments/by-enterprise", params={"uscc": every}, headers=headers)
            assert {i["uscc"] for i in batch.json()["items"]} <= mine
            assert len(batch.json()["items"]) == len(assessed_mine)
            queue = await client.get("/assessments/acceptance-queue", headers=headers)
            assert queue.status_code in (200, 403), queue.text
            if queue.status_code == 200:
                assert {i["uscc"] for i in queue.json()["items"]} == mine & completed
            await assert_county_stats(client, headers, county)

            for assessment_id, uscc in assessments.items():
                if uscc in theirs:
                    refused = await client.get(f"/assessments/{assessment_id}", headers=headers)
                    assert refused.status_code in (403, 404), refused.text
                    assert refused.json()["code"]
            for other in rng.sample(theirs, min(3, len(theirs))):
                for suffix in ("", "/report", "/report.pdf", "/report.pdf.json"):
                    refused = await client.get(f"/enterprises/{other}{suffix}", headers=headers)
                    assert refused.status_code in (403, 404), (suffix, refused.text)
                    assert refused.json()["code"]
                listed = await client.get("/assessments", params={"uscc": other}, headers=headers)
                assert listed.status_code == 403 or listed.json()["items"] == [], listed.text

            for group_by in ("county", "industry"):
                levels = await client.get("/programme/levels", params={"group_by": group_by}, headers=headers)
                assert levels.status_code == 200, levels.text
                assert levels.json()["total"]["enterprises"] == len(mine)
                assert sum(g["enterprises"] for g in levels.json()["groups"]) == len(mine)
                if group_by == "county":
                    assert {g["group"] for g in levels.json()["groups"]} <= {county}
            below = (await client.get("/programme/below-target", headers=headers)).json()
            assert {i["uscc"] for i in below["items"]} == mine
            assert below["total"] == len(mine)
            xlsx = await client.get("/programme/below-target.xlsx", headers=headers)
            assert xlsx.status_code == 200
            cells = {str(c) for row in xlsx_cells(xlsx.content) for c in row if c is not None}
            assert cells & set(every) == mine
