"""A provider sees an enterprise only while an engagement with it is open, and only after it signed the
confidentiality undertaking (保密协议): before, during and after an engagement, signed and unsigned, in
every service that serves enterprise data to providers (matching directly; enrollment and assessment from
matching's engagement events)."""

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta

import pytest
from shuzhuan.events.v1.matching_pb2 import (
    EngagementCancelled,
    EngagementClosed,
    EngagementCreated,
    ProjectCompleted,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.assessment.events import dispatch_engagement
from services.assessment.assessment.models import EngagementCopy, ProjectCopy
from services.assessment.assessment.repository import CopyRepository
from services.assessment.tests.helpers import PROVIDER, USCC, complete_project, engage, register
from services.enrollment.app import create_app as enrollment_app
from services.enrollment.programme.service import seed
from services.enrollment.timeline.service import apply_event
from services.matching.app import create_app as matching_app
from services.matching.tests.helpers import ENTERPRISE, World
from szcore.auth import Principal, Role
from szcore.events import Event, new_envelope, to_timestamp
from tests.access.enterprises import register_random
from tests.support.fixtures import Tokens, asgi_client, rolled_back_session

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def event(payload: object) -> Event:
    return Event(
        new_envelope(payload, producer="matching", aggregate_type="engagement", aggregate_id="e"), payload
    )  # type: ignore[arg-type]


async def sessions(migrated_engines: Callable, service: str) -> AsyncIterator[AsyncSession]:  # type: ignore[type-arg]
    engine = await migrated_engines(service)
    async for session in rolled_back_session(engine):
        yield session


class TestMatching:
    @pytest.fixture
    async def world(self, migrated_engines: Callable, tokens: Tokens) -> AsyncIterator[World]:  # type: ignore[type-arg]
        async for session in sessions(migrated_engines, "matching"):
            async with asgi_client(matching_app(), session) as client:
                yield World(client, session, tokens)

    async def sees(self, world: World, provider_id: str) -> bool:
        response = await world.client.get(f"/enterprises/{ENTERPRISE}", headers=world.provider(provider_id))
        assert response.status_code in (200, 404), response.text
        return response.status_code == 200

    async def test_unsigned_provider_can_not_be_engaged_nor_see(self, world: World) -> None:
        await world.enterprise_registered()
        await world.listed_provider("p-unsigned", sign=False)
        engage = await world.client.post(
            "/engagements",
            json={"uscc": ENTERPRISE, "provider_id": "p-unsigned", "kind": "diagnosis"},
            headers=world.enterprise(),
        )
        assert engage.status_code == 409 and engage.json()["code"] == "confidentiality_unsigned"
        assert not await self.sees(world, "p-unsigned")

    async def test_signed_provider_sees_only_during_the_engagement(self, world: World) -> None:
        await world.enterprise_registered()
        await world.listed_provider("p-signed")
        assert not await self.sees(world, "p-signed")  # signed, not engaged
        engagement = await world.ok(
            await world.client.post(
                "/engagements",
                json={"uscc": ENTERPRISE, "provider_id": "p-signed", "kind": "diagnosis"},
                headers=world.enterprise(),
            ),
            201,
        )
        assert await self.sees(world, "p-signed")
        assert not await self.sees(world, "p-other")
        await world.ok(
            await world.client.post(
                f"/engagements/{engagement['engagement_id']}/cancel",
                json={"reason": "test"},
                headers=world.enterprise(),
            )
        )
        assert not await self.sees(world, "p-signed")

    async def test_a_completed_diagnosis_ends_the_view_and_says_so(self, world: World) -> None:
        await world.enterprise_registered()
        await world.listed_provider("p-signed")
        engagement = await world.ok(
            await world.client.post(
                "/engagements",
                json={"uscc": ENTERPRISE, "provider_id": "p-signed", "kind": "diagnosis"},
                headers=world.enterprise(),
            ),
            201,
        )
        assert await self.sees(world, "p-signed")
        eid = engagement["engagement_id"]
        await world.ok(await world.client.post(f"/engagements/{eid}/complete", headers=world.enterprise()))
        assert not await self.sees(world, "p-signed")
        # The other services learn it from this event (same transaction as the status change).
        [closed] = [EngagementClosed.FromString(e.payload) for e in await world.events("EngagementClosed")]
        assert (closed.engagement_id, closed.uscc, closed.provider_id) == (eid, ENTERPRISE, "p-signed")


class TestEnrollmentDossier:
    async def test_dossier_visible_only_between_engagement_and_its_end(
        self,
        migrated_engines: Callable,
        tokens: Tokens,  # type: ignore[type-arg]
    ) -> None:
        import random

        async for session in sessions(migrated_engines, "enrollment"):
            await seed(session, Principal(subject="city-test", role=Role.city_admin))
            async with asgi_client(enrollment_app(), session) as client:
                [enterprise] = await register_random(client, tokens, random.Random(1), 1)
                headers = tokens.headers(Role.provider, provider_id="p1")

                async def status(uscc: str = enterprise.uscc, headers: dict[str, str] = headers) -> int:
                    return (await client.get(f"/enterprises/{uscc}", headers=headers)).status_code

                assert await status() == 404
                created = dict(uscc=enterprise.uscc, provider_id="p1", created_at=to_timestamp(T0))
                await apply_event(
                    session, event(EngagementCreated(engagement_id="e1", kind="diagnosis", **created))
                )
                assert await status() == 200
                await apply_event(
                    session,
                    event(
                        EngagementCancelled(
                            engagement_id="e1",
                            uscc=enterprise.uscc,
                            provider_id="p1",
                            cancelled_at=to_timestamp(T0),
                        )
                    ),
                )
                assert await status() == 404
                await apply_event(
                    session, event(EngagementCreated(engagement_id="e2", kind="transformation", **created))
                )
                assert await status() == 200
                await apply_event(
                    session,
                    event(
                        ProjectCompleted(
                            project_id="pr",
                            uscc=enterprise.uscc,
                            provider_id="p1",
                            completed_at=to_timestamp(T0),
                        )
                    ),
                )
                assert await status() == 404
                await apply_event(
                    session, event(EngagementCreated(engagement_id="e3", kind="diagnosis", **created))
                )
                assert await status() == 200
                closed = EngagementClosed(
                    engagement_id="e3",
                    uscc=enterprise.uscc,
                    provider_id="p1",
                    kind="diagnosis",
                    outcome="completed",
                    closed_at=to_timestamp(T0),
                )
                await apply_event(session, event(closed))
                await apply_event(session, event(closed))  # a redelivery changes nothing
                assert await status() == 404
                # A diagnosis and a transformation of the same provider: each end ends only its own right.
                for eid, kind in (("e4", "diagnosis"), ("e5", "transformation")):
                    await apply_event(
                        session, event(EngagementCreated(engagement_id=eid, kind=kind, **created))
                    )
                closed.engagement_id = "e4"
                await apply_event(session, event(closed))
                assert await status() == 200  # e5 is still open
                cancelled = EngagementCancelled(
                    engagement_id="e5", uscc=enterprise.uscc, provider_id="p1", cancelled_at=to_timestamp(T0)
                )
                await apply_event(session, event(cancelled))
                assert await status() == 404
                timeline = (
                    await client.get(
                        f"/enterprises/{enterprise.uscc}/timeline", headers=tokens.headers(Role.city_admin)
                    )
                ).json()
                assert "EngagementClosed" in [item["kind"] for item in timeline["items"]]


class TestAssessmentEngagements:
    async def test_cancelled_engagements_open_nothing(self, migrated_engines: Callable) -> None:  # type: ignore[type-arg]
        async for session in sessions(migrated_engines, "assessment"):
            repository = CopyRepository(session)
            rows = [
                EngagementCopy(
                    engagement_id="a", uscc="U-OPEN", provider_id="p", kind="diagnosis", created_at=T0
                ),
                EngagementCopy(
                    engagement_id="b",
                    uscc="U-CANCELLED",
                    provider_id="p",
                    kind="diagnosis",
                    created_at=T0,
                    cancelled_at=T0,
                ),
                EngagementCopy(
                    engagement_id="c", uscc="U-DONE", provider_id="p", kind="transformation", created_at=T0
                ),
                EngagementCopy(
                    engagement_id="d", uscc="U-OTHER", provider_id="q", kind="diagnosis", created_at=T0
                ),
            ]
            for row in rows:
                await repository.upsert_engagement(row)
            await repository.upsert_project(
                ProjectCopy(
                    project_id="pr-c",
                    uscc="U-DONE",
                    provider_id="p",
                    contract_id="HT",
                    spent_fen=1,
                    completed_at=T0 + timedelta(days=30),
                )
            )
            assert sorted(await repository.engaged_usccs("p")) == ["U-DONE", "U-OPEN"]
            # Completing the project ends its provider's engagement: the acceptance is the evaluator's.
            await repository.close_engagements("U-DONE", "p", T0 + timedelta(days=30))
            assert sorted(await repository.engaged_usccs("p")) == ["U-OPEN"]

    async def test_closed_diagnosis_and_completed_project_end_reading_and_diagnosing(
        self,
        migrated_engines: Callable,
        tokens: Tokens,  # type: ignore[type-arg]
    ) -> None:
        from services.assessment.app import create_app as assessment_app

        async for session in sessions(migrated_engines, "assessment"):
            await register(session)
            await engage(session, "eng-1")
            async with asgi_client(assessment_app(), session) as client:
                headers = tokens.headers(Role.provider, provider_id=PROVIDER)
                body = {"uscc": USCC, "kind": "diagnosis", "engagement_id": "eng-1"}
                draft = await client.post("/assessments", json=body, headers=headers)
                assert draft.status_code == 201, draft.text
                assessment_id = draft.json()["id"]
                closed = EngagementClosed(
                    engagement_id="eng-1",
                    uscc=USCC,
                    provider_id=PROVIDER,
                    kind="diagnosis",
                    outcome="completed",
                    closed_at=to_timestamp(T0),
                )
                await dispatch_engagement(session, event(closed))
                await dispatch_engagement(session, event(closed))
                assert list(await CopyRepository(session).engaged_usccs(PROVIDER)) == []
                again = await client.post("/assessments", json=body, headers=headers)
                assert again.status_code == 403 and again.json()["code"] == "not_engaged_for_diagnosis"
                submit = await client.post(f"/assessments/{assessment_id}/submit", headers=headers)
                assert submit.status_code == 403 and submit.json()["code"] == "not_engaged_for_diagnosis"
                # A late EngagementCreated does not reopen what was closed.
                await engage(session, "eng-1")
                assert list(await CopyRepository(session).engaged_usccs(PROVIDER)) == []
                # A transformation engagement opens the enterprise again until its project completes.
                await engage(session, "eng-2", kind="transformation")
                assert list(await CopyRepository(session).engaged_usccs(PROVIDER)) == [USCC]
                await complete_project(session)
                assert list(await CopyRepository(session).engaged_usccs(PROVIDER)) == []
