"""Matching's workflow steps raced through two matching processes on one PostgreSQL database: each step
(engagement, plan approval, contract, milestone confirmation, project completion, diagnosis completion,
cancellation) sent many times at once, half to each process, some as retries with one Idempotency-Key.
Each time one effect (one transition, one event of its kind in the outbox, counted in the database) and
a 409 problem with the state machine's code for every other request; the open-engagement counters of
enterprise and provider stay exact when different engagements open and close at once."""

import asyncio
import random
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from shuzhuan.events.v1.enrollment_pb2 import EnterpriseRegistered, SizeClass
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ops.local import Platform
from services.matching.db import infra
from services.matching.enterprise.models import EnterpriseCopy
from services.matching.enterprise.service import apply_enterprise_registered
from services.matching.project.models import Engagement
from services.matching.provider.models import Provider
from services.matching.provider.uscc import check_digit
from services.matching.solution.models import Solution
from services.matching.tests.helpers import COUNTY, World, event
from szcore.db import create_engine
from szcore.events import to_timestamp
from tests.support.fixtures import Tokens, unique_uscc
from tests.support.replicas import replica_clients, require_postgresql

pytestmark = [pytest.mark.e2e, pytest.mark.fault]

RACERS = 8
PLAN = {
    "goals": "生产管控达到二级",
    "scenario_codes": ["S05", "S06"],
    "target_level": 2,
    "budget": [
        {"category": "software", "amount_fen": 30_000_000, "description": "MES"},
        {"category": "implementation_service", "amount_fen": 20_000_000},
    ],
}


def contract() -> dict[str, Any]:
    return {
        "contract_id": f"HT-{uuid.uuid4().hex[:12]}",
        "amount_fen": 50_000_000,
        "signed_on": "2026-11-01T00:00:00Z",
        "starts_on": "2026-11-02T00:00:00Z",
        "ends_on": "2027-03-31T00:00:00Z",
    }


@pytest.fixture
def postgresql_only(databases: Any) -> None:
    require_postgresql(databases)


@pytest.fixture
async def matching(postgresql_only: None, platform: Platform, tmp_path: Path) -> Any:
    # postgresql_only first: on SQLite the test is skipped before the platform's processes start.
    async with replica_clients(platform, "matching", tmp_path) as (one, two):
        yield one, two


