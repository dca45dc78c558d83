"""Builders for matching tests: enterprises arrive as events, providers go through the real API."""

import itertools
from datetime import UTC, datetime
from typing import Any

import httpx
from google.protobuf.message import Message
from shuzhuan.events.v1.assessment_pb2 import GapAnalysisProduced, NeededImprovement
from shuzhuan.events.v1.enrollment_pb2 import EnterpriseRegistered, SizeClass
from shuzhuan.events.v1.envelope_pb2 import Envelope
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.db import infra
from services.matching.enterprise.service import apply_enterprise_registered
from services.matching.need.service import apply_gap_analysis
from services.matching.provider.uscc import check_digit
from szcore.auth import Role, issue_token
from szcore.events import Event, new_envelope, to_timestamp

COUNTY = "340104"
OTHER_COUNTY = "340111"
INDUSTRY = "C36"
ENTERPRISE = "91340100MA2TE0001X"
OTHER_ENTERPRISE = "91340100MA2TE0002Y"
SCORES = {
    "n_x_fit": 80,
    "industry_experience": 70,
    "case_demonstration": 90,
    "local_support": 60,
    "ecosystem": 50,
}
SOLUTION_SCORES = {"n_x_fit": 80, "cost_effectiveness": 70, "lightweight": 90, "effect": 60, "cases": 50}
RATING = {"satisfaction": 90, "projects": 80, "results": 85, "on_time": 100}

_numbers = itertools.count(1)


def provider_uscc() -> str:
    first17 = f"91340100MA2P{next(_numbers):05d}"
    return first17 + check_digit(first17)


def event(payload: Message, producer: str) -> Event:
    return Event(new_envelope(payload, producer=producer, aggregate_type="test", aggregate_id="x"), payload)


def gap_analysis(uscc: str, *levels: tuple[str, int, int], assessment_id: str = "as-1") -> Event:
    return event(
        GapAnalysisProduced(
            assessment_id=assessment_id,
            uscc=uscc,
            current_level=1,
            target_level=2,
            improvements=[NeededImprovement(scenario_code=c, from_level=f, to_level=t) for c, f, t in levels],
            produced_at=to_timestamp(datetime(2026, 11, 1, tzinfo=UTC)),
        ),
        "assessment",
    )


class World:
    def __init__(self, client: httpx.AsyncClient, session: AsyncSession, tokens: Any) -> None:
        self.client = client
        self.session = session
        self.tokens = tokens

    def city(self) -> dict[str, str]:
        return self.tokens.headers(Role.city_admin)

    def expert(self, name: str = "expert-1") -> dict[str, str]:
        return {"authorization": f"Bearer {issue_token(self.tokens.settings, Role.expert, subject=name)}"}

    def provider(self, provider_id: str) -> dict[str, str]:
        return self.tokens.headers(Role.provider, provider_id=provider_id)

    def enterprise(self, uscc: str = ENTERPRISE) -> dict[str, str]:
        return self.tokens.headers(Role.enterprise, uscc=uscc)

    def county(self, county: str = COUNTY) -> dict[str, str]:
        return self.tokens.headers(Role.county_admin, county=county)

    async def enterprise_registered(
        self, uscc: str = ENTERPRISE, county: str = COUNTY, industry: str = INDUSTRY
    ) -> None:
        payload = EnterpriseRegistered(
            uscc=uscc,
            name=f"企业{uscc[-4:]}",
            county_code=county,
            industry_code=industry,
            size_class=SizeClass.SIZE_CLASS_ABOVE_SCALE,
            registered_at=to_timestamp(datetime(2026, 1, 1, tzinfo=UTC)),
        )
        await apply_enterprise_registered(self.session, event(payload, "enrollment"))

    async def gap_analysis(
        self, uscc: str, *levels: tuple[str, int, int], assessment_id: str = "as-1"
    ) -> None:
        await apply_gap_analysis(self.session, gap_analysis(uscc, *levels, assessment_id=assessment_id))

    def application(self, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "uscc": provider_uscc(),
            "name": "合肥数智服务有限公司",
            "kind": "specialist",
            "industries": [INDUSTRY],
            "counties": [COUNTY],
            "staff_on_site": 12,
            "cases": [{"title": "某电子厂MES改造", "customer": "某电子厂"}],
            "certifications": ["ISO27001"],
        }
        body.update(overrides)
        return body

    async def ok(self, response: httpx.Response, status: int = 200) -> Any:
        assert response.status_code == status, response.text
        return response.json()

    async def apply(self, provider_id: str, **overrides: Any) -> dict[str, Any]:
        return await self.ok(
            await self.client.post(
                "/providers", json=self.application(**overrides), headers=self.provider(provider_id)
            ),
            201,
        )

    async def review(
        self, provider_id: str, scores: dict[str, int] | None = None, expert: str = "expert-1"
    ) -> Any:
        return await self.client.post(
            f"/providers/{provider_id}/reviews",
            json={"scores": scores or SCORES},
            headers=self.expert(expert),
        )

    async def approve(self, provider_id: str) -> httpx.Response:
        return await self.client.post(
            f"/providers/{provider_id}/decision",
            json={"decision": "approve", "notice_days": 0},
            headers=self.city(),
        )

    async def list_provider(self, provider_id: str) -> httpx.Response:
        return await self.client.post(f"/providers/{provider_id}/listing", headers=self.city())

    async def listed_provider(
        self, provider_id: str, *, sign: bool = True, **overrides: Any
    ) -> dict[str, Any]:
        await self.apply(provider_id, **overrides)
        await self.ok(await self.review(provider_id), 201)
        await self.ok(await self.approve(provider_id))
        provider = await self.ok(await self.list_provider(provider_id))
        if sign:
            provider = await self.ok(
                await self.client.post(
                    f"/providers/{provider_id}/confidentiality", headers=self.provider(provider_id)
                )
            )
        return provider  # type: ignore[no-any-return]

    def solution_body(self, **overrides: Any) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": "轻量MES",
            "scenario_codes": ["S05", "S06"],
            "industries": [INDUSTRY],
            "deployment": "saas",
            "price_model": "subscription_yearly",
            "list_price_fen": 5_000_000,
            "implementation_days": 30,
            "claimed_level_gain": 1,
            "claimed_effect": "生产管控达到二级",
        }
        body.update(overrides)
        return body

    async def listed_solution(self, provider_id: str, **overrides: Any) -> dict[str, Any]:
        solution = await self.ok(
            await self.client.post(
                "/solutions", json=self.solution_body(**overrides), headers=self.provider(provider_id)
            ),
            201,
        )
        url = f"/solutions/{solution['solution_id']}"
        await self.ok(
            await self.client.post(f"{url}/reviews", json={"scores": SOLUTION_SCORES}, headers=self.expert()),
            201,
        )
        await self.ok(
            await self.client.post(
                f"{url}/decision", json={"decision": "approve", "notice_days": 0}, headers=self.city()
            )
        )
        return await self.ok(await self.client.post(f"{url}/listing", headers=self.city()))  # type: ignore[no-any-return]

    async def events(self, event_type: str) -> list[Envelope]:
        rows = (
            await self.session.execute(select(infra.outbox.c.envelope).order_by(infra.outbox.c.id))
        ).scalars()
        envelopes = [Envelope.FromString(r) for r in rows]
        return [e for e in envelopes if e.event_type == event_type]
