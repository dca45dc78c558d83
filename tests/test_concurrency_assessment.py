"""Assessment's frozen steps raced through two assessment processes on one PostgreSQL database: a diagnosis
submitted many times at once, an acceptance evaluation signed off by several second evaluators at once,
and one sign-off sent again and again with the same Idempotency-Key. Each time one effect (one state
change, one event of its kind in the outbox, one audit record); every other request is a 409 problem."""

import asyncio
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from ops.local import Platform
from services.assessment.db import infra
from services.assessment.tests.helpers import (
    all_none,
    answers_json,
    complete_project,
    engage,
    evidence_for,
    register,
)
from szcore.auth import Role
from szcore.db import create_engine
from tests.support.fixtures import Tokens, unique_uscc
from tests.support.replicas import replica_clients, require_postgresql

pytestmark = [pytest.mark.e2e, pytest.mark.fault]

RACERS = 8
ROUNDS = 3


@pytest.fixture
def postgresql_only(databases: Any) -> None:
    require_postgresql(databases)


@pytest.fixture
async def assessment(postgresql_only: None, platform: Platform, tmp_path: Path) -> Any:
    # postgresql_only first: on SQLite the test is skipped before the platform's processes start.
    async with replica_clients(platform, "assessment", tmp_path) as (one, two):
        yield one, two


class World:
    """One enterprise, its provider engaged for a diagnosis and its completed project, stored as the
    matching and enrollment events leave them."""

    def __init__(self, platform: Platform) -> None:
        self.url = platform.env["SZ_ASSESSMENT_DATABASE_URL"]
        self.uscc = unique_uscc()
        self.provider = f"race-{uuid.uuid4().hex[:8]}"
        self.engagement = f"eng-{uuid.uuid4().hex[:8]}"
        self.project = f"prj-{uuid.uuid4().hex[:8]}"

    async def seed(self) -> None:
        engine = create_engine(self.url)
        try:
            async with AsyncSession(engine) as session:
                await register(session, self.uscc)
                await engage(session, self.engagement, self.uscc, self.provider)
                await session.commit()
        finally:
            await engine.dispose()

    async def complete(self) -> None:
        engine = create_engine(self.url)
        try:
            async with AsyncSession(engine) as session:
                await complete_project(session, self.project, self.uscc, self.provider)
                await session.commit()
        finally:
            await engine.dispose()

    async def counts(self, aggregate_id: str) -> dict[str, int]:
        """Outbox events of this assessment by type, and its audit records by action, as committed."""
        engine = create_engine(self.url)
        try:
            async with AsyncSession(engine) as session:
                outbox = infra.outbox.c
                events = await session.execute(
                    select(outbox.event_type, func.count())
                    .where(outbox.aggregate_id == aggregate_id)
                    .group_by(outbox.event_type)
                )
                audit = infra.audit_log.c
                actions = await session.execute(
                    select(audit.action, func.count())
                    .where(audit.entity_type == "assessment", audit.entity_id == aggregate_id)
                    .group_by(audit.action)
                )
                return {str(k): int(n) for k, n in [*events.all(), *actions.all()]}
        finally:
            await engine.dispose()


async def draft(client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]) -> str:
    created = await client.post("/assessments", json=body, headers=headers)
    assert created.status_code == 201, created.text
    return str(created.json()["id"])


def one_winner(answers: list[httpx.Response], codes: set[str]) -> dict[str, Any]:
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [200] + [409] * (len(answers) - 1), [a.text[:300] for a in answers]
    for loser in (a for a in answers if a.status_code == 409):
        assert loser.headers["content-type"].startswith("application/problem+json")
        assert loser.json()["code"] in codes, loser.text
    return dict(next(a for a in answers if a.status_code == 200).json())


@pytest.fixture
async def world(assessment: Any, platform: Platform) -> World:
    world = World(platform)
    await world.seed()
    return world


