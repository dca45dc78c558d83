"""The enrollment screens through the gateway against the real processes: programme configuration,
dossier edits, the admission workflow from application to admission, lists, funnel and bulk push."""

import base64
from typing import Any

import httpx
import pytest

from ops.local import Platform
from services.enrollment.enterprise.uscc import check_digit
from szcore.auth import Role

pytestmark = pytest.mark.e2e

COUNTY = "411302"


def uscc(n: int) -> str:
    first17 = f"91411300MA{n:07d}"
    return first17 + check_digit(first17)


PROGRAMME = {
    "id": "nanyang-e2e",
    "city_code": "411300",
    "city_name": "南阳市",
    "name": "南阳市中小企业数字化转型城市试点",
    "period": {"start": "2026-01-01", "end": "2027-12-31"},
    "industries": [{"code": "textiles", "name": "纺织", "industry_codes": ["C17"]}],
    "counties": [{"code": COUNTY, "name": "宛城区"}],
    "batches": [
        {"id": "nanyang-e2e-b1", "number": 1, "name": "第一批"},
        {"id": "nanyang-e2e-b2", "number": 2, "name": "第二批"},
    ],
    "targets": [
        {
            "code": "transform_total",
            "name": "拟改造企业",
            "unit": "家",
            "total": 400,
            "by_year": {"2026": 150, "2027": 250},
            "metrics": ["admitted"],
        }
    ],
    "objection_window_days": 0,
}
DECLARATIONS = {
    "leader_commitment": True,
    "stable_operations": True,
    "digital_base": True,
    "showcase_willingness": True,
}


async def gql(platform: Platform, query: str, token: str, **variables: Any) -> dict[str, Any]:
    async with httpx.AsyncClient(base_url=platform.url("gateway"), timeout=30) as client:
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"authorization": f"Bearer {token}"},
        )
    assert response.status_code == 200, response.text
    body = response.json()
    return body  # type: ignore[no-any-return]


APPLICATION_FIELDS = "application { id status currentStep batchId } errors { field code message }"

CONFIGURE = """
mutation($c: JSON!) {
  configureProgramme(config: $c) { results { id version changed } errors { code } }
}"""

JINHUA = """
query {
  programme(id: "jinhua-2024") { cityName batches { number } targets { code total byYear { year value } } }
}"""

REGISTER = """
mutation($i: RegisterEnterpriseInput!) {
  registerEnterprise(input: $i) { enterprise { uscc pilotIndustry } errors { code } }
}"""

UPDATE = """
mutation($u: String!, $i: UpdateEnterpriseInput!) {
  updateEnterprise(uscc: $u, input: $i) {
    enterprise { version annualOutputFen cloudAdopted } errors { code }
  }
}"""

UPDATE_SRDI = """
mutation($u: String!) {
  updateEnterprise(uscc: $u, input: {srdiStatus: LITTLE_GIANT}) { errors { code } }
}"""

SUBMIT = f"""
mutation($i: SubmitApplicationInput!) {{
  submitApplication(input: $i) {{ {APPLICATION_FIELDS} }}
}}"""

REVIEW = f"""
mutation($a: String!) {{
  reviewApplication(applicationId: $a, decision: APPROVED) {{ {APPLICATION_FIELDS} }}
}}"""

LISTED = """
query {
  enterprises(filter: {programmeId: "nanyang-e2e", status: ADMITTED}) {
    total items { uscc batchId history { version } timeline { kind } }
  }
}"""

PUSH = """
mutation($r: JSON!) {
  pushEnterprises(requestId: "e2e-1", records: $r) {
    report { outcome created rejected errors { row field code messageZh } } errors { code }
  }
}"""


