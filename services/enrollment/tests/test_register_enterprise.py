import httpx
import pytest
from shuzhuan.events.v1.enrollment_pb2 import EnterpriseRegistered
from shuzhuan.events.v1.envelope_pb2 import Envelope
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.db import audit_log, infra
from services.enrollment.enterprise.models import Enterprise
from szcore.auth import Role

COUNTY = "410322"
OTHER_COUNTY = "410323"


def enterprise_body(**overrides: str) -> dict[str, str]:
    body = {
        "uscc": "91350100M000100Y43",
        "name": "洛阳轴承测试有限公司",
        "county_code": COUNTY,
        "industry_code": "C34",
        "size_class": "above_scale",
    }
    body.update(overrides)
    return body


async def counts(session: AsyncSession) -> tuple[int, int, int]:
    enterprises = (await session.execute(select(func.count()).select_from(Enterprise))).scalar_one()
    events = (await session.execute(select(func.count()).select_from(infra.outbox))).scalar_one()
    audits = (await session.execute(select(func.count()).select_from(infra.audit_log))).scalar_one()
    return enterprises, events, audits


class TestRegisterEnterprise:
    async def test_county_system_registers_and_the_event_is_in_the_outbox(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        response = await client.post(
            "/enterprises", json=enterprise_body(), headers=tokens.headers(Role.county_system, county=COUNTY)
        )
        assert response.status_code == 201, response.text
        assert response.json()["source"] == "county_push"
        row = (await session.execute(select(infra.outbox))).one()
        envelope = Envelope.FromString(row.envelope)
        assert (envelope.event_type, envelope.producer, envelope.aggregate_id) == (
            "EnterpriseRegistered",
            "enrollment",
            "91350100M000100Y43",
        )
        payload = EnterpriseRegistered.FromString(envelope.payload)
        assert payload.county_code == COUNTY and payload.name == "洛阳轴承测试有限公司"
        assert row.event_id == envelope.event_id and row.published_at is None
        assert await counts(session) == (1, 1, 1)
        assert (await audit_log.verify(session)).ok

    async def test_city_admin_registers_any_county(self, client: httpx.AsyncClient, tokens) -> None:
        response = await client.post(
            "/enterprises",
            json=enterprise_body(county_code=OTHER_COUNTY),
            headers=tokens.headers(Role.city_admin),
        )
        assert response.status_code == 201
        assert response.json()["source"] == "city"

    async def test_lower_case_uscc_is_normalised(self, client: httpx.AsyncClient, tokens) -> None:
        response = await client.post(
            "/enterprises",
            json=enterprise_body(uscc="91350100m000100y43"),
            headers=tokens.headers(Role.city_admin),
        )
        assert response.status_code == 201
        assert response.json()["uscc"] == "91350100M000100Y43"


class TestRegisterEnterpriseRefusals:
    async def assert_refused(
        self, response: httpx.Response, status: int, code: str, session: AsyncSession
    ) -> dict:  # type: ignore[type-arg]
        assert response.status_code == status, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["code"] == code and problem["status"] == status and problem["type"].endswith(code)
        assert await counts(session) == (0, 0, 0)
        return problem

    async def test_invalid_check_digit(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        response = await client.post(
            "/enterprises",
            json=enterprise_body(uscc="91350100M000100Y44"),
            headers=tokens.headers(Role.county_system, county=COUNTY),
        )
        problem = await self.assert_refused(response, 422, "invalid_uscc", session)
        assert problem["errors"][0]["field"] == "uscc"
        assert "expected 3" in problem["errors"][0]["message"]

    async def test_duplicate_uscc(self, client: httpx.AsyncClient, session: AsyncSession, tokens) -> None:
        headers = tokens.headers(Role.county_system, county=COUNTY)
        assert (await client.post("/enterprises", json=enterprise_body(), headers=headers)).status_code == 201
        before = await counts(session)
        response = await client.post("/enterprises", json=enterprise_body(name="另一家"), headers=headers)
        assert response.status_code == 409
        assert response.json()["code"] == "duplicate_uscc"
        assert await counts(session) == before

    @pytest.mark.parametrize("missing", ["uscc", "name", "county_code", "industry_code", "size_class"])
    async def test_missing_field(
        self, missing: str, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        body = enterprise_body()
        del body[missing]
        response = await client.post("/enterprises", json=body, headers=tokens.headers(Role.city_admin))
        problem = await self.assert_refused(response, 422, "validation_failed", session)
        assert [e["field"] for e in problem["errors"]] == [missing]
        assert problem["errors"][0]["code"] == "missing"

    async def test_unknown_size_class(self, client: httpx.AsyncClient, session: AsyncSession, tokens) -> None:
        response = await client.post(
            "/enterprises", json=enterprise_body(size_class="huge"), headers=tokens.headers(Role.city_admin)
        )
        problem = await self.assert_refused(response, 422, "validation_failed", session)
        assert problem["errors"][0]["field"] == "size_class"

    async def test_token_from_another_county(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        response = await client.post(
            "/enterprises",
            json=enterprise_body(),
            headers=tokens.headers(Role.county_system, county=OTHER_COUNTY),
        )
        await self.assert_refused(response, 403, "county_forbidden", session)

    @pytest.mark.parametrize("role", [Role.expert, Role.evaluator, Role.national_platform])
    async def test_role_that_may_not_register(
        self, role: Role, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        response = await client.post("/enterprises", json=enterprise_body(), headers=tokens.headers(role))
        await self.assert_refused(response, 403, "role_not_allowed", session)

    async def test_no_token(self, client: httpx.AsyncClient, session: AsyncSession) -> None:
        response = await client.post("/enterprises", json=enterprise_body())
        await self.assert_refused(response, 401, "token_missing", session)

    async def test_malformed_json(self, client: httpx.AsyncClient, session: AsyncSession, tokens) -> None:
        response = await client.post(
            "/enterprises",
            content=b"{not json",
            headers={**tokens.headers(Role.city_admin), "content-type": "application/json"},
        )
        await self.assert_refused(response, 422, "validation_failed", session)


class TestReadEnterprise:
    async def test_county_isolation_on_reads(self, client: httpx.AsyncClient, tokens) -> None:
        await client.post("/enterprises", json=enterprise_body(), headers=tokens.headers(Role.city_admin))
        own = await client.get(
            "/enterprises/91350100M000100Y43", headers=tokens.headers(Role.county_admin, county=COUNTY)
        )
        assert own.status_code == 200
        other = await client.get(
            "/enterprises/91350100M000100Y43", headers=tokens.headers(Role.county_admin, county=OTHER_COUNTY)
        )
        assert other.status_code == 404 and other.json()["code"] == "enterprise_not_found"
        batch = await client.get(
            "/enterprises",
            params={"uscc": ["91350100M000100Y43"]},
            headers=tokens.headers(Role.county_admin, county=OTHER_COUNTY),
        )
        assert batch.json()["items"] == []

    async def test_enterprise_reads_only_itself(self, client: httpx.AsyncClient, tokens) -> None:
        await client.post("/enterprises", json=enterprise_body(), headers=tokens.headers(Role.city_admin))
        mine = await client.get(
            "/enterprises/91350100M000100Y43",
            headers=tokens.headers(Role.enterprise, uscc="91350100M000100Y43"),
        )
        assert mine.status_code == 200
        other = await client.get(
            "/enterprises/91350100M000100Y43",
            headers=tokens.headers(Role.enterprise, uscc="91110000600037341L"),
        )
        assert other.status_code == 404
