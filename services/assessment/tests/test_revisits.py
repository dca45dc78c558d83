"""回头看: seeded reproducible draws of accepted enterprises, findings, revocation."""

import uuid

import httpx
from shuzhuan.events.v1.assessment_pb2 import PilotStatusRevoked
from shuzhuan.events.v1.enrollment_pb2 import EnterpriseAdmitted
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.assessment.models import Assessment
from services.assessment.db import audit_log
from services.assessment.revisit import draw
from services.assessment.revisit.service import apply_enterprise_admitted
from services.assessment.tests.helpers import COUNTY, OTHER_COUNTY, event, outbox_events
from szcore.auth import Role
from szcore.events import to_timestamp
from szcore.types import utcnow


def uscc(n: int) -> str:
    return f"91410300MA{n:07d}X"


async def accepted(session: AsyncSession, n: int, county: str = COUNTY, status: str = "signed_off") -> str:
    now = utcnow()
    session.add(
        Assessment(
            id=str(uuid.uuid4()),
            uscc=uscc(n),
            county_code=county,
            kind="acceptance",
            status=status,
            index_code="miit-2024-manufacturing",
            revision=1,
            created_by="eval-a",
            assessor_role="evaluator",
            assessor_id="lab-1",
            answers={},
            scenario_levels={},
            evidence={},
            pain_points=[],
            needed_scenarios=[],
            report="",
            level=2,
            base_score_milli=50000,
            created_at=now,
            updated_at=now,
            submitted_at=now,
            signed_off_at=now,
        )
    )
    await session.flush()
    return uscc(n)


async def admit(session: AsyncSession, n: int, batch: str) -> None:
    payload = EnterpriseAdmitted(
        application_id=f"app-{n}",
        uscc=uscc(n),
        programme_id="p",
        batch_id=batch,
        batch_number=1,
        county_code=COUNTY,
        admitted_at=to_timestamp(utcnow()),
    )
    await apply_enterprise_admitted(session, event(payload, "enrollment"))


class TestDrawFunction:
    def test_same_seed_same_sample_whatever_the_order(self) -> None:
        population = [uscc(n) for n in range(40)]
        first = draw.draw(population, 7, "seed-1")
        assert draw.draw(list(reversed(population)), 7, "seed-1") == first
        assert draw.draw(population, 7, "seed-2") != first
        assert len(set(first)) == 7 and set(first) <= set(population)

    def test_sizes(self) -> None:
        assert draw.sample_size(41, None, 10) == 5  # rounded up
        assert draw.sample_size(3, 10, None) == 3


