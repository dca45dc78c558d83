"""Matching over the five real processes on real NATS: an enterprise registered through the gateway
reaches the matching service as an event; a provider goes through the pool; the enterprise engages it;
the engagement shows on the enterprise's matching profile."""

import asyncio
import time
from typing import Any

import httpx
import pytest

from ops.local import Platform
from szcore.auth import Role

pytestmark = pytest.mark.e2e

COUNTY = "340104"
USCC = "91340104MA2N0K8R7M"

REGISTER = """
mutation($input: RegisterEnterpriseInput!) { registerEnterprise(input: $input) { errors { code } } }"""
PROFILE = """query($uscc: String!) { enterprise(uscc: $uscc) { matching { openEngagements } } }"""
STEPS = {
    "apply": """mutation($input: ApplyProviderInput!) {
      applyProvider(input: $input) { provider { status } errors { code } } }""",
    "review": """mutation($input: ReviewProviderInput!) {
      reviewProvider(input: $input) { review { totalCenti } errors { code } } }""",
    "decide": """mutation($input: DecideProviderInput!) {
      decideProvider(input: $input) { provider { status } errors { code } } }""",
    "list": """mutation($id: String!) {
      listProvider(providerId: $id) { provider { status } errors { code } } }""",
    "sign": """mutation($id: String!) {
      signConfidentiality(providerId: $id) { provider { confidentialitySigned } errors { code } } }""",
    "engage": """mutation($input: CreateEngagementInput!) {
      createEngagement(input: $input) { engagement { engagementId status } errors { code message } } }""",
}


async def call(platform: Platform, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=platform.url("gateway"), timeout=15) as client:
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


async def graphql(platform: Platform, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    body = await call(platform, query, variables, token)
    assert "errors" not in body, body
    return body["data"]  # type: ignore[no-any-return]


class TestMatchingThread:
    async def test_enterprise_event_pool_and_engagement(self, platform: Platform, tokens) -> None:
        enterprise_input = {
            "uscc": USCC,
            "name": "合肥汽配测试有限公司",
            "countyCode": COUNTY,
            "industryCode": "C36",
            "sizeClass": "ABOVE_SCALE",
        }
        city = tokens(Role.city_admin)
        assert (await graphql(platform, REGISTER, {"input": enterprise_input}, city))["registerEnterprise"][
            "errors"
        ] == []

        provider = tokens(Role.provider, provider_id="e2e-p1")
        applied = await graphql(
            platform,
            STEPS["apply"],
            {
                "input": {
                    "uscc": "91340100MA2P000775",
                    "name": "合肥数智",
                    "kind": "INTEGRATED",
                    "industries": ["C36"],
                    "counties": [COUNTY],
                    "staffOnSite": 5,
                }
            },
            provider,
        )
        assert applied["applyProvider"]["provider"]["status"] == "APPLIED"
        scores = [
            {"code": c, "score": 80}
            for c in ("n_x_fit", "industry_experience", "case_demonstration", "local_support", "ecosystem")
        ]
        reviewed = await graphql(
            platform,
            STEPS["review"],
            {"input": {"providerId": "e2e-p1", "scores": scores}},
            tokens(Role.expert),
        )
        assert reviewed["reviewProvider"]["review"]["totalCenti"] == 8000
        decision = {"input": {"providerId": "e2e-p1", "decision": "APPROVE", "noticeDays": 0}}
        assert (await graphql(platform, STEPS["decide"], decision, city))["decideProvider"]["errors"] == []
        listed = await graphql(platform, STEPS["list"], {"id": "e2e-p1"}, city)
        assert listed["listProvider"]["provider"]["status"] == "LISTED"
        await graphql(platform, STEPS["sign"], {"id": "e2e-p1"}, provider)

        # The enterprise reaches matching as an event: until then engaging it answers "not found".
        enterprise = tokens(Role.enterprise, uscc=USCC)
        engage = {"input": {"uscc": USCC, "providerId": "e2e-p1", "kind": "DIAGNOSIS"}}
        deadline = time.monotonic() + 20
        while True:
            result = await call(platform, STEPS["engage"], engage, enterprise)
            if "errors" not in result or time.monotonic() > deadline:
                break
            assert result["errors"][0]["extensions"]["code"] == "ENTERPRISE_NOT_FOUND"
            await asyncio.sleep(0.2)
        payload = result["data"]["createEngagement"]
        assert payload["errors"] == [] and payload["engagement"]["status"] == "OPEN"
        profile = await graphql(platform, PROFILE, {"uscc": USCC}, enterprise)
        assert profile["enterprise"]["matching"] == {"openEngagements": 1}
