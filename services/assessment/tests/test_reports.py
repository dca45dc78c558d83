"""Per-enterprise reports (data, PDF) and programme numbers."""

import re
from io import BytesIO

import httpx
from openpyxl import load_workbook
from shuzhuan.events.v1.enrollment_pb2 import SizeClass
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.enterprise.repository import EnterpriseCopyRepository
from services.assessment.tests.helpers import (
    COUNTY,
    OTHER_COUNTY,
    OTHER_USCC,
    USCC,
    all_none,
    answers_json,
    complete_project,
    engage,
    evidence_for,
    register,
)
from services.assessment.tests.test_workflow import Actors, level_two, submitted

THIRD_USCC = "91410300MA0000003Z"


async def programme(client: httpx.AsyncClient, session: AsyncSession, tokens) -> Actors:  # type: ignore[no-untyped-def]
    """USCC: diagnosed 0, accepted at 2 (above scale). OTHER: other county, above scale, nothing yet.
    THIRD: below scale, diagnosed only."""
    await register(session)
    await register(session, OTHER_USCC, OTHER_COUNTY)
    await register(session, THIRD_USCC, COUNTY, SizeClass.SIZE_CLASS_BELOW_SCALE)
    await engage(session)
    await engage(session, "eng-3", uscc=THIRD_USCC)
    actors = Actors(tokens)
    diagnosis = {"kind": "diagnosis", "evidence": evidence_for(), **answers_json(all_none())}
    await submitted(client, actors.provider, engagement_id="eng-1", pain_points=["数据孤岛"], **diagnosis)
    await client.post(
        "/assessments",
        json={"uscc": THIRD_USCC, "engagement_id": "eng-3", **diagnosis},
        headers=actors.provider,
    )
    third = (await client.get(f"/assessments?uscc={THIRD_USCC}", headers=actors.city)).json()["items"][0]
    await client.post(f"/assessments/{third['id']}/submit", headers=actors.provider)
    await complete_project(session)  # after the diagnoses: completion ends the provider's engagements
    evaluation = await submitted(
        client,
        actors.evaluator,
        kind="acceptance",
        project_id="proj-1",
        evidence=evidence_for(),
        **answers_json(level_two()),
    )
    await client.post(f"/assessments/{evaluation['id']}/sign-off", json={}, headers=actors.second_evaluator)
    return actors


class TestEnterpriseReport:
    async def test_before_and_after(self, client: httpx.AsyncClient, session: AsyncSession, tokens) -> None:
        actors = await programme(client, session, tokens)
        report = (await client.get(f"/enterprises/{USCC}/report", headers=actors.enterprise)).json()
        assert report["current_level"] == 2
        assert (report["diagnosis"]["level"], report["acceptance"]["level"]) == (0, 2)
        assert report["diagnosis"]["pain_points"] == ["数据孤岛"]
        radar = {p["code"]: p["percent"] for p in report["acceptance"]["dimensions"]}
        assert radar == {"D1": "44.0", "D2": "50.0", "D3": "85.0"}
        s01 = next(s for s in report["scenarios"] if s["code"] == "S01")
        assert (s01["before"], s01["after"], s01["mandatory"]) == (0, 2, True)

    async def test_pdf(self, client: httpx.AsyncClient, session: AsyncSession, tokens) -> None:
        actors = await programme(client, session, tokens)
        response = await client.get(f"/enterprises/{USCC}/report.pdf", headers=actors.county)
        assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
        body = response.content
        assert body.startswith(b"%PDF-1.4") and body.rstrip().endswith(b"%%EOF")
        xref = int(re.search(rb"startxref\n(\d+)", body).group(1))  # type: ignore[union-attr]
        assert body[xref : xref + 4] == b"xref"
        offsets = [int(o) for o in re.findall(rb"(\d{10}) 00000 n", body)]
        assert all(re.match(rb"\d+ 0 obj", body[o : o + 12]) for o in offsets)
        assert "改造前".encode("utf-16-be").hex().upper().encode() in body

    async def test_visibility(self, client: httpx.AsyncClient, session: AsyncSession, tokens) -> None:
        actors = await programme(client, session, tokens)
        # The provider's engagements ended with its completed project: the acceptance is not its business.
        for headers, status in [
            (actors.provider, 404),
            (actors.county, 200),
            (actors.other_provider, 404),
            (actors.other_county, 404),
            (actors.other_enterprise, 404),
        ]:
            assert (await client.get(f"/enterprises/{USCC}/report", headers=headers)).status_code == status


