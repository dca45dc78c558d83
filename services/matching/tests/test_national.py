"""Matching's part of the national feed: providers, products (solutions) and projects, without the
conflict-of-interest list; a changed provider comes again after the cursor."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.national.feed import feed
from services.matching.project.models import Project
from services.matching.provider.models import Provider
from services.matching.solution.models import Solution
from szcore.auth import Role

T0 = datetime(2025, 4, 1, 9, tzinfo=UTC)


async def pull(client: httpx.AsyncClient, tokens: Any, after: int = 0) -> dict[str, Any]:
    response = await client.get(
        "/national/changes", params={"after": after}, headers=tokens.headers(Role.national_platform)
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


class TestMatchingFeed:
    async def test_providers_products_and_projects(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens: Any
    ) -> None:
        provider = Provider(
            provider_id="PV-nat",
            uscc="91410300MA44XX0009",
            name="数转服务商",
            kind="integrated",
            status="listed",
            related_usccs=["91410300MA44XX0001"],
            applied_at=T0,
            updated_at=T0,
        )
        session.add(provider)
        session.add(
            Solution(
                solution_id="SO-nat",
                provider_id="PV-nat",
                name="小快轻准 MES",
                deployment="saas",
                price_model="one_off",
                list_price_fen=50_000_00,
                implementation_days=30,
                status="listed",
                submitted_at=T0,
                updated_at=T0,
            )
        )
        session.add(
            Project(
                project_id="PJ-nat",
                engagement_id="EN-nat",
                uscc="91410300MA44XX0001",
                provider_id="PV-nat",
                contract_id="CT-nat",
                amount_fen=40_000_00,
                signed_on=T0,
                starts_on=T0,
                ends_on=T0 + timedelta(days=90),
                status="active",
            )
        )
        await session.flush()
        await feed.sequence(session)
        page = await pull(client, tokens)
        items = {(i["entity_type"], i["entity_id"]): i for i in page["items"]}
        assert items[("provider", "PV-nat")]["data"]["name"] == "数转服务商"
        assert "related_usccs" not in items[("provider", "PV-nat")]["data"]
        assert items[("solution", "SO-nat")]["data"]["list_price_fen"] == 50_000_00
        assert items[("project", "PJ-nat")]["data"]["amount_fen"] == 40_000_00

        provider.status = "suspended"
        await session.flush()
        await feed.sequence(session)
        later = await pull(client, tokens, after=page["next_after"])
        assert [(i["entity_id"], i["data"]["status"]) for i in later["items"]] == [("PV-nat", "suspended")]

    async def test_an_expert_is_refused(self, client: httpx.AsyncClient, tokens: Any) -> None:
        response = await client.get("/national/changes", headers=tokens.headers(Role.expert))
        assert response.status_code == 403