class TestRevisits:
    async def test_city_draws_and_findings_revoke(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        for n in range(10):
            await accepted(session, n, COUNTY if n < 6 else OTHER_COUNTY)
        await accepted(session, 99, status="submitted")  # not signed off: not in the population
        city = tokens.headers(Role.city_admin)
        response = await client.post(
            "/revisit-draws",
            json={"label": "2026年回头看", "sample_percent": 30, "seed": "s-1"},
            headers=city,
        )
        assert response.status_code == 201, response.text
        body = response.json()
        assert body["sample_size"] == 3 and len(body["population"]) == 10 and body["reproducible"]
        assert body["drawn"] == draw.draw(body["population"], 3, "s-1")
        assert [r["uscc"] for r in body["revisits"]] == body["drawn"]
        evaluator = tokens.headers(Role.evaluator)
        first, second = body["revisits"][0]["id"], body["revisits"][1]["id"]
        ok = await client.post(f"/revisits/{first}/finding", json={"finding": "ok"}, headers=evaluator)
        assert ok.status_code == 200 and not ok.json()["revoked"]
        stopped = await client.post(
            f"/revisits/{second}/finding",
            json={"finding": "systems_stopped", "detail": "MES 已停用"},
            headers=evaluator,
        )
        assert stopped.json()["revoked"]
        [(kind, payload)] = await outbox_events(session)
        assert kind == "PilotStatusRevoked" and isinstance(payload, PilotStatusRevoked)
        assert (payload.uscc, payload.finding, payload.detail) == (
            body["drawn"][1],
            "systems_stopped",
            "MES 已停用",
        )
        again = await client.post(f"/revisits/{second}/finding", json={"finding": "ok"}, headers=evaluator)
        assert again.status_code == 409
        assert (await audit_log.verify(session)).ok

    async def test_per_batch_and_county_scoped_reads(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        for n in range(6):
            await accepted(session, n, COUNTY if n % 2 else OTHER_COUNTY)
            await admit(session, n, "b1" if n < 4 else "b2")
        response = await client.post(
            "/revisit-draws",
            json={"label": "第1批", "sample_size": 10, "batch_id": "b1"},
            headers=tokens.headers(Role.city_admin),
        )
        body = response.json()
        assert body["population"] == [uscc(n) for n in range(4)] and body["sample_size"] == 4 and body["seed"]
        county = await client.get(
            f"/revisit-draws/{body['id']}", headers=tokens.headers(Role.county_admin, county=COUNTY)
        )
        assert {r["county_code"] for r in county.json()["revisits"]} == {COUNTY}
        listing = await client.get("/revisit-draws", headers=tokens.headers(Role.auditor))
        assert [d["id"] for d in listing.json()["items"]] == [body["id"]]


class TestDrawPage:
    async def test_paging_while_draws_are_made_has_no_duplicate_or_gap(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        for n in range(3):
            await accepted(session, n)
        city = tokens.headers(Role.city_admin)

        async def new_draw(label: str) -> str:
            body = {"label": label, "sample_size": 1, "seed": label}
            response = await client.post("/revisit-draws", json=body, headers=city)
            assert response.status_code == 201, response.text
            return response.json()["id"]  # type: ignore[no-any-return]

        made = [await new_draw(f"d{i}") for i in range(3)]
        seen: list[str] = []
        cursor = None
        while True:
            params = {"order": "oldest", "limit": 2} | ({"cursor": cursor} if cursor else {})
            response = await client.get("/revisit-draws", params=params, headers=city)
            assert response.status_code == 200, response.text
            page = response.json()
            if not seen:
                made.append(await new_draw("d3"))  # drawn last: reached on a later page
            seen += [d["id"] for d in page["items"]]
            if (cursor := page["next_cursor"]) is None:
                break
        assert seen == made and page["total"] == 4
        newest = (await client.get("/revisit-draws", params={"limit": 1}, headers=city)).json()
        assert [d["id"] for d in newest["items"]] == [made[-1]] and newest["next_cursor"]
        enterprise = tokens.headers(Role.enterprise, uscc=uscc(0))
        refused = await client.get("/revisit-draws", params={"limit": 1}, headers=enterprise)
        assert refused.status_code == 403


class TestRevisitRefusals:
    async def test_roles(self, client: httpx.AsyncClient, session: AsyncSession, tokens) -> None:
        await accepted(session, 1)
        body = {"label": "x", "sample_size": 1}
        for role, scope in [(Role.evaluator, {}), (Role.county_admin, {"county": COUNTY})]:
            assert (
                await client.post("/revisit-draws", json=body, headers=tokens.headers(role, **scope))
            ).status_code == 403
        drawn = (
            await client.post("/revisit-draws", json=body, headers=tokens.headers(Role.city_admin))
        ).json()
        revisit = drawn["revisits"][0]["id"]
        provider = tokens.headers(Role.provider, provider_id="p")
        assert (
            await client.post(f"/revisits/{revisit}/finding", json={"finding": "ok"}, headers=provider)
        ).status_code == 403
        enterprise = tokens.headers(Role.enterprise, uscc=uscc(1))
        assert (await client.get(f"/revisit-draws/{drawn['id']}", headers=enterprise)).status_code == 403
        assert (
            await client.post(
                "/revisits/nope/finding", json={"finding": "ok"}, headers=tokens.headers(Role.expert)
            )
        ).status_code == 404

    async def test_bad_requests(self, client: httpx.AsyncClient, tokens) -> None:
        city = tokens.headers(Role.city_admin)
        both = await client.post(
            "/revisit-draws", json={"label": "x", "sample_size": 1, "sample_percent": 5}, headers=city
        )
        unknown = await client.post(
            "/revisits/x/finding", json={"finding": "lost"}, headers=tokens.headers(Role.expert)
        )
        assert (both.status_code, unknown.status_code) == (422, 422)
