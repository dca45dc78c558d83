import httpx
import pytest
from shuzhuan.events.v1.enrollment_pb2 import DesignationAwarded
from shuzhuan.events.v1.envelope_pb2 import Envelope
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.db import infra
from services.enrollment.expert.draw import Candidate, draw
from szcore.auth import Role

USCC = "91350100M000100Y43"


def pool() -> list[Candidate]:
    return [
        Candidate(f"e{n}", frozenset({"智能制造" if n % 2 else "工业软件"}), None, frozenset())
        for n in range(10)
    ]


class TestDraw:
    def test_same_seed_same_experts(self) -> None:
        first = draw(pool(), fields=["智能制造"], parties=[USCC], recent_reviewers=[], count=3, seed="s1")
        again = draw(
            reversed(pool()), fields=["智能制造"], parties=[USCC], recent_reviewers=[], count=3, seed="s1"
        )
        assert first == again and len(first.selected) == 3
        assert set(first.selected) <= {"e1", "e3", "e5", "e7", "e9"}

    def test_avoidance_rules(self) -> None:
        candidates = [
            Candidate("a", frozenset({"数据"}), USCC, frozenset()),
            Candidate("b", frozenset({"数据"}), None, frozenset({"provider-1"})),
            Candidate("c", frozenset({"数据"}), None, frozenset()),
            Candidate("d", frozenset({"财务"}), None, frozenset()),
            Candidate("e", frozenset({"数据"}), None, frozenset()),
        ]
        result = draw(
            candidates,
            fields=["数据"],
            parties=[USCC, "provider-1"],
            recent_reviewers=["e"],
            count=5,
            seed="x",
        )
        assert result.excluded == {
            "a": "same_employer",
            "b": "linked_party",
            "d": "no_matching_field",
            "e": "reviewed_recently",
        }
        assert result.selected == ["c"]


def designation(**overrides: str) -> dict[str, str]:
    body = {
        "kind": "digital_workshop",
        "awarded_on": "2025-12-01",
        "level": "provincial",
        "source": "河南省工业和信息化厅 2025年智能车间名单",
        "evidence": "豫工信〔2025〕88号",
    }
    body.update(overrides)
    return body


class TestDesignations:
    @pytest.fixture(autouse=True)
    async def enterprise(self, client: httpx.AsyncClient, tokens) -> None:
        body = {
            "uscc": USCC,
            "name": "洛阳轴承",
            "county_code": "410322",
            "industry_code": "C34",
            "size_class": "above_scale",
        }
        assert (
            await client.post("/enterprises", json=body, headers=tokens.headers(Role.city_admin))
        ).status_code == 201

    async def test_city_records_an_honour_and_the_event_follows(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        response = await client.post(
            f"/enterprises/{USCC}/designations", json=designation(), headers=tokens.headers(Role.city_admin)
        )
        assert response.status_code == 201, response.text
        row = (
            await session.execute(
                select(infra.outbox).where(infra.outbox.c.event_type == "DesignationAwarded")
            )
        ).one()
        payload = DesignationAwarded.FromString(Envelope.FromString(row.envelope).payload)
        assert (payload.kind, payload.uscc, payload.awarded_on.ToDatetime().date().isoformat()) == (
            "digital_workshop",
            USCC,
            "2025-12-01",
        )
        assert payload.source.startswith("provincial: ")
        listed = await client.get(
            f"/enterprises/{USCC}/designations", headers=tokens.headers(Role.enterprise, uscc=USCC)
        )
        assert [d["kind"] for d in listed.json()["items"]] == ["digital_workshop"]
        again = await client.post(
            f"/enterprises/{USCC}/designations", json=designation(), headers=tokens.headers(Role.city_admin)
        )
        assert again.status_code == 409

    async def test_county_may_not_record(self, client: httpx.AsyncClient, tokens) -> None:
        response = await client.post(
            f"/enterprises/{USCC}/designations",
            json=designation(),
            headers=tokens.headers(Role.county_admin, county="410322"),
        )
        assert response.status_code == 403

    async def test_evidence_is_required(self, client: httpx.AsyncClient, tokens) -> None:
        body = designation()
        del body["evidence"]
        response = await client.post(
            f"/enterprises/{USCC}/designations", json=body, headers=tokens.headers(Role.city_admin)
        )
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "evidence"


class TestExpertPool:
    async def test_only_the_city_manages_and_reads_the_pool(self, client: httpx.AsyncClient, tokens) -> None:
        expert = {"id": "expert-li", "name": "李专家", "employer": "某大学", "fields": ["工业互联网"]}
        refused = await client.post(
            "/experts", json=expert, headers=tokens.headers(Role.county_admin, county="410322")
        )
        assert refused.status_code == 403
        assert (
            await client.post("/experts", json=expert, headers=tokens.headers(Role.city_admin))
        ).status_code == 201
        duplicate = await client.post("/experts", json=expert, headers=tokens.headers(Role.city_admin))
        assert duplicate.status_code == 409
        listed = await client.get("/experts", headers=tokens.headers(Role.auditor))
        assert [e["id"] for e in listed.json()["items"]] == ["expert-li"]
        self_view = await client.get(
            "/experts/expert-li", headers=tokens.headers(Role.expert, subject="expert-li")
        )
        assert self_view.status_code == 200
        other_view = await client.get(
            "/experts/expert-li", headers=tokens.headers(Role.expert, subject="expert-x")
        )
        assert other_view.status_code == 404


class TestExpertPoolPage:
    async def test_paging_while_experts_join_has_no_duplicate_or_gap(
        self, client: httpx.AsyncClient, tokens
    ) -> None:
        city = tokens.headers(Role.city_admin)

        async def add(expert_id: str) -> None:
            body = {"id": expert_id, "name": expert_id, "employer": "某大学", "fields": ["工业互联网"]}
            assert (await client.post("/experts", json=body, headers=city)).status_code == 201

        for expert_id in ("e2", "e4", "e6"):
            await add(expert_id)
        unpaged = (await client.get("/experts", headers=city)).json()
        assert unpaged["total"] is None and len(unpaged["items"]) == 3
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            response = await client.get("/experts", params=params, headers=city)
            assert response.status_code == 200, response.text
            page = response.json()
            if not seen:
                await add("e1")  # before the cursor: left to a fresh read
                await add("e5")  # after it: reached on the next page
            seen += [e["id"] for e in page["items"]]
            if (cursor := page["next_cursor"]) is None:
                break
        assert seen == ["e2", "e4", "e5", "e6"] and page["total"] == 5
        refused = await client.get(
            "/experts", params={"limit": 2}, headers=tokens.headers(Role.county_admin, county="410322")
        )
        assert refused.status_code == 403
