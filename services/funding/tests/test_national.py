"""Funding's part of the national feed: claims with what each source committed, and payments."""

from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.claim.models import Claim, ClaimAllocation, Payment
from services.funding.national.feed import feed
from szcore.auth import Role

T0 = datetime(2025, 6, 1, 9, tzinfo=UTC)


class TestFundingFeed:
    async def test_claims_with_allocations_and_payments(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens: Any
    ) -> None:
        session.add(
            Claim(
                claim_id="C-national-1",
                uscc="91410300MA44XX0001",
                county_code="410322",
                policy_key="p",
                policy_version=1,
                line_code="L1",
                status="approved",
                claimed_fen=10_000_00,
                quoted_fen=10_000_00,
                approved_fen=8_000_00,
                submitted_at=T0,
                updated_at=T0,
            )
        )
        await session.flush()
        session.add_all(
            [
                ClaimAllocation(
                    claim_id="C-national-1", source_id="central", level="central", amount_fen=5_000_00
                ),
                ClaimAllocation(claim_id="C-national-1", source_id="city", level="city", amount_fen=3_000_00),
                Payment(
                    payment_id="PAY-1",
                    claim_id="C-national-1",
                    uscc="91410300MA44XX0001",
                    source_id="central",
                    amount_fen=5_000_00,
                    status="queued",
                    queued_at=T0,
                ),
            ]
        )
        await session.flush()
        await feed.sequence(session)
        response = await client.get("/national/changes", headers=tokens.headers(Role.national_platform))
        assert response.status_code == 200, response.text
        items = {(i["entity_type"], i["entity_id"]): i for i in response.json()["items"]}
        claim = items[("claim", "C-national-1")]["data"]
        assert claim["approved_fen"] == 8_000_00
        assert [(a["source_id"], a["amount_fen"]) for a in claim["allocations"]] == [
            ("central", 5_000_00),
            ("city", 3_000_00),
        ]
        assert items[("payment", "PAY-1")]["data"]["status"] == "queued"

    async def test_a_provider_is_refused(self, client: httpx.AsyncClient, tokens: Any) -> None:
        response = await client.get(
            "/national/changes", headers=tokens.headers(Role.provider, provider_id="P1")
        )
        assert response.status_code == 403