class TestProgrammeNumbers:
    async def test_levels_by_county_and_share_above_scale(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        actors = await programme(client, session, tokens)
        body = (await client.get("/programme/levels?group_by=county", headers=actors.city)).json()
        total = body["total"]
        assert total["enterprises"] == 3 and total["above_scale"] == 2 and total["above_scale_at_target"] == 1
        assert total["above_scale_share_percent"] == "50.0"
        assert total["before"] == {"none": 1, "0": 2, "1": 0, "2": 0, "3": 0, "4": 0}
        assert total["after"]["2"] == 1 and total["after"]["none"] == 2
        by_county = {g["group"]: g for g in body["groups"]}
        assert by_county[OTHER_COUNTY]["above_scale_share_percent"] == "0.0"
        by_industry = (await client.get("/programme/levels", headers=actors.city)).json()
        assert [g["group"] for g in by_industry["groups"]] == ["C34"]

    async def test_below_target_and_county_scope(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        actors = await programme(client, session, tokens)
        city = (await client.get("/programme/below-target", headers=actors.city)).json()
        assert {i["uscc"] for i in city["items"]} == {OTHER_USCC, THIRD_USCC}
        county = (await client.get("/programme/below-target?target_level=3", headers=actors.county)).json()
        assert {i["uscc"] for i in county["items"]} == {USCC, THIRD_USCC}
        assert (await client.get("/programme/levels", headers=actors.enterprise)).status_code == 403
        assert (await client.get("/programme/levels", headers=actors.provider)).status_code == 403

    async def test_below_target_xlsx_neutralises_formulas(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        actors = await programme(client, session, tokens)
        await EnterpriseCopyRepository(session).upsert(OTHER_USCC, {"name": "=HYPERLINK(1)"})
        response = await client.get("/programme/below-target.xlsx", headers=actors.city)
        assert response.status_code == 200
        rows = list(load_workbook(BytesIO(response.content)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
        assert rows[0][0] == "统一社会信用代码" and len(rows) == 3
        assert "'=HYPERLINK(1)" in [row[1] for row in rows]


class TestBelowTargetPage:
    async def test_paging_while_enterprises_register_has_no_duplicate_or_gap(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        actors = await programme(client, session, tokens)
        unpaged = (await client.get("/programme/below-target?target_level=3", headers=actors.city)).json()
        assert unpaged["next_cursor"] is None and unpaged["total"] == 3
        seen: list[str] = []
        cursor = None
        while True:
            params = {"target_level": 3, "limit": 1} | ({"cursor": cursor} if cursor else {})
            response = await client.get("/programme/below-target", params=params, headers=actors.city)
            assert response.status_code == 200, response.text
            page = response.json()
            if not seen:
                await register(session, "91410300MA0000009W", COUNTY)  # sorts last: reached later
            seen += [i["uscc"] for i in page["items"]]
            if (cursor := page["next_cursor"]) is None:
                break
        assert seen == [USCC, OTHER_USCC, THIRD_USCC, "91410300MA0000009W"] and page["total"] == 4

    async def test_lowest_level_first_and_a_foreign_cursor_refused(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        actors = await programme(client, session, tokens)
        params = {"target_level": 3, "limit": 5, "order": "level_lowest"}
        page = (await client.get("/programme/below-target", params=params, headers=actors.city)).json()
        assert page["items"][-1]["uscc"] == USCC  # the only one accepted at level 2
        params = {"target_level": 3, "limit": 1}
        first = (await client.get("/programme/below-target", params=params, headers=actors.city)).json()
        params |= {"order": "level_lowest", "cursor": first["next_cursor"]}
        refused = await client.get("/programme/below-target", params=params, headers=actors.city)
        assert refused.status_code == 422 and refused.json()["code"] == "invalid_cursor"
