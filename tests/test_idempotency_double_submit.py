"""Every money-moving and workflow mutation sent twice at once, through two processes on one PostgreSQL
database: one effect; the duplicate gets the same answer (same Idempotency-Key) or a specific 409.
The funding mutations (claims, approvals, allocations, batches, reconciliation) are raced in
tests/test_concurrency_funding.py; the application workflow here."""

import asyncio
from typing import Any

import httpx
import pytest

from szcore.auth import Role
from tests.support.fixtures import Tokens, unique_uscc
from tests.test_concurrency_reviews import COUNTY, DECLARATIONS, clients, submitted

pytestmark = [pytest.mark.e2e, pytest.mark.fault]

__all__ = ["clients"]


@pytest.fixture
def postgresql_only(databases: Any) -> None:
    if databases.backend != "postgresql":
        pytest.skip("two processes racing on one database: PostgreSQL, the production backend")


@pytest.mark.usefixtures("postgresql_only")
class TestApplicationSubmittedTwice:
    async def test_one_application_and_one_conflict(self, clients: Any, tokens: Tokens) -> None:
        one, two = clients
        for _ in range(4):
            uscc = unique_uscc()
            body = {
                "uscc": uscc,
                "name": f"重复申报企业{uscc[-4:]}",
                "county_code": COUNTY,
                "industry_code": "C3465",
                "size_class": "above_scale",
                "programme_id": "jinhua-2024",
            }
            city = tokens.headers(Role.city_admin)
            assert (await one.post("/enterprises", json=body, headers=city)).status_code == 201
            application = {
                "uscc": uscc,
                "programme_id": "jinhua-2024",
                "batch_id": "jinhua-2024-b1",
                "declarations": DECLARATIONS,
            }
            headers = tokens.headers(Role.enterprise, uscc=uscc)
            answers = await asyncio.gather(
                one.post("/applications", json=application, headers=headers),
                two.post("/applications", json=application, headers=headers),
            )
            assert sorted(a.status_code for a in answers) == [201, 409], [a.text for a in answers]
            assert next(a for a in answers if a.status_code == 409).json()["code"] == "application_exists"
            listed = await one.get("/applications/by-enterprise", params={"uscc": uscc}, headers=city)
            assert len(listed.json()["items"]) == 1


@pytest.mark.usefixtures("postgresql_only")
class TestWorkflowStepSentTwice:
    @pytest.mark.parametrize("path", ["reviews", "notice"])
    async def test_one_effect(self, clients: Any, tokens: Tokens, path: str) -> None:
        one, two = clients
        county = tokens.headers(Role.county_admin, county=COUNTY)
        city = tokens.headers(Role.city_admin)
        application_id = await submitted(one, tokens)
        base = f"/applications/{application_id}"
        if path == "notice":
            for headers in (county, city):
                answer = await one.post(f"{base}/reviews", json={"decision": "approved"}, headers=headers)
                assert answer.status_code == 200, answer.text
            body: dict[str, Any] = {}
            headers = city
        else:
            body = {"decision": "approved", "step": "county_review"}
            headers = county
        answers: list[httpx.Response] = list(
            await asyncio.gather(
                one.post(f"{base}/{path}", json=body, headers=headers),
                two.post(f"{base}/{path}", json=body, headers=headers),
            )
        )
        assert sorted(a.status_code for a in answers) == [200, 409], [a.text for a in answers]
        loser = next(a for a in answers if a.status_code == 409).json()
        assert loser["code"] in {"concurrent_update", "step_already_decided", "invalid_transition"}
        detail = (await one.get(base, headers=city)).json()
        action = "review" if path == "reviews" else "start_notice"
        assert len([a for a in detail["actions"] if a["action"] == action]) == 1