class TestDiagnosisSubmittedAtOnce:
    async def test_one_submission_one_event(self, assessment: Any, world: World, tokens: Tokens) -> None:
        one, two = assessment
        provider = tokens.headers(Role.provider, provider_id=world.provider)
        body = {
            "uscc": world.uscc,
            "kind": "diagnosis",
            "engagement_id": world.engagement,
            "evidence": evidence_for(),
            **answers_json(all_none()),
        }
        for _ in range(ROUNDS):
            assessment_id = await draft(one, provider, body)
            path = f"/assessments/{assessment_id}/submit"
            answers = await asyncio.gather(
                *((one, two)[n % 2].post(path, headers=provider) for n in range(RACERS))
            )
            winner = one_winner(list(answers), {"assessment_not_draft"})
            assert winner["status"] == "submitted"
            counts = await world.counts(assessment_id)
            assert counts["AssessmentSubmitted"] == 1, counts
            assert counts["diagnosis_submitted"] == 1, counts
            assert counts.get("GapAnalysisProduced", 0) <= 1, counts
            stored = (await two.get(f"/assessments/{assessment_id}", headers=provider)).json()
            assert stored["status"] == "submitted" and stored["submitted_at"] == winner["submitted_at"]


class TestSecondEvaluatorsSignOffAtOnce:
    async def test_one_sign_off_one_event(self, assessment: Any, world: World, tokens: Tokens) -> None:
        one, two = assessment
        await world.complete()
        first = tokens.headers(Role.evaluator, subject="race-eval-0", provider_id="lab-race")
        seconds = [
            tokens.headers(Role.evaluator, subject=f"race-eval-{n}", provider_id="lab-race")
            for n in range(1, RACERS + 1)
        ]
        body = {
            "uscc": world.uscc,
            "kind": "acceptance",
            "project_id": world.project,
            "evidence": evidence_for(),
            **answers_json(all_none()),
        }
        for _ in range(ROUNDS):
            assessment_id = await draft(one, first, body)
            submitted = await two.post(f"/assessments/{assessment_id}/submit", headers=first)
            assert submitted.status_code == 200, submitted.text
            path = f"/assessments/{assessment_id}/sign-off"
            answers = await asyncio.gather(
                *(
                    (one, two)[n % 2].post(path, json={"comment": f"核验{n}"}, headers=headers)
                    for n, headers in enumerate(seconds)
                )
            )
            winner = one_winner(list(answers), {"assessment_not_submitted"})
            assert winner["status"] == "signed_off"
            counts = await world.counts(assessment_id)
            assert counts["AcceptanceEvaluated"] == 1, counts
            assert counts["acceptance_signed_off"] == 1, counts
            stored = (await one.get(f"/assessments/{assessment_id}", headers=first)).json()
            assert stored["second_evaluator_id"] == winner["second_evaluator_id"]


class TestSignOffSentTwice:
    async def test_same_key_one_effect(self, assessment: Any, world: World, tokens: Tokens) -> None:
        one, two = assessment
        await world.complete()
        first = tokens.headers(Role.evaluator, subject="race-eval-a", provider_id="lab-race")
        body = {
            "uscc": world.uscc,
            "kind": "acceptance",
            "project_id": world.project,
            "evidence": evidence_for(),
            **answers_json(all_none()),
        }
        assessment_id = await draft(two, first, body)
        assert (await one.post(f"/assessments/{assessment_id}/submit", headers=first)).status_code == 200
        # A client retrying one sign-off: the same evaluator, the same Idempotency-Key, both replicas.
        second = tokens.headers(Role.evaluator, subject="race-eval-b", provider_id="lab-race")
        retry = second | {"idempotency-key": uuid.uuid4().hex}
        path = f"/assessments/{assessment_id}/sign-off"
        answers = await asyncio.gather(
            *((one, two)[n % 2].post(path, json={"comment": "复核"}, headers=retry) for n in range(RACERS))
        )
        winner = one_winner(list(answers), {"assessment_not_submitted"})
        assert (winner["status"], winner["second_evaluator_id"]) == ("signed_off", "race-eval-b")
        counts = await world.counts(assessment_id)
        assert counts["AcceptanceEvaluated"] == 1 and counts["acceptance_signed_off"] == 1, counts
        profile = (await one.get(f"/enterprises/{world.uscc}", headers=first)).json()
        assert profile["current_level"] == winner["level"]
