import io
from datetime import date

import httpx
from openpyxl import load_workbook
from shuzhuan.events.v1.enrollment_pb2 import EnterpriseAdmitted, EnterpriseRegistered, EnterpriseUpdated
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.enterprise import service as copies
from services.funding.enterprise.models import EnterpriseCopy
from services.funding.policy.presets import load_preset
from services.funding.tests.support import (
    COUNTY,
    OTHER_COUNTY,
    WAN,
    at,
    claim_body,
    claim_through_audit,
    event,
    invoice,
    key,
    new_uscc,
    seed_enterprise,
    setup_policy_and_sources,
)
from szcore.auth import Role
from szcore.events import to_timestamp


class TestQuotes:
    async def test_quote_from_facts_explains_each_line(self, client: httpx.AsyncClient, tokens) -> None:
        await client.post("/policies/from-preset/xinxiang", headers=tokens.headers(Role.city_admin))
        body = {
            "policy_key": "xinxiang",
            "facts": {
                "level": 3,
                "accepted_on": "2025-06-01",
                "spending_fen": {"software": 120 * WAN},
                "designations": ["showcase"],
            },
        }
        response = await client.post(
            "/quotes", json=body, headers=tokens.headers(Role.enterprise, uscc="X" * 18)
        )
        assert response.status_code == 200, response.text
        quote = response.json()
        lines = {line["code"]: line for line in quote["lines"]}
        assert lines["transformation_subsidy"]["amount_fen"] == 70 * WAN
        assert lines["showcase_award"]["amount_fen"] == 15 * WAN
        assert quote["total_fen"] == 85 * WAN and quote["policy_version"] == 1
        assert not lines["chain_case_award"]["eligible"]

    async def test_draft_document_is_quoted_unpublished(self, client: httpx.AsyncClient, tokens) -> None:
        draft = load_preset("luoyang").model_dump(mode="json")
        draft["lines"][0]["caps"]["by_level_fen"]["2"] = 40 * WAN
        body = {
            "document": draft,
            "facts": {"level": 2, "accepted_on": "2026-06-01", "spending_fen": {"software": 100 * WAN}},
        }
        response = await client.post("/quotes", json=body, headers=tokens.headers(Role.city_admin))
        assert response.json()["total_fen"] == 40 * WAN and response.json()["policy_version"] is None

    async def test_quote_needs_a_policy(self, client: httpx.AsyncClient, tokens) -> None:
        response = await client.post("/quotes", json={"facts": {}}, headers=tokens.headers(Role.city_admin))
        assert response.status_code == 422 and response.json()["code"] == "policy_required"
        missing = await client.post(
            "/quotes", json={"policy_key": "nope", "facts": {}}, headers=tokens.headers(Role.city_admin)
        )
        assert missing.status_code == 404

    async def test_real_enterprise_quote_and_scope(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        uscc = new_uscc()
        await seed_enterprise(session, uscc, level=2, designations=("chain_case",))
        await client.post("/policies/from-preset/xinxiang", headers=tokens.headers(Role.city_admin))
        own = await client.post(
            f"/enterprises/{uscc}/quote",
            json={"policy_key": "xinxiang"},
            headers=tokens.headers(Role.enterprise, uscc=uscc),
        )
        assert own.status_code == 200
        lines = {line["code"]: line["amount_fen"] for line in own.json()["lines"]}
        assert lines["chain_case_award"] == 10 * WAN and lines["transformation_subsidy"] == 0
        other = await client.post(
            f"/enterprises/{uscc}/quote",
            json={"policy_key": "xinxiang"},
            headers=tokens.headers(Role.county_admin, county=OTHER_COUNTY),
        )
        assert other.status_code == 404


class TestSimulation:
    async def test_city_simulates_a_draft(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        body = {
            "document": load_preset("luoyang").model_dump(mode="json"),
            "enterprises": [{"spending_fen": {"software": 100 * WAN}} for _ in range(5)],
            "assumptions": {"level_distribution": {"2": 1, "3": 1}, "acceptance_dates": {"2026-06-01": 1}},
        }
        response = await client.post("/simulations", json=body, headers=tokens.headers(Role.city_admin))
        assert response.status_code == 200, response.text
        result = response.json()
        assert result["enterprises"] == 5 and result["level_counts"] == {"2": 3, "3": 2}
        # L2: 3 × 30万 (cap); L3: 2 × 50万 (50 % of 100万, the cap); plus 150万 of training and events.
        assert result["by_line"] == {"transformation_subsidy": 190 * WAN, "training_and_events": 150 * WAN}
        assert result["by_source_year"]["central"] == {"2026": 95 * WAN}
        assert sum(sum(y.values()) for y in result["by_source_year"].values()) == result["total_fen"]
        await seed_enterprise(session, new_uscc(), level=0)
        enrolled = await client.post(
            "/simulations", json=body | {"use_enrolled": True}, headers=tokens.headers(Role.city_admin)
        )
        assert enrolled.json()["enterprises"] > 5

    async def test_only_the_city_simulates(self, client: httpx.AsyncClient, tokens) -> None:
        body = {"document": load_preset("luoyang").model_dump(mode="json")}
        response = await client.post(
            "/simulations", json=body, headers=tokens.headers(Role.county_admin, county=COUNTY)
        )
        assert response.status_code == 403


class TestReports:
    async def test_funds_by_dimension_statement_and_xlsx(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        uscc = new_uscc()
        await seed_enterprise(session, uscc, contract=f"c-{uscc}")
        await setup_policy_and_sources(client, tokens)
        claim_id = await claim_through_audit(
            client, tokens, claim_body(uscc, [invoice("REP1", 100 * WAN)], 70 * WAN)
        )
        city = tokens.headers(Role.city_admin)
        assert (await client.post(f"/claims/{claim_id}/approve", headers=city | key())).status_code == 200
        by_source = (
            await client.get("/reports/funds?group_by=source&policy_key=xinxiang", headers=city)
        ).json()
        rows = {row["key"]: row for row in by_source["rows"]}
        assert rows["xinxiang-central"]["allocated_fen"] == 500 * WAN
        assert rows["xinxiang-central"]["committed_fen"] == 35 * WAN
        by_county = (
            await client.get("/reports/funds?group_by=county&policy_key=xinxiang", headers=city)
        ).json()
        assert {r["key"]: r["committed_fen"] for r in by_county["rows"]}[COUNTY] == 70 * WAN
        other = tokens.headers(Role.county_admin, county=OTHER_COUNTY)
        theirs = (
            await client.get("/reports/funds?group_by=county&policy_key=xinxiang", headers=other)
        ).json()
        assert theirs["totals"]["committed_fen"] == 0
        statement = (
            await client.get(
                f"/reports/enterprises/{uscc}/statement", headers=tokens.headers(Role.enterprise, uscc=uscc)
            )
        ).json()
        assert statement["approved_fen"] == 70 * WAN and len(statement["payments"]) == 2
        workbook = load_workbook(io.BytesIO((await client.get("/reports/funds.xlsx", headers=city)).content))
        assert workbook.sheetnames == ["source", "year", "county", "industry"]
        performance = (await client.get("/reports/performance?policy_key=xinxiang", headers=city)).json()
        assert performance["approved_fen"] == 70 * WAN and performance["execution_rate_bp"] == 0
        denied = await client.get("/reports/funds", headers=tokens.headers(Role.provider, provider_id="p"))
        assert denied.status_code == 403


class TestEnterpriseCopyEvents:
    async def test_out_of_order_events_build_one_copy(self, session: AsyncSession) -> None:
        uscc = new_uscc()
        admitted = EnterpriseAdmitted(
            uscc=uscc, county_code=COUNTY, programme_id="p", batch_number=2, pilot_industry="bearing"
        )
        admitted.admitted_at.CopyFrom(to_timestamp(at(date(2025, 1, 1))))
        await copies.apply_enterprise_event(session, event(admitted, "enrollment"))
        update = EnterpriseUpdated(
            uscc=uscc,
            name="新名称",
            county_code=COUNTY,
            industry_code="C34",
            size_class=2,
            srdi_status="little_giant",
            version=3,
        )
        update.changed_at.CopyFrom(to_timestamp(at(date(2025, 2, 1))))
        await copies.apply_enterprise_event(session, event(update, "enrollment"))
        stale = EnterpriseUpdated(uscc=uscc, name="旧名称", county_code=COUNTY, version=2)
        stale.changed_at.CopyFrom(to_timestamp(at(date(2025, 1, 15))))
        await copies.apply_enterprise_event(session, event(stale, "enrollment"))
        registered = EnterpriseRegistered(
            uscc=uscc, name="新名称", county_code=COUNTY, industry_code="C34", size_class=2
        )
        registered.registered_at.CopyFrom(to_timestamp(at(date(2024, 12, 1))))
        await copies.apply_enterprise_event(session, event(registered, "enrollment"))
        copy = await session.get(EnterpriseCopy, uscc)
        assert copy is not None
        assert (copy.name, copy.srdi_status, copy.batch_number, copy.size_class) == (
            "新名称",
            "little_giant",
            2,
            "below_scale",
        )
        assert copy.admitted_at is not None and copy.paid_fen == 0
