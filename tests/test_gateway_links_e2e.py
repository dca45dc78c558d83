"""Types link across services, fast by construction: over the five real processes, one GraphQL query lists
enterprises with what every service knows of them (profiles, applications, assessments, needs,
engagements, claims), and the upstream calls it costs, counted from each service's /metrics, do not grow
with the page size. A county admin sees none of another county's linked records."""

import asyncio
import json
import time
from typing import Any

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from ops.local import Platform
from services.enrollment.enterprise.uscc import check_digit
from szcore.auth import Role
from szcore.settings import SERVICES

pytestmark = pytest.mark.e2e

COUNTY = "410381"
OTHER_COUNTY = "410382"
OWN = 12
OTHERS = 4
NOT_COUNTED = {"/metrics", "/healthz", "/readyz"}

REGISTER = """
mutation Register($input: RegisterEnterpriseInput!) {
  registerEnterprise(input: $input) { enterprise { uscc } errors { field code message } }
}"""

LINKED = """
query Linked($filter: EnterpriseFilter, $first: Int!) {
  enterprises(filter: $filter, first: $first) {
    total
    items {
      uscc countyCode
      assessment { knownSince currentLevel }
      matching { knownSince openEngagements }
      funding { knownSince paidFen }
      applications { id uscc countyCode status }
      assessments { id uscc kind status }
      needs { needId uscc scenarioCode title }
      engagements { engagementId uscc countyCode status }
      claims { claimId uscc countyCode status }
    }
  }
}"""

ADD_NEED = """
mutation AddNeed($input: AddNeedInput!) {
  addNeed(input: $input) { need { needId uscc } errors { field code message } }
}"""

CREATE_ASSESSMENT = """
mutation CreateAssessment($input: CreateAssessmentInput!) {
  createAssessment(input: $input) { assessment { id uscc } errors { field code message } }
}"""


async def graphql(platform: Platform, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=platform.url("gateway"), timeout=30) as client:
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def uscc_of(county: str, number: int) -> str:
    first17 = f"91{county}MA{number:07d}"
    return first17 + check_digit(first17)


OWN_USCCS = [uscc_of(COUNTY, n) for n in range(1, OWN + 1)]
OTHER_USCCS = [uscc_of(OTHER_COUNTY, n) for n in range(1, OTHERS + 1)]


async def upstream_calls(platform: Platform) -> dict[str, float]:
    """Requests each service has answered so far, its operational endpoints left out."""
    counts: dict[str, float] = {}
    async with httpx.AsyncClient(timeout=10) as client:
        for service in SERVICES:
            text = (await client.get(f"{platform.url(service)}/metrics")).text
            counts[service] = sum(
                sample.value
                for family in text_string_to_metric_families(text)
                if family.name == "sz_http_requests"
                for sample in family.samples
                if sample.name == "sz_http_requests_total"
                and sample.labels.get("process") == service
                and sample.labels.get("route") not in NOT_COUNTED
            )
    return counts


async def settled_calls(platform: Platform) -> dict[str, float]:
    """`upstream_calls` once it stops moving: a service counts a request after sending its response, so
    the gateway may have its answer a moment before the last count lands."""
    counts = await upstream_calls(platform)
    while True:
        await asyncio.sleep(0.3)
        again = await upstream_calls(platform)
        if again == counts:
            return counts
        counts = again


async def counted(
    platform: Platform, token: str, variables: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, float]]:
    before = await settled_calls(platform)
    result = await graphql(platform, LINKED, variables, token)
    after = await settled_calls(platform)
    return result, {service: after[service] - before[service] for service in SERVICES}


def ok(result: dict[str, Any], field: str) -> dict[str, Any]:
    assert "errors" not in result, result
    payload = result["data"][field]
    assert payload["errors"] == [], payload
    return payload  # type: ignore[no-any-return]


@pytest.fixture(scope="module")
async def linked_enterprises(platform: Platform, tokens) -> list[str]:  # type: ignore[no-untyped-def]
    """12 enterprises in one county and 4 in another, each with a need and a self-assessment, all known
    to every service."""
    city = tokens(Role.city_admin)
    for uscc in OWN_USCCS + OTHER_USCCS:
        county = uscc[2:8]
        variables = {
            "input": {
                "uscc": uscc,
                "name": f"联动测试企业{uscc[-5:]}",
                "countyCode": county,
                "industryCode": "C34",
                "sizeClass": "ABOVE_SCALE",
            }
        }
        ok(await graphql(platform, REGISTER, variables, city), "registerEnterprise")
    deadline = time.monotonic() + 30
    while True:
        known = []
        for county, size in ((COUNTY, OWN), (OTHER_COUNTY, OTHERS)):
            result = await graphql(platform, LINKED, {"filter": {"countyCode": county}, "first": size}, city)
            known += [
                e["uscc"]
                for e in result["data"]["enterprises"]["items"]
                if e["assessment"] and e["matching"] and e["funding"]
            ]
        if len(known) == OWN + OTHERS or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.3)
    assert sorted(known) == sorted(OWN_USCCS + OTHER_USCCS)
    for uscc in OWN_USCCS + OTHER_USCCS:
        need = {"input": {"uscc": uscc, "scenarioCode": "S13", "title": "财务业财一体化"}}
        ok(await graphql(platform, ADD_NEED, need, city), "addNeed")
        own = tokens(Role.enterprise, uscc=uscc)
        assessment = {"input": {"uscc": uscc, "kind": "SELF"}}
        ok(await graphql(platform, CREATE_ASSESSMENT, assessment, own), "createAssessment")
    return OWN_USCCS