class TestEnrollmentThroughTheGateway:
    async def test_programme_dossier_and_admission(self, platform: Platform, tokens) -> None:
        city = tokens(Role.city_admin)
        county = tokens(Role.county_admin, county=COUNTY)
        enterprise_uscc = uscc(1)
        enterprise = tokens(Role.enterprise, uscc=enterprise_uscc)

        configured = await gql(
            platform,
            CONFIGURE,
            city,
            c=PROGRAMME,
        )
        assert configured["data"]["configureProgramme"]["results"][0]["id"] == "nanyang-e2e"
        seeded = await gql(
            platform,
            'mutation { seedProgrammes(cities: ["jinhua"]) { results { id } errors { code } } }',
            city,
        )
        assert seeded["data"]["seedProgrammes"]["results"] == [{"id": "jinhua-2024"}]
        programme = await gql(
            platform,
            JINHUA,
            county,
        )
        targets = {t["code"]: t for t in programme["data"]["programme"]["targets"]}
        assert targets["transform_above_scale"]["byYear"] == [
            {"year": 2024, "value": 93},
            {"year": 2025, "value": 242},
            {"year": 2026, "value": 226},
        ]

        registered = await gql(
            platform,
            REGISTER,
            tokens(Role.county_system, county=COUNTY),
            i={
                "uscc": enterprise_uscc,
                "name": "南阳纺织测试有限公司",
                "countyCode": COUNTY,
                "industryCode": "C1711",
                "sizeClass": "ABOVE_SCALE",
                "programmeId": "nanyang-e2e",
            },
        )
        assert registered["data"]["registerEnterprise"]["enterprise"]["pilotIndustry"] == "textiles"
        updated = await gql(
            platform,
            UPDATE,
            enterprise,
            u=enterprise_uscc,
            i={"annualOutputFen": 15_000_000_000, "cloudAdopted": True},
        )
        assert updated["data"]["updateEnterprise"]["enterprise"] == {
            "version": 2,
            "annualOutputFen": 15_000_000_000,
            "cloudAdopted": True,
        }
        refused = await gql(
            platform,
            UPDATE_SRDI,
            enterprise,
            u=enterprise_uscc,
        )
        assert refused["errors"][0]["extensions"]["code"] == "FIELD_NOT_EDITABLE"

        submitted = await gql(
            platform,
            SUBMIT,
            enterprise,
            i={
                "uscc": enterprise_uscc,
                "programmeId": "nanyang-e2e",
                "batchId": "nanyang-e2e-b1",
                "declarations": DECLARATIONS,
            },
        )
        application = submitted["data"]["submitApplication"]["application"]
        assert (application["status"], application["currentStep"]) == ("IN_REVIEW", "county_review")
        application_id = application["id"]
        other_county = await gql(
            platform, REVIEW, tokens(Role.county_admin, county="411303"), a=application_id
        )
        assert other_county["errors"][0]["extensions"]["code"] == "APPLICATION_NOT_FOUND"
        for token in (county, city):
            result = await gql(platform, REVIEW, token, a=application_id)
            assert result["data"]["reviewApplication"]["errors"] == [], result
        too_early = await gql(
            platform,
            f"mutation($a: String!) {{ admitApplication(applicationId: $a) {{ {APPLICATION_FIELDS} }} }}",
            city,
            a=application_id,
        )
        assert too_early["data"]["admitApplication"]["errors"][0]["code"] == "INVALID_TRANSITION"
        for mutation in ("startPublicNotice", "admitApplication"):
            result = await gql(
                platform,
                f"mutation($a: String!) {{ {mutation}(applicationId: $a) {{ {APPLICATION_FIELDS} }} }}",
                city,
                a=application_id,
            )
            assert result["data"][mutation]["errors"] == [], result
        assert result["data"]["admitApplication"]["application"]["status"] == "ADMITTED"

        listed = await gql(
            platform,
            LISTED,
            county,
        )
        page = listed["data"]["enterprises"]
        assert page["total"] == 1 and page["items"][0]["batchId"] == "nanyang-e2e-b1"
        assert [v["version"] for v in page["items"][0]["history"]] == [1, 2]
        assert "application" in {t["kind"] for t in page["items"][0]["timeline"]}
        exported = await gql(
            platform,
            'query { enterprisesExport(filter: {programmeId: "nanyang-e2e"}) { filename contentBase64 } }',
            county,
        )
        assert exported["data"]["enterprisesExport"]["filename"] == "enterprises.xlsx"
        assert base64.b64decode(exported["data"]["enterprisesExport"]["contentBase64"])[:2] == b"PK"
        funnel = await gql(
            platform,
            'query { admissionFunnel(programmeId: "nanyang-e2e") { totals { submitted admitted } } }',
            city,
        )
        assert funnel["data"]["admissionFunnel"]["totals"] == {"submitted": 1, "admitted": 1}
        progress = await gql(
            platform, 'query { programmeProgress(programmeId: "nanyang-e2e") { code total actual } }', city
        )
        assert progress["data"]["programmeProgress"] == [
            {"code": "transform_total", "total": 400, "actual": 1}
        ]

        records = [
            {
                "uscc": uscc(2),
                "name": "南阳纺织二厂",
                "county_code": COUNTY,
                "industry_code": "C1712",
                "size_class": "below_scale",
            },
            {
                "uscc": uscc(3)[:-1] + "0",
                "name": "坏记录",
                "county_code": COUNTY,
                "industry_code": "C17",
                "size_class": "above_scale",
            },
        ]
        pushed = await gql(platform, PUSH, tokens(Role.county_system, county=COUNTY), r=records)
        report = pushed["data"]["pushEnterprises"]["report"]
        assert (report["outcome"], report["created"], report["rejected"]) == ("applied", 1, 1)
        assert report["errors"][0]["field"] == "uscc" and report["errors"][0]["code"] == "invalid_uscc"
        replayed = await gql(platform, PUSH, tokens(Role.county_system, county=COUNTY), r=records)
        assert replayed["data"]["pushEnterprises"]["report"]["outcome"] == "replayed"
