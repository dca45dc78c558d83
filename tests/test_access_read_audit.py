"""Every read of an enterprise's confidential data by someone other than the enterprise is recorded (who,
role, what, which enterprise, when, request id) on the owning service's `reads` audit chain, which the
city, auditors and the enterprise itself can list; the chain verifies like any other."""

import asyncio
from collections.abc import AsyncIterator, Callable

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.app import create_app as assessment_app
from services.assessment.db import audit_log as assessment_log
from services.funding.app import create_app as funding_app
from services.funding.db import audit_log as funding_log
from szcore.auth import Principal, Role
from szcore.context import request_id_var
from szcore.readaudit import READ_CHAINS, list_reads, record_reads, verify_reads
from tests.support.fixtures import Tokens, asgi_client, rolled_back_session

USCC = "91410300MA44FFTP7K"
OTHER = "91350100M000100Y43"


@pytest.fixture
async def session(migrated_engines: Callable) -> AsyncIterator[AsyncSession]:  # type: ignore[type-arg]
    engine = await migrated_engines("funding")
    async for session in rolled_back_session(engine):
        yield session


class TestRecording:
    async def test_others_recorded_the_enterprise_itself_not(self, session: AsyncSession) -> None:
        city = Principal(subject="city-1", role=Role.city_admin)
        own = Principal(subject="ent-1", role=Role.enterprise, uscc=USCC)
        token = request_id_var.set("req-42")
        try:
            assert await record_reads(session, funding_log, city, "claim", [USCC, OTHER, USCC]) == 2
            assert await record_reads(session, funding_log, own, "claim", [USCC]) == 0
        finally:
            request_id_var.reset(token)
        listed = await list_reads(session, funding_log, own, USCC)
        [record] = listed.items
        assert (record.actor_subject, record.actor_role, record.what, record.request_id) == (
            "city-1",
            "city_admin",
            "claim",
            "req-42",
        )
        assert all(r.ok for r in await verify_reads(session, funding_log))

    async def test_batch_keeps_the_chain_intact(self, session: AsyncSession) -> None:
        expert = Principal(subject="x", role=Role.expert)
        for batch in range(3):
            await record_reads(
                session, funding_log, expert, "payment", [f"{USCC[:-2]}{batch}{n}" for n in range(5)]
            )
        (result,) = await verify_reads(session, funding_log)  # one transaction keeps to one lane
        assert result.ok and result.checked == 15


class TestWhoMayList:
    @pytest.mark.parametrize(
        ("role", "scope", "allowed"),
        [
            (Role.city_admin, {}, True),
            (Role.auditor, {}, True),
            (Role.enterprise, {"uscc": USCC}, True),
            (Role.enterprise, {"uscc": OTHER}, False),
            (Role.county_admin, {"county": "410322"}, False),
            (Role.provider, {"provider_id": "p"}, False),
            (Role.expert, {}, False),
            (Role.national_platform, {}, False),
        ],
    )
    async def test_reads_endpoint(
        self,
        migrated_engines: Callable,  # type: ignore[type-arg]
        tokens: Tokens,
        role: Role,
        scope: dict[str, str],
        allowed: bool,
    ) -> None:
        for service, factory in (("funding", funding_app), ("assessment", assessment_app)):
            engine = await migrated_engines(service)
            async for session in rolled_back_session(engine):
                async with asgi_client(factory(), session) as client:
                    response = await client.get(
                        f"/enterprises/{USCC}/reads", headers=tokens.headers(role, **scope)
                    )
            assert response.status_code == (200 if allowed else 403), (service, response.text)