class TestLinkedEnterprises:
    async def test_a_page_costs_the_same_upstream_calls_whatever_its_size(
        self, platform: Platform, tokens, linked_enterprises: list[str]
    ) -> None:
        city = tokens(Role.city_admin)
        small, small_calls = await counted(platform, city, {"filter": {"countyCode": COUNTY}, "first": 3})
        large, large_calls = await counted(platform, city, {"filter": {"countyCode": COUNTY}, "first": OWN})
        assert "errors" not in small and "errors" not in large, (small, large)
        assert len(small["data"]["enterprises"]["items"]) == 3
        items = large["data"]["enterprises"]["items"]
        assert sorted(e["uscc"] for e in items) == sorted(linked_enterprises)
        for enterprise in items:
            uscc = enterprise["uscc"]
            assert enterprise["assessment"]["currentLevel"] is None
            assert enterprise["matching"]["openEngagements"] == 0
            assert enterprise["funding"]["paidFen"] == 0
            assert [(n["uscc"], n["scenarioCode"]) for n in enterprise["needs"]] == [(uscc, "S13")]
            assert [(a["uscc"], a["kind"]) for a in enterprise["assessments"]] == [(uscc, "SELF")]
            assert enterprise["applications"] == [] and enterprise["engagements"] == []
            assert enterprise["claims"] == []
        # Constant in the page size: one call for the page, one per batch endpoint it links to.
        assert small_calls == large_calls, (small_calls, large_calls)
        assert large_calls == {"enrollment": 2, "assessment": 2, "funding": 2, "matching": 3}

    async def test_county_admin_sees_none_of_another_countys_linked_records(
        self, platform: Platform, tokens, linked_enterprises: list[str]
    ) -> None:
        county = tokens(Role.county_admin, county=COUNTY)
        result = await graphql(platform, LINKED, {"first": 50}, county)
        assert "errors" not in result, result
        items = result["data"]["enterprises"]["items"]
        assert sorted(e["uscc"] for e in items) == sorted(linked_enterprises)
        for enterprise in items:
            linked = [
                record
                for part in ("applications", "assessments", "needs", "engagements", "claims")
                for record in enterprise[part]
            ]
            assert linked and all(r["uscc"] == enterprise["uscc"] for r in linked)
            assert all(r.get("countyCode", COUNTY) == COUNTY for r in linked)
        text = json.dumps(result)
        assert not any(uscc in text for uscc in OTHER_USCCS)

        # Asked by name, another county's enterprise is not found, and nothing of it leaks.
        aliases = " ".join(
            f'e{i}: enterprise(uscc: "{uscc}") {{ uscc needs {{ needId }} assessments {{ id }} '
            "claims { claimId } engagements { engagementId } applications { id } }"
            for i, uscc in enumerate(OTHER_USCCS)
        )
        refused = await graphql(platform, f"query {{ {aliases} }}", {}, county)
        assert refused["data"] == {f"e{i}": None for i in range(OTHERS)}
        assert {e["extensions"]["code"] for e in refused["errors"]} == {"ENTERPRISE_NOT_FOUND"}

        # The other county's admin does see its own, with their linked records.
        other = tokens(Role.county_admin, county=OTHER_COUNTY)
        theirs = await graphql(platform, LINKED, {"first": 50}, other)
        assert "errors" not in theirs, theirs
        assert sorted(e["uscc"] for e in theirs["data"]["enterprises"]["items"]) == sorted(OTHER_USCCS)
        assert all(len(e["needs"]) == 1 for e in theirs["data"]["enterprises"]["items"])


BATCHES = """
query Batches {
  programme(id: "jinhua-2024") {
    batches { id enterprises { uscc batchId assessment { knownSince } } }
  }
}"""


class TestLinkedBatches:
    async def test_every_batch_of_a_programme_reaches_its_enterprises_in_one_call(
        self, platform: Platform, tokens
    ) -> None:
        city = tokens(Role.city_admin)
        seeded = await graphql(
            platform, 'mutation { seedProgrammes(cities: ["jinhua"]) { results { id } } }', {}, city
        )
        assert "errors" not in seeded, seeded
        before = await settled_calls(platform)
        result = await graphql(platform, BATCHES, {}, city)
        after = await settled_calls(platform)
        assert "errors" not in result, result
        batches = result["data"]["programme"]["batches"]
        assert len(batches) > 1
        for batch in batches:
            assert all(e["batchId"] == batch["id"] for e in batch["enterprises"])
        # One call for the programme, one for the enterprises of all its batches, whatever their number.
        assert after["enrollment"] - before["enrollment"] == 2
