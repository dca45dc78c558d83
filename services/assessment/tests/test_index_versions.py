import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.db import audit_log
from services.assessment.tests.helpers import USCC, all_best, answers_json, fixture_json, register
from szcore.auth import Role


class TestIndexVersions:
    async def test_the_miit_preset_is_loaded_with_its_notes(self, client: httpx.AsyncClient, tokens) -> None:
        headers = tokens.headers(Role.expert)
        listing = (await client.get("/index-versions", headers=headers)).json()["items"]
        assert [v["code"] for v in listing] == ["miit-2024-manufacturing"]
        detail = (await client.get("/index-versions/miit-2024-manufacturing", headers=headers)).json()
        assert detail["document"]["level_rule"]["source_note"] == "third-party tool, unverified"
        assert "copy_note" in detail["document"] and len(detail["document"]["notes"]) == 11

    async def test_city_loads_a_second_version_alongside(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        response = await client.post(
            "/index-versions",
            json={"document": fixture_json("demo-2026-provincial.json")},
            headers=tokens.headers(Role.city_admin),
        )
        assert response.status_code == 201, response.text
        listing = (await client.get("/index-versions", headers=tokens.headers(Role.expert))).json()["items"]
        assert [v["code"] for v in listing] == ["demo-2026-provincial", "miit-2024-manufacturing"]
        assert (await audit_log.verify(session)).ok
        # An assessment scored with the new version records it; old ones keep theirs.
        await register(session)
        enterprise = tokens.headers(Role.enterprise, uscc=USCC)
        draft = await client.post(
            "/assessments",
            json={
                "uscc": USCC,
                "kind": "self",
                "index_code": "demo-2026-provincial",
                "answers": {"P1.1.1": ["B"], "P1.1.2": ["B"], "P2.1.1": ["B"]},
                "scenario_levels": {"X1": 2, "X3": 2},
            },
            headers=enterprise,
        )
        assert draft.status_code == 201, draft.text
        submitted = (
            await client.post(f"/assessments/{draft.json()['id']}/submit", headers=enterprise)
        ).json()
        assert (submitted["index_code"], submitted["level"], submitted["base_score"]) == (
            "demo-2026-provincial",
            2,
            "45",
        )
        old = await client.post(
            "/assessments",
            json={"uscc": USCC, "kind": "self", **answers_json(all_best())},
            headers=enterprise,
        )
        assert old.json()["index_code"] == "miit-2024-manufacturing"


class TestRetire:
    async def test_retired_version_takes_no_submissions_old_results_stay(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        await register(session)
        enterprise = tokens.headers(Role.enterprise, uscc=USCC)
        body = {"uscc": USCC, "kind": "self", **answers_json(all_best())}
        done = (await client.post("/assessments", json=body, headers=enterprise)).json()
        await client.post(f"/assessments/{done['id']}/submit", headers=enterprise)
        draft = (await client.post("/assessments", json=body, headers=enterprise)).json()
        assert (
            await client.post("/index-versions/miit-2024-manufacturing/retire", headers=enterprise)
        ).status_code == 403
        retired = await client.post(
            "/index-versions/miit-2024-manufacturing/retire", headers=tokens.headers(Role.city_admin)
        )
        assert retired.status_code == 200 and retired.json()["status"] == "retired"
        refused = await client.post(f"/assessments/{draft['id']}/submit", headers=enterprise)
        assert refused.status_code == 409 and refused.json()["code"] == "index_version_retired"
        kept = (await client.get(f"/assessments/{done['id']}", headers=enterprise)).json()
        assert (kept["level"], kept["base_score"]) == (4, "100")
        again = await client.post(
            "/index-versions/miit-2024-manufacturing/retire", headers=tokens.headers(Role.city_admin)
        )
        assert again.status_code == 409


class TestIndexVersionRefusals:
    async def test_only_the_city_loads(self, client: httpx.AsyncClient, tokens) -> None:
        for role, scope in [(Role.evaluator, {}), (Role.county_admin, {"county": "410322"})]:
            response = await client.post(
                "/index-versions",
                json={"document": fixture_json("demo-2026-provincial.json")},
                headers=tokens.headers(role, **scope),
            )
            assert response.status_code == 403

    async def test_a_version_is_never_replaced(self, client: httpx.AsyncClient, tokens) -> None:
        document = fixture_json("demo-2026-provincial.json")
        document["code"] = "miit-2024-manufacturing"
        response = await client.post(
            "/index-versions", json={"document": document}, headers=tokens.headers(Role.city_admin)
        )
        assert response.status_code == 409 and response.json()["code"] == "index_version_exists"

    async def test_an_inconsistent_document_is_refused_with_fields(
        self, client: httpx.AsyncClient, tokens
    ) -> None:
        document = fixture_json("demo-2026-provincial.json")
        document["dimensions"][0]["points"] = 61
        response = await client.post(
            "/index-versions", json={"document": document}, headers=tokens.headers(Role.city_admin)
        )
        assert response.status_code == 422
        body = response.json()
        assert body["code"] == "index_document_invalid" and "dimensions.0" in body["errors"][0]["field"]

    async def test_unknown_version(self, client: httpx.AsyncClient, tokens) -> None:
        response = await client.get("/index-versions/nope-2099", headers=tokens.headers(Role.expert))
        assert response.status_code == 404