class TestEndpointsRecord:
    async def test_assessment_reads_by_others_are_listed_for_the_enterprise(
        self,
        migrated_engines: Callable,  # type: ignore[type-arg]
        tokens: Tokens,
    ) -> None:
        from services.assessment.tests.helpers import COUNTY, register
        from services.assessment.tests.helpers import USCC as ASSESSED

        own = tokens.headers(Role.enterprise, uscc=ASSESSED)
        engine = await migrated_engines("assessment")
        async for session in rolled_back_session(engine):
            await register(session)
            async with asgi_client(assessment_app(), session) as client:
                draft = await client.post(
                    "/assessments", json={"uscc": ASSESSED, "kind": "self"}, headers=own
                )
                assert draft.status_code == 201, draft.text
                assessment_id = draft.json()["id"]
                await client.get(f"/assessments/{assessment_id}", headers=own)  # its own: not recorded
                city = tokens.headers(Role.city_admin, subject="city-reader")
                county = tokens.headers(Role.county_admin, county=COUNTY, subject="county-reader")
                assert (await client.get(f"/assessments/{assessment_id}", headers=city)).status_code == 200
                assert (await client.get("/assessments", headers=county)).status_code == 200
                assert (
                    await client.get("/assessments/by-enterprise", params={"uscc": ASSESSED}, headers=city)
                ).status_code == 200
                listed = (await client.get(f"/enterprises/{ASSESSED}/reads", headers=own)).json()
            readers = sorted((r["actor_subject"], r["actor_role"], r["what"]) for r in listed["items"])
            assert readers == [
                ("city-reader", "city_admin", "assessment"),
                ("city-reader", "city_admin", "assessment"),
                ("county-reader", "county_admin", "assessment"),
            ]
            assert all(r["request_id"] for r in listed["items"])
            assert all(r.ok for r in await verify_reads(session, assessment_log))


class TestDossierReads:
    async def test_dossier_reads_by_officials_and_experts_are_listed(
        self,
        migrated_engines: Callable,  # type: ignore[type-arg]
        tokens: Tokens,
    ) -> None:
        import random

        from services.enrollment.app import create_app as enrollment_app
        from services.enrollment.db import audit_log as enrollment_log
        from services.enrollment.programme.service import seed
        from tests.access.enterprises import register_random

        engine = await migrated_engines("enrollment")
        async for session in rolled_back_session(engine):
            await seed(session, Principal(subject="city-test", role=Role.city_admin))
            async with asgi_client(enrollment_app(), session) as client:
                [enterprise] = await register_random(client, tokens, random.Random(9), 1)
                own = tokens.headers(Role.enterprise, uscc=enterprise.uscc)
                await client.get(f"/enterprises/{enterprise.uscc}", headers=own)
                expert = tokens.headers(Role.expert, subject="expert-reader")
                county = tokens.headers(Role.county_admin, county=enterprise.county, subject="county-reader")
                await client.get(f"/enterprises/{enterprise.uscc}", headers=expert)
                await client.get("/enterprises", params={"uscc": enterprise.uscc}, headers=county)
                await client.get("/enterprises/export.xlsx", headers=county)
                listed = (await client.get(f"/enterprises/{enterprise.uscc}/reads", headers=own)).json()
            whats = sorted((r["actor_subject"], r["what"]) for r in listed["items"])
            assert whats == [
                ("county-reader", "dossier"),
                ("county-reader", "dossier_export"),
                ("expert-reader", "dossier"),
            ]
            assert all(r.ok for r in await verify_reads(session, enrollment_log))


