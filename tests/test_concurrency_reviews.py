"""Two reviewers acting on the same application at the same moment, through two enrollment processes on
the same database: one wins, the other gets a 409 problem with a specific code, and the history holds one
decision."""

import asyncio
from pathlib import Path
from typing import Any

import httpx
import pytest

from ops.local import Platform
from szcore.auth import Role
from tests.support.fixtures import Tokens, unique_uscc
from tests.support.replicas import replica_clients

pytestmark = [pytest.mark.e2e, pytest.mark.fault]

COUNTY = "330784"
DECLARATIONS = {
    "leader_commitment": True,
    "stable_operations": True,
    "digital_base": True,
    "showcase_willingness": True,
}
ROUNDS = 8
CONFLICTS = {"concurrent_update", "step_already_decided"}


async def submitted(client: httpx.AsyncClient, tokens: Tokens) -> str:
    uscc = unique_uscc()
    body = {
        "uscc": uscc,
        "name": f"并发审核企业{uscc[-4:]}",
        "county_code": COUNTY,
        "industry_code": "C3465",
        "size_class": "above_scale",
        "programme_id": "jinhua-2024",
    }
    registered = await client.post("/enterprises", json=body, headers=tokens.headers(Role.city_admin))
    assert registered.status_code == 201, registered.text
    application = await client.post(
        "/applications",
        json={
            "uscc": uscc,
            "programme_id": "jinhua-2024",
            "batch_id": "jinhua-2024-b1",
            "declarations": DECLARATIONS,
        },
        headers=tokens.headers(Role.enterprise, uscc=uscc),
    )
    assert application.status_code == 201, application.text
    assert application.json()["current_step"] == "county_review"
    return str(application.json()["id"])


@pytest.fixture
async def clients(platform: Platform, tmp_path: Path, tokens: Tokens) -> Any:
    async with replica_clients(platform, "enrollment", tmp_path, timeout=60) as (one, two):
        seeded = await one.post(
            "/programmes/seed", params={"city": "jinhua"}, headers=tokens.headers(Role.city_admin)
        )
        assert seeded.status_code == 200, seeded.text
        yield one, two


class TestTwoReviewersAtOnce:
    async def test_one_wins_the_other_gets_a_conflict(self, clients: Any, tokens: Tokens) -> None:
        one, two = clients
        first = tokens.headers(Role.county_admin, county=COUNTY, subject="county-reviewer-1")
        second = tokens.headers(Role.county_admin, county=COUNTY, subject="county-reviewer-2")
        for _ in range(ROUNDS):
            application_id = await submitted(one, tokens)
            path = f"/applications/{application_id}/reviews"
            answers = await asyncio.gather(
                one.post(path, json={"decision": "approved", "step": "county_review"}, headers=first),
                two.post(path, json={"decision": "rejected", "step": "county_review"}, headers=second),
            )
            statuses = sorted(a.status_code for a in answers)
            assert statuses == [200, 409], [a.text for a in answers]
            loser = next(a for a in answers if a.status_code == 409)
            assert loser.headers["content-type"].startswith("application/problem+json")
            assert loser.json()["code"] in CONFLICTS
            winner = next(a for a in answers if a.status_code == 200).json()
            detail = (await one.get(f"/applications/{application_id}", headers=first)).json()
            reviews = [a for a in detail["actions"] if a["action"] == "review"]
            assert len(reviews) == 1
            assert detail["status"] == winner["status"]

    async def test_a_decided_step_is_a_conflict_not_a_decision_on_the_next_one(
        self, clients: Any, tokens: Tokens
    ) -> None:
        one, two = clients
        county = tokens.headers(Role.county_admin, county=COUNTY)
        city = tokens.headers(Role.city_admin)
        application_id = await submitted(one, tokens)
        path = f"/applications/{application_id}/reviews"
        assert (await one.post(path, json={"decision": "approved"}, headers=county)).status_code == 200
        late = await two.post(path, json={"decision": "approved", "step": "county_review"}, headers=city)
        assert late.status_code == 409
        assert late.json()["code"] == "step_already_decided"
        on_time = await two.post(path, json={"decision": "approved", "step": "city_review"}, headers=city)
        assert on_time.status_code == 200, on_time.text
