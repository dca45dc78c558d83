"""Funding through the gateway against the five real processes: a city publishes a preset, quotes a case,
funds a source twice with one idempotency key (money moves once) and checks the ledger; refusals arrive as
typed errors or error codes."""

import uuid
from typing import Any

import httpx
import pytest

from ops.local import Platform
from szcore.auth import Role

pytestmark = pytest.mark.e2e

WAN = 1_000_000


async def graphql(platform: Platform, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=platform.url("gateway"), timeout=15) as client:
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


PUBLISH = """mutation($key: String!) { publishFundingPreset(key: $key) {
  policy { policyKey version city linesCount } errors { field code message } } }"""

QUOTE = """query($facts: FactsInput!) { subsidyQuote(policyKey: "jinhua", facts: $facts) {
  policyVersion totalFen lines { code eligible amountFen explanation byYear { year amountFen } } } }"""

SOURCE = """mutation($id: String!) { createFundingSource(sourceId: $id, level: "central", name: "中央资金",
  policyKey: "jinhua") { source { sourceId } errors { code } } }"""

ALLOCATE = """mutation($id: String!, $key: String!) { allocateFunds(sourceId: $id, fiscalYear: 2025,
  amountFen: 100000000, idempotencyKey: $key) { entry { seq amountFen } source { balances { allocatedFen
  availableFen } } errors { field code message } } }"""

CHECK = '{ ledgerCheck { ok trialBalanceFen } fundsReport(groupBy: "source") { totals { allocatedFen } } }'


class TestFundingThroughTheGateway:
    async def test_policy_quote_allocation_and_ledger(self, platform: Platform, tokens) -> None:
        city = tokens(Role.city_admin)
        published = await graphql(platform, PUBLISH, {"key": "jinhua"}, city)
        assert published["data"]["publishFundingPreset"]["policy"]["city"] == "金华"
        refused = await graphql(platform, PUBLISH, {"key": "nope"}, city)
        assert [e["extensions"]["code"] for e in refused["errors"]] == ["PRESET_NOT_FOUND"]
        county = tokens(Role.county_admin, county="330702")
        forbidden = await graphql(platform, PUBLISH, {"key": "jinhua"}, county)
        assert forbidden["errors"][0]["extensions"]["code"] == "ROLE_NOT_ALLOWED"

        facts = {"level": 3, "acceptedOn": "2025-10-01", "actualInvestmentFen": 250 * WAN}
        quote = (await graphql(platform, QUOTE, {"facts": facts}, city))["data"]["subsidyQuote"]
        line = next(x for x in quote["lines"] if x["code"] == "transformation_subsidy")
        # Year two (from 2025-09-01): 40 % of 250万 = 100万, capped at 80万 for L3.
        assert line["amountFen"] == 80 * WAN and line["explanation"].endswith("capped at 800,000.00 for L3")

        source_id = f"e2e-{uuid.uuid4().hex[:8]}"
        assert (await graphql(platform, SOURCE, {"id": source_id}, city))["data"]["createFundingSource"][
            "errors"
        ] == []
        # The platform is shared with other tests: the city-wide report grows by this allocation only.
        before = (await graphql(platform, CHECK, {}, city))["data"]["fundsReport"]["totals"]["allocatedFen"]
        key = uuid.uuid4().hex
        first = (await graphql(platform, ALLOCATE, {"id": source_id, "key": key}, city))["data"][
            "allocateFunds"
        ]
        again = (await graphql(platform, ALLOCATE, {"id": source_id, "key": key}, city))["data"][
            "allocateFunds"
        ]
        assert first["entry"] == again["entry"] and first["errors"] == []
        assert again["source"]["balances"] == {"allocatedFen": 100 * WAN, "availableFen": 100 * WAN}

        checked = (await graphql(platform, CHECK, {}, city))["data"]
        assert checked["ledgerCheck"] == {"ok": True, "trialBalanceFen": 0}
        assert checked["fundsReport"]["totals"]["allocatedFen"] == before + 100 * WAN