class TestDerivedAndAggregateReads:
    """The gap plan is computed from the enterprise's answers; a below-target list names enterprises with
    their levels; a level distribution group holding one enterprise is that enterprise's own levels."""

    async def test_gap_plan_and_programme_reports_are_recorded(
        self,
        migrated_engines: Callable,  # type: ignore[type-arg]
        tokens: Tokens,
    ) -> None:
        from services.assessment.tests.helpers import (
            COUNTY,
            OTHER_COUNTY,
            OTHER_USCC,
            all_none,
            answers_json,
            register,
        )
        from services.assessment.tests.helpers import USCC as ASSESSED

        third = "91410300MA0000003Z"
        engine = await migrated_engines("assessment")
        async for session in rolled_back_session(engine):
            await register(session)
            await register(session, third, COUNTY)
            await register(session, OTHER_USCC, OTHER_COUNTY)
            own = tokens.headers(Role.enterprise, uscc=ASSESSED)
            city = tokens.headers(Role.city_admin, subject="city-reader")
            county = tokens.headers(Role.county_admin, county=COUNTY, subject="county-reader")
            async with asgi_client(assessment_app(), session) as client:
                draft = await client.post(
                    "/assessments",
                    json={"uscc": ASSESSED, "kind": "self", **answers_json(all_none())},
                    headers=own,
                )
                assert draft.status_code == 201, draft.text
                gap = await client.get(f"/assessments/{draft.json()['id']}/gap", headers=city)
                assert gap.status_code == 200, gap.text
                assert (
                    await client.get(f"/assessments/{draft.json()['id']}/gap", headers=own)
                ).status_code == 200
                assert (await client.get("/programme/below-target", headers=county)).status_code == 200
                xlsx = await client.get("/programme/below-target.xlsx", headers=county)
                assert xlsx.status_code == 200
                by_county = await client.get("/programme/levels", params={"group_by": "county"}, headers=city)
                assert by_county.status_code == 200
                listed = {
                    uscc: sorted(
                        (r["actor_subject"], r["what"])
                        for r in (await client.get(f"/enterprises/{uscc}/reads", headers=city)).json()[
                            "items"
                        ]
                    )
                    for uscc in (ASSESSED, third, OTHER_USCC)
                }
            assert listed[ASSESSED] == [
                ("city-reader", "assessment_gap"),
                ("county-reader", "below_target"),
                ("county-reader", "below_target_export"),
            ]
            assert listed[third] == [
                ("county-reader", "below_target"),
                ("county-reader", "below_target_export"),
            ]
            # Alone in its county: the county's row is its own levels. The two others share a row.
            assert listed[OTHER_USCC] == [("city-reader", "level_distribution")]
            assert all(r.ok for r in await verify_reads(session, assessment_log))


class TestLanes:
    """Reads spread over parallel chains: concurrent readers do not queue behind one lock, and every lane is
    still a chain that `verify` checks."""

    async def test_concurrent_readers_take_different_lanes(self, migrated_engines: Callable) -> None:  # type: ignore[type-arg]
        engine = await migrated_engines("funding")
        if engine.dialect.name != "postgresql":
            pytest.skip("SQLite serialises writers: one lane")
        city = Principal(subject="city-1", role=Role.city_admin)
        transactions = [rolled_back_session(engine) for _ in range(3)]
        sessions = [await anext(t) for t in transactions]
        try:
            for session in sessions:  # each holds its lane until it ends; none waits for another
                await asyncio.wait_for(record_reads(session, funding_log, city, "claim", [USCC]), 5)
            lanes = [session.info["read_lane"][1] for session in sessions]
            assert len(set(lanes)) == 3 and set(lanes) <= set(READ_CHAINS)
            again = sessions[0]
            await record_reads(again, funding_log, city, "payment", [OTHER])
            assert again.info["read_lane"][1] == lanes[0]  # one transaction, one lane
        finally:
            for transaction in transactions:
                await transaction.aclose()

    async def test_an_edited_read_in_its_lane_is_found(self, session: AsyncSession) -> None:
        city = Principal(subject="city-1", role=Role.city_admin)
        await record_reads(session, funding_log, city, "claim", [USCC, OTHER])
        chain = session.info["read_lane"][1]
        table = funding_log.table
        await session.execute(
            update(table)
            .where(table.c.chain == chain, table.c.entity_id == OTHER)
            .values(actor_subject="nobody")
        )
        results = {r.chain: r for r in await verify_reads(session, funding_log)}
        assert not results[chain].ok and results[chain].first_broken_seq is not None
