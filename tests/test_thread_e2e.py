"""The thread through everything, over HTTP against the five real processes on real NATS:
a county system registers an enterprise through the gateway; enrollment stores it and emits
EnterpriseRegistered; assessment, matching and funding copy it; one GraphQL query returns it with a
field from each service."""

import asyncio
import time
from typing import Any

import httpx
import pytest

from ops.local import Platform
from szcore.auth import Role

pytestmark = pytest.mark.e2e

COUNTY = "410322"
USCC = "91410300MA44RB1C4P"

REGISTER = """
mutation Register($input: RegisterEnterpriseInput!) {
  registerEnterprise(input: $input) {
    enterprise { uscc name countyCode sizeClass }
    errors { field code message }
  }
}"""

ENTERPRISE = """
query Enterprise($uscc: String!) {
  enterprise(uscc: $uscc) {
    uscc name countyCode industryCode sizeClass registeredAt
    assessment { knownSince currentLevel }
    matching { knownSince openEngagements }
    funding { knownSince paidFen }
  }
}"""


async def graphql(platform: Platform, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=platform.url("gateway"), timeout=15) as client:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        response = await client.post(
            "/graphql", json={"query": query, "variables": variables}, headers=headers
        )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def enterprise_input(**overrides: str) -> dict[str, str]:
    return {
        "uscc": USCC,
        "name": "洛阳精密轴承有限公司",
        "countyCode": COUNTY,
        "industryCode": "C34",
        "sizeClass": "ABOVE_SCALE",
        **overrides,
    }


class TestThroughEverything:
    async def test_registered_enterprise_is_seen_by_every_service(self, platform: Platform, tokens) -> None:
        county_system = tokens(Role.county_system, county=COUNTY)
        result = await graphql(platform, REGISTER, {"input": enterprise_input()}, county_system)
        assert result["data"]["registerEnterprise"] == {
            "enterprise": {
                "uscc": USCC,
                "name": "洛阳精密轴承有限公司",
                "countyCode": COUNTY,
                "sizeClass": "ABOVE_SCALE",
            },
            "errors": [],
        }
        county_admin = tokens(Role.county_admin, county=COUNTY)
        deadline = time.monotonic() + 20
        while True:
            result = await graphql(platform, ENTERPRISE, {"uscc": USCC}, county_admin)
            enterprise = result["data"]["enterprise"]
            if (
                all(enterprise[part] for part in ("assessment", "matching", "funding"))
                or time.monotonic() > deadline
            ):
                break
            await asyncio.sleep(0.2)
        assert enterprise["name"] == "洛阳精密轴承有限公司" and enterprise["industryCode"] == "C34"
        assert enterprise["assessment"]["currentLevel"] is None
        assert enterprise["matching"]["openEngagements"] == 0
        assert enterprise["funding"]["paidFen"] == 0
        assert "errors" not in result

    async def test_duplicate_uscc(self, platform: Platform, tokens) -> None:
        token = tokens(Role.city_admin)
        uscc = "91350100M000100Y43"
        first = await graphql(platform, REGISTER, {"input": enterprise_input(uscc=uscc)}, token)
        assert first["data"]["registerEnterprise"]["errors"] == []
        second = await graphql(
            platform, REGISTER, {"input": enterprise_input(uscc=uscc, name="另一家")}, token
        )
        payload = second["data"]["registerEnterprise"]
        assert payload["enterprise"] is None
        assert payload["errors"] == [
            {"field": "uscc", "code": "DUPLICATE_USCC", "message": "already registered"}
        ]
        stored = await graphql(platform, ENTERPRISE, {"uscc": uscc}, token)
        assert stored["data"]["enterprise"]["name"] == "洛阳精密轴承有限公司"


class TestRefusedThroughTheGateway:
    async def assert_not_stored(self, platform: Platform, uscc: str, tokens) -> None:
        result = await graphql(platform, ENTERPRISE, {"uscc": uscc}, tokens(Role.city_admin))
        assert result["data"]["enterprise"] is None
        assert result["errors"][0]["extensions"]["code"] == "ENTERPRISE_NOT_FOUND"

    async def test_invalid_uscc(self, platform: Platform, tokens) -> None:
        uscc = "91110000600037341X"
        result = await graphql(
            platform, REGISTER, {"input": enterprise_input(uscc=uscc)}, tokens(Role.city_admin)
        )
        [error] = result["data"]["registerEnterprise"]["errors"]
        assert (
            error["field"] == "uscc" and error["code"] == "INVALID_USCC" and "expected L" in error["message"]
        )
        await self.assert_not_stored(platform, uscc, tokens)

    async def test_missing_field_is_refused_by_the_schema(self, platform: Platform, tokens) -> None:
        variables = {
            "input": {k: v for k, v in enterprise_input(uscc="91110000600037341L").items() if k != "name"}
        }
        result = await graphql(platform, REGISTER, variables, tokens(Role.city_admin))
        assert result.get("data") is None
        assert result["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert "name" in result["errors"][0]["message"]
        await self.assert_not_stored(platform, "91110000600037341L", tokens)

    async def test_blank_field_is_refused_by_the_service(self, platform: Platform, tokens) -> None:
        result = await graphql(
            platform,
            REGISTER,
            {"input": enterprise_input(uscc="91110000600037341L", name=" ")},
            tokens(Role.city_admin),
        )
        [error] = result["data"]["registerEnterprise"]["errors"]
        assert error["field"] == "name" and error["code"] == "STRING_TOO_SHORT"
        await self.assert_not_stored(platform, "91110000600037341L", tokens)

    async def test_token_from_another_county(self, platform: Platform, tokens) -> None:
        uscc = "91110000600037341L"
        token = tokens(Role.county_system, county="410323")
        result = await graphql(platform, REGISTER, {"input": enterprise_input(uscc=uscc)}, token)
        assert result["data"] is None
        assert result["errors"][0]["extensions"]["code"] == "COUNTY_FORBIDDEN"
        await self.assert_not_stored(platform, uscc, tokens)

    async def test_no_token(self, platform: Platform) -> None:
        result = await graphql(platform, ENTERPRISE, {"uscc": USCC}, token="")
        assert result["errors"][0]["extensions"]["code"] == "TOKEN_MISSING"

    async def test_county_admin_cannot_read_another_county(self, platform: Platform, tokens) -> None:
        await graphql(platform, REGISTER, {"input": enterprise_input()}, tokens(Role.city_admin))
        result = await graphql(
            platform, ENTERPRISE, {"uscc": USCC}, tokens(Role.county_admin, county="410323")
        )
        assert result["data"]["enterprise"] is None
        assert result["errors"][0]["extensions"]["code"] == "ENTERPRISE_NOT_FOUND"
