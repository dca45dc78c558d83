from datetime import UTC, datetime
from typing import Any

import httpx
from google.protobuf.message import Message
from shuzhuan.events.v1.assessment_pb2 import AcceptanceEvaluated
from shuzhuan.events.v1.funding_pb2 import PaymentDisbursed
from shuzhuan.events.v1.matching_pb2 import ContractSigned, EngagementCancelled, EngagementCreated
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.timeline.events import PRODUCERS, timeline
from services.enrollment.timeline.models import ProviderEngagement, TimelineEntry
from services.enrollment.timeline.service import SUMMARIES, apply_event, apply_events
from szcore.auth import Role
from szcore.events import Event, new_envelope, to_timestamp

USCC = "91350100M000100Y43"


def event(payload: Message, producer: str) -> Event:
    return Event(new_envelope(payload, producer=producer, aggregate_type="x", aggregate_id=USCC), payload)


def at(day: int) -> Any:
    return to_timestamp(datetime(2026, 3, day, tzinfo=UTC))


class TestTimeline:
    def test_every_consumed_event_has_a_summary(self) -> None:
        assert set(SUMMARIES) == set(PRODUCERS)
        assert timeline.name == "enrollment-timeline"

    async def test_events_feed_the_dossier_timeline_once(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        body = {
            "uscc": USCC,
            "name": "洛阳轴承",
            "county_code": "410322",
            "industry_code": "C34",
            "size_class": "above_scale",
        }
        await client.post("/enterprises", json=body, headers=tokens.headers(Role.city_admin))
        accepted = event(
            AcceptanceEvaluated(assessment_id="a1", uscc=USCC, level=3, level_before=1, evaluated_at=at(10)),
            "assessment",
        )
        for e in (
            event(
                ContractSigned(contract_id="c1", uscc=USCC, amount_fen=12_345_600, signed_on=at(2)),
                "matching",
            ),
            accepted,
            event(
                PaymentDisbursed(payment_id="p1", uscc=USCC, amount_fen=30_000_000, paid_at=at(20)), "funding"
            ),
            accepted,  # redelivered
        ):
            await apply_event(session, e)
        assert (await session.execute(select(func.count()).select_from(TimelineEntry))).scalar_one() == 3
        response = await client.get(
            f"/enterprises/{USCC}/timeline", headers=tokens.headers(Role.county_admin, county="410322")
        )
        assert response.status_code == 200
        kinds = [item["kind"] for item in response.json()["items"]]
        assert kinds == ["dossier", "PaymentDisbursed", "AcceptanceEvaluated", "ContractSigned"]
        summaries = {item["kind"]: item["summary"] for item in response.json()["items"]}
        assert (
            "123,456.00" in summaries["ContractSigned"] and "level 1 to 3" in summaries["AcceptanceEvaluated"]
        )

    async def test_other_county_sees_no_timeline(self, client: httpx.AsyncClient, tokens) -> None:
        response = await client.get(
            f"/enterprises/{USCC}/timeline", headers=tokens.headers(Role.county_admin, county="410323")
        )
        assert response.status_code == 404


class TestBatch:
    async def test_a_batch_leaves_what_its_events_one_by_one_leave(self, session: AsyncSession) -> None:
        """The consumer applies a fetched batch at once: rows once per event id, engagements in order."""
        created = EngagementCreated(
            engagement_id="g7", uscc=USCC, provider_id="prov-7", kind="diagnosis", created_at=at(1)
        )
        cancelled = EngagementCancelled(
            engagement_id="g7", uscc=USCC, provider_id="prov-7", cancelled_at=at(2)
        )
        again = EngagementCreated(
            engagement_id="g8", uscc=USCC, provider_id="prov-7", kind="diagnosis", created_at=at(3)
        )
        paid = event(PaymentDisbursed(payment_id="p7", uscc=USCC, amount_fen=100, paid_at=at(4)), "funding")
        batch = [event(m, "matching") for m in (created, cancelled, again)] + [paid, paid]
        assert timeline.batch_handler is apply_events
        await apply_events(session, batch)
        await apply_events(session, batch[3:])  # redelivered in a later batch
        rows = (await session.execute(select(TimelineEntry.event_id).where(TimelineEntry.uscc == USCC))).all()
        assert sorted(r.event_id for r in rows) == sorted({e.event_id for e in batch})
        query = select(ProviderEngagement.engagement_id).where(ProviderEngagement.uscc == USCC)
        assert list((await session.execute(query)).scalars()) == ["g8"]


class TestProviderAccess:
    async def test_a_provider_reads_the_dossiers_of_enterprises_that_engaged_it(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        body = {
            "uscc": USCC,
            "name": "洛阳轴承",
            "county_code": "410322",
            "industry_code": "C34",
            "size_class": "above_scale",
        }
        await client.post("/enterprises", json=body, headers=tokens.headers(Role.city_admin))
        provider = tokens.headers(Role.provider, provider_id="prov-1")
        assert (await client.get(f"/enterprises/{USCC}", headers=provider)).status_code == 404
        engagement = EngagementCreated(
            engagement_id="g1", uscc=USCC, provider_id="prov-1", kind="diagnosis", created_at=at(1)
        )
        await apply_event(session, event(engagement, "matching"))
        await apply_event(session, event(engagement, "matching"))
        assert (await client.get(f"/enterprises/{USCC}", headers=provider)).status_code == 200
        other = tokens.headers(Role.provider, provider_id="prov-2")
        assert (await client.get(f"/enterprises/{USCC}", headers=other)).status_code == 404
