"""Assessment's part of the national feed: assessments with levels and scores, an acceptance with the
level before (the latest diagnosis), and no answers or evidence."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.assessment.models import Assessment
from services.assessment.national.feed import feed
from szcore.auth import Role

T0 = datetime(2025, 3, 1, 9, tzinfo=UTC)


def assessment(id: str, kind: str, level: int, at: datetime, **extra: Any) -> Assessment:
    return Assessment(
        id=id,
        uscc="91410300MA44XX0001",
        county_code="410322",
        kind=kind,
        status="submitted",
        index_code="miit-2024",
        created_by="someone",
        assessor_role="provider",
        assessor_id="P1",
        answers={"q1": "secret answer"},
        scenario_levels={"S1": level},
        evidence={"q1": ["file"]},
        pain_points=[],
        needed_scenarios=[],
        level=level,
        base_score_milli=level * 1000 + 250,
        created_at=at,
        updated_at=at,
        submitted_at=at,
        **extra,
    )


class TestAssessmentFeed:
    async def test_an_acceptance_carries_levels_before_and_after_and_scores(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens: Any
    ) -> None:
        session.add(assessment("d-old", "diagnosis", 0, T0))
        session.add(assessment("d-new", "diagnosis", 1, T0 + timedelta(days=1)))
        acceptance = assessment("acc", "acceptance", 3, T0 + timedelta(days=90))
        acceptance.status = "signed_off"
        session.add(acceptance)
        await session.flush()
        await feed.sequence(session)
        response = await client.get("/national/changes", headers=tokens.headers(Role.national_platform))
        assert response.status_code == 200, response.text
        items = {i["entity_id"]: i for i in response.json()["items"]}
        assert set(items) >= {"d-old", "d-new", "acc"}
        data = items["acc"]["data"]
        assert (data["level"], data["level_before"], data["base_score_milli"]) == (3, 1, 3250)
        assert items["d-new"]["data"]["level_before"] is None
        assert "answers" not in data and "evidence" not in data

    async def test_an_enterprise_is_refused(self, client: httpx.AsyncClient, tokens: Any) -> None:
        response = await client.get(
            "/national/changes", headers=tokens.headers(Role.enterprise, uscc="91410300MA44XX0001")
        )
        assert response.status_code == 403