class Race:
    """Builds the state a step needs through the first replica, then fires the step from both."""

    def __init__(
        self, platform: Platform, clients: tuple[httpx.AsyncClient, httpx.AsyncClient], tokens: Tokens
    ):
        self.url = platform.env["SZ_MATCHING_DATABASE_URL"]
        self.one, self.two = clients
        self.world = World(self.one, None, tokens)  # type: ignore[arg-type]
        self.industries: dict[str, list[str]] = {}

    async def database(self, query: Any) -> Any:
        engine = create_engine(self.url)
        try:
            async with AsyncSession(engine) as session:
                return (await session.execute(query)).all()
        finally:
            await engine.dispose()

    async def enterprises(self, count: int) -> list[str]:
        """Read copies stored as the EnterpriseRegistered handler stores them."""
        usccs = [unique_uscc() for _ in range(count)]
        engine = create_engine(self.url)
        try:
            async with AsyncSession(engine) as session:
                for uscc in usccs:
                    payload = EnterpriseRegistered(
                        uscc=uscc,
                        name=f"并发企业{uscc[-4:]}",
                        county_code=COUNTY,
                        industry_code="C36",
                        size_class=SizeClass.SIZE_CLASS_ABOVE_SCALE,
                        registered_at=to_timestamp(datetime(2026, 1, 1, tzinfo=UTC)),
                    )
                    await apply_enterprise_registered(session, event(payload, "enrollment"))
                await session.commit()
        finally:
            await engine.dispose()
        return usccs

    async def provider(self) -> str:
        provider_id = f"race-{uuid.uuid4().hex[:10]}"
        first17 = f"91340100MA{random.randrange(10**7):07d}"
        # An industry of its own: the per-industry quota of listed providers stays out of the way.
        self.industries[provider_id] = [f"R{uuid.uuid4().hex[:6].upper()}"]
        await self.world.listed_provider(
            provider_id, uscc=first17 + check_digit(first17), industries=self.industries[provider_id]
        )
        return provider_id

    async def engaged(self, kind: str, *, solution: bool = False) -> tuple[str, str, str]:
        [uscc] = await self.enterprises(1)
        provider_id = await self.provider()
        body: dict[str, Any] = {"uscc": uscc, "provider_id": provider_id, "kind": kind}
        if solution:
            listed = await self.world.listed_solution(provider_id, industries=self.industries[provider_id])
            body["solution_ids"] = [listed["solution_id"]]
        created = await self.one.post("/engagements", json=body, headers=self.world.enterprise(uscc))
        assert created.status_code == 201, created.text
        return uscc, provider_id, str(created.json()["engagement_id"])

    async def at_once(
        self, method: str, path: str, headers: dict[str, str], json: Any = None, *, retries: bool = True
    ) -> list[httpx.Response]:
        """RACERS identical requests, half to each replica; the first half are one client's retries
        (one Idempotency-Key), the rest independent (a key each)."""
        same = uuid.uuid4().hex
        keys = [same if retries and n < RACERS // 2 else uuid.uuid4().hex for n in range(RACERS)]
        return list(
            await asyncio.gather(
                *(
                    (self.one, self.two)[n % 2].request(
                        method, path, json=json, headers=headers | {"idempotency-key": keys[n]}
                    )
                    for n in range(RACERS)
                )
            )
        )

    async def events(self, event_type: str, aggregate_id: str) -> int:
        outbox = infra.outbox.c
        [(count,)] = await self.database(
            select(func.count()).where(outbox.event_type == event_type, outbox.aggregate_id == aggregate_id)
        )
        return int(count)

    async def audited(self, action: str, entity_id: str) -> int:
        audit = infra.audit_log.c
        [(count,)] = await self.database(
            select(func.count()).where(audit.action == action, audit.entity_id == entity_id)
        )
        return int(count)

    async def counters(self, uscc: str, provider_id: str) -> tuple[int, int]:
        [(engagements,)] = await self.database(
            select(EnterpriseCopy.open_engagements).where(EnterpriseCopy.uscc == uscc)
        )
        [(projects,)] = await self.database(
            select(Provider.open_projects).where(Provider.provider_id == provider_id)
        )
        return int(engagements), int(projects)


def one_winner(answers: list[httpx.Response], codes: set[str], ok: int = 200) -> dict[str, Any]:
    statuses = sorted(a.status_code for a in answers)
    assert statuses == sorted([ok] + [409] * (len(answers) - 1)), [a.text[:300] for a in answers]
    for loser in (a for a in answers if a.status_code == 409):
        assert loser.headers["content-type"].startswith("application/problem+json")
        assert loser.json()["code"] in codes, loser.text
    return dict(next(a for a in answers if a.status_code == ok).json())


@pytest.fixture
def race(matching: Any, platform: Platform, tokens: Tokens) -> Race:
    return Race(platform, matching, tokens)


class TestEngagementCreatedAtOnce:
    async def test_one_engagement_one_event(self, race: Race) -> None:
        [uscc] = await race.enterprises(1)
        provider_id = await race.provider()
        body = {"uscc": uscc, "provider_id": provider_id, "kind": "transformation"}
        answers = await race.at_once("POST", "/engagements", race.world.enterprise(uscc), body)
        winner = one_winner(answers, {"engagement_exists"}, ok=201)
        rows = await race.database(select(Engagement.engagement_id).where(Engagement.uscc == uscc))
        assert [r.engagement_id for r in rows] == [winner["engagement_id"]]
        assert await race.events("EngagementCreated", winner["engagement_id"]) == 1
        assert await race.counters(uscc, provider_id) == (1, 1)


class TestOpenEngagementCounters:
    async def test_one_enterprise_many_providers_at_once(self, race: Race) -> None:
        [uscc] = await race.enterprises(1)
        providers = [await race.provider() for _ in range(RACERS)]
        headers = race.world.enterprise(uscc)
        answers = await asyncio.gather(
            *(
                (race.one, race.two)[n % 2].post(
                    "/engagements",
                    json={"uscc": uscc, "provider_id": p, "kind": "diagnosis"},
                    headers=headers,
                )
                for n, p in enumerate(providers)
            )
        )
        assert [a.status_code for a in answers] == [201] * RACERS, [a.text[:300] for a in answers]
        assert (await race.counters(uscc, providers[0]))[0] == RACERS
        closed = await asyncio.gather(
            *(
                (race.two, race.one)[n % 2].post(
                    f"/engagements/{a.json()['engagement_id']}/complete", headers=headers
                )
                for n, a in enumerate(answers)
            )
        )
        assert [c.status_code for c in closed] == [200] * RACERS, [c.text[:300] for c in closed]
        assert (await race.counters(uscc, providers[0])) == (0, 0)

    async def test_one_provider_many_enterprises_at_once(self, race: Race) -> None:
        usccs = await race.enterprises(RACERS)
        provider_id = await race.provider()
        answers = await asyncio.gather(
            *(
                (race.one, race.two)[n % 2].post(
                    "/engagements",
                    json={"uscc": u, "provider_id": provider_id, "kind": "diagnosis"},
                    headers=race.world.enterprise(u),
                )
                for n, u in enumerate(usccs)
            )
        )
        assert [a.status_code for a in answers] == [201] * RACERS, [a.text[:300] for a in answers]
        assert (await race.counters(usccs[0], provider_id)) == (1, RACERS)
        cancelled = await asyncio.gather(
            *(
                (race.two, race.one)[n % 2].post(
                    f"/engagements/{a.json()['engagement_id']}/cancel",
                    json={"reason": "并发撤销"},
                    headers=race.world.enterprise(u),
                )
                for n, (a, u) in enumerate(zip(answers, usccs, strict=True))
            )
        )
        assert [c.status_code for c in cancelled] == [200] * RACERS, [c.text[:300] for c in cancelled]
        assert (await race.counters(usccs[0], provider_id)) == (0, 0)


class TestListingsAgainstOneQuotaAtOnce:
    async def test_the_roster_never_passes_the_quota(self, race: Race) -> None:
        rule = await race.world.ok(await race.one.get("/rules/quotas", headers=race.world.city()))
        limit = int(rule["document"]["per_industry"]["specialist"])
        industry = [f"Q{uuid.uuid4().hex[:6].upper()}"]
        providers = []
        for _ in range(limit + 2):
            provider_id = f"race-{uuid.uuid4().hex[:10]}"
            first17 = f"91340100MA{random.randrange(10**7):07d}"
            await race.world.apply(provider_id, uscc=first17 + check_digit(first17), industries=industry)
            await race.world.ok(await race.world.review(provider_id), 201)
            await race.world.ok(await race.world.approve(provider_id))
            providers.append(provider_id)
        answers = await asyncio.gather(
            *(
                (race.one, race.two)[n % 2].post(f"/providers/{p}/listing", headers=race.world.city())
                for n, p in enumerate(providers)
            )
        )
        statuses = sorted(a.status_code for a in answers)
        assert statuses == [200] * limit + [409, 409], [a.text[:300] for a in answers]
        assert {a.json()["code"] for a in answers if a.status_code == 409} == {"quota_exceeded"}
        listed = await race.database(
            select(func.count()).where(Provider.provider_id.in_(providers), Provider.status == "listed")
        )
        assert listed == [(limit,)]


class TestPlanApprovedAtOnce:
    async def test_one_approval_one_event(self, race: Race) -> None:
        uscc, provider_id, engagement_id = await race.engaged("transformation")
        submitted = await race.two.post(
            f"/engagements/{engagement_id}/plan", json=PLAN, headers=race.world.provider(provider_id)
        )
        assert submitted.status_code == 200, submitted.text
        answers = await race.at_once(
            "POST",
            f"/engagements/{engagement_id}/plan/decision",
            race.world.enterprise(uscc),
            {"decision": "approve"},
        )
        winner = one_winner(answers, {"plan_not_submitted"})
        assert winner["status"] == "approved"
        assert await race.events("PlanApproved", engagement_id) == 1
        assert await race.audited("plan.approved", engagement_id) == 1


class TestContractSignedAtOnce:
    async def test_one_project_one_event(self, race: Race) -> None:
        uscc, provider_id, engagement_id = await race.engaged("transformation")
        enterprise = race.world.enterprise(uscc)
        await race.world.ok(
            await race.one.post(
                f"/engagements/{engagement_id}/plan", json=PLAN, headers=race.world.provider(provider_id)
            )
        )
        await race.world.ok(
            await race.two.post(
                f"/engagements/{engagement_id}/plan/decision",
                json={"decision": "approve"},
                headers=enterprise,
            )
        )
        answers = await race.at_once("POST", f"/engagements/{engagement_id}/contract", enterprise, contract())
        winner = one_winner(answers, {"contract_exists"}, ok=201)
        engagement = (await race.one.get(f"/engagements/{engagement_id}", headers=enterprise)).json()
        assert engagement["project"]["project_id"] == winner["project_id"]
        assert await race.events("ContractSigned", winner["project_id"]) == 1
        assert await race.audited("contract.signed", winner["project_id"]) == 1


async def contracted(race: Race) -> tuple[str, str, str, str]:
    uscc, provider_id, engagement_id = await race.engaged("transformation", solution=True)
    enterprise, provider = race.world.enterprise(uscc), race.world.provider(provider_id)
    base = f"/engagements/{engagement_id}"
    await race.world.ok(await race.one.post(f"{base}/plan", json=PLAN, headers=provider))
    await race.world.ok(
        await race.one.post(f"{base}/plan/decision", json={"decision": "approve"}, headers=enterprise)
    )
    project = await race.world.ok(
        await race.one.post(f"{base}/contract", json=contract(), headers=enterprise), 201
    )
    return uscc, provider_id, engagement_id, str(project["project_id"])


class TestMilestoneConfirmedAtOnce:
    async def test_one_confirmation_one_event(self, race: Race) -> None:
        uscc, provider_id, _, project_id = await contracted(race)
        reported = await race.world.ok(
            await race.two.post(
                f"/projects/{project_id}/milestones",
                json={"title": "上线", "progress_percent": 100},
                headers=race.world.provider(provider_id),
            ),
            201,
        )
        assert await race.events("MilestoneReported", project_id) == 1
        answers = await race.at_once(
            "POST",
            f"/projects/{project_id}/milestones/{reported['milestone_id']}/confirm",
            race.world.enterprise(uscc),
        )
        winner = one_winner(answers, {"milestone_confirmed"})
        assert winner["confirmed_at"] is not None
        assert await race.events("MilestoneReported", project_id) == 2


class TestProjectCompletedAtOnce:
    async def test_one_completion_one_event(self, race: Race) -> None:
        uscc, provider_id, engagement_id, project_id = await contracted(race)
        enterprise = race.world.enterprise(uscc)
        milestone = await race.world.ok(
            await race.one.post(
                f"/projects/{project_id}/milestones",
                json={"title": "验收", "progress_percent": 100},
                headers=race.world.provider(provider_id),
            ),
            201,
        )
        await race.world.ok(
            await race.two.post(
                f"/projects/{project_id}/milestones/{milestone['milestone_id']}/confirm", headers=enterprise
            )
        )
        answers = await race.at_once("POST", f"/projects/{project_id}/complete", enterprise)
        winner = one_winner(answers, {"project_not_active"})
        assert winner["status"] == "completed"
        assert await race.events("ProjectCompleted", project_id) == 1
        assert await race.audited("project.completed", project_id) == 1
        engagement = (await race.one.get(f"/engagements/{engagement_id}", headers=enterprise)).json()
        assert engagement["status"] == "completed"
        [(uses,)] = await race.database(
            select(Solution.uses).where(Solution.solution_id.in_(engagement["solution_ids"]))
        )
        assert uses == 1
        assert await race.counters(uscc, provider_id) == (0, 0)


class TestDiagnosisClosedAtOnce:
    @pytest.mark.parametrize("step", ["complete", "cancel"])
    async def test_one_close_one_event(self, race: Race, step: str) -> None:
        uscc, provider_id, engagement_id = await race.engaged("diagnosis")
        body = {"reason": "企业撤回"} if step == "cancel" else None
        answers = await race.at_once(
            "POST", f"/engagements/{engagement_id}/{step}", race.world.enterprise(uscc), body
        )
        winner = one_winner(answers, {"engagement_not_open"})
        assert winner["status"] == ("completed" if step == "complete" else "cancelled")
        event_type = "EngagementClosed" if step == "complete" else "EngagementCancelled"
        assert await race.events(event_type, engagement_id) == 1
        assert await race.counters(uscc, provider_id) == (0, 0)
