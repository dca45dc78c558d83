"""Self-assessment, diagnosis, acceptance evaluation: transitions allowed and refused."""

import httpx
import pytest
from shuzhuan.events.v1.assessment_pb2 import AcceptanceEvaluated, AssessmentSubmitted, GapAnalysisProduced
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.db import audit_log
from services.assessment.scoring.engine import Answers
from services.assessment.tests.helpers import (
    COUNTY,
    MIIT,
    OTHER_COUNTY,
    OTHER_PROVIDER,
    OTHER_USCC,
    PROVIDER,
    USCC,
    all_best,
    all_none,
    answers_json,
    cancel_engagement,
    complete_project,
    engage,
    evidence_for,
    outbox_events,
    register,
)
from szcore.auth import Role


def level_two() -> Answers:
    """Base score 54 with six scenarios at level 2, three of them mandatory: level 2."""
    options = {**all_none().options, "D1.3.1": ["E"], "D3.1.1": ["C"], "D3.2.1": ["C"], "D1.1.2": ["E"]}
    options |= {"D1.1.3": ["E"], "D2.1.1": ["F"], "D2.2.2": ["E"], "D3.3.1": ["C"]}
    return Answers(options, {"S01": 2, "S03": 2, "S06": 2, "S02": 2, "S04": 2, "S05": 2})


class Actors:
    def __init__(self, tokens) -> None:  # type: ignore[no-untyped-def]
        self.enterprise = tokens.headers(Role.enterprise, uscc=USCC)
        self.other_enterprise = tokens.headers(Role.enterprise, uscc=OTHER_USCC)
        self.provider = tokens.headers(Role.provider, provider_id=PROVIDER)
        self.other_provider = tokens.headers(Role.provider, provider_id=OTHER_PROVIDER)
        self.evaluator = tokens.headers(Role.evaluator, subject="eval-a", provider_id="lab-1")
        self.second_evaluator = tokens.headers(Role.evaluator, subject="eval-b", provider_id="lab-1")
        self.delivering_evaluator = tokens.headers(Role.evaluator, subject="eval-c", provider_id=PROVIDER)
        self.county = tokens.headers(Role.county_admin, county=COUNTY)
        self.other_county = tokens.headers(Role.county_admin, county=OTHER_COUNTY)
        self.city = tokens.headers(Role.city_admin)


async def create(client: httpx.AsyncClient, headers: dict, **body: object) -> httpx.Response:  # type: ignore[type-arg]
    return await client.post("/assessments", json={"uscc": USCC, **body}, headers=headers)


async def submitted(client: httpx.AsyncClient, headers: dict, **body: object) -> dict:  # type: ignore[type-arg]
    draft = await create(client, headers, **body)
    assert draft.status_code == 201, draft.text
    response = await client.post(f"/assessments/{draft.json()['id']}/submit", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


class TestSelfAssessment:
    async def test_enterprise_submits_and_the_event_and_audit_follow(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        await register(session)
        actors = Actors(tokens)
        body = await submitted(client, actors.enterprise, kind="self", **answers_json(level_two()))
        assert (body["status"], body["level"], body["base_score"]) == ("submitted", 2, "54")
        assert "level 2 met" in body["result"]["explanation"]
        [(kind, payload)] = await outbox_events(session)
        assert kind == "AssessmentSubmitted" and isinstance(payload, AssessmentSubmitted)
        assert (payload.level, payload.base_score_centi, payload.index_version) == (2, 5400, MIIT.code)
        assert (await audit_log.verify(session)).ok

    async def test_repeatable(self, client: httpx.AsyncClient, session: AsyncSession, tokens) -> None:
        await register(session)
        actors = Actors(tokens)
        first = await submitted(client, actors.enterprise, kind="self", **answers_json(all_none()))
        second = await submitted(client, actors.enterprise, kind="self", **answers_json(all_best()))
        assert (first["level"], second["level"]) == (0, 4)

    async def test_draft_edited_then_submitted(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        await register(session)
        actors = Actors(tokens)
        draft = (await create(client, actors.enterprise, kind="self", answers={"D1.1.1": ["B"]})).json()
        response = await client.put(
            f"/assessments/{draft['id']}", json=answers_json(all_best()), headers=actors.enterprise
        )
        assert response.status_code == 200 and response.json()["answers"]["D1.1.1"] == ["B", "C", "D", "E"]
        done = await client.post(f"/assessments/{draft['id']}/submit", headers=actors.enterprise)
        assert done.json()["level"] == 4

    async def test_correction_is_a_new_linked_version(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        await register(session)
        actors = Actors(tokens)
        original = await submitted(client, actors.enterprise, kind="self", **answers_json(all_none()))
        correction = await submitted(
            client, actors.enterprise, kind="self", supersedes_id=original["id"], **answers_json(level_two())
        )
        assert (correction["revision"], correction["supersedes_id"]) == (2, original["id"])
        old = (await client.get(f"/assessments/{original['id']}", headers=actors.enterprise)).json()
        assert (
            old["superseded_by_id"] == correction["id"] and old["level"] == 0 and old["status"] == "submitted"
        )
        again = await create(client, actors.enterprise, kind="self", supersedes_id=original["id"])
        assert again.status_code == 409 and again.json()["code"] == "not_correctable"


class TestSelfAssessmentRefusals:
    async def test_another_enterprise_may_not(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        await register(session)
        response = await create(client, Actors(tokens).other_enterprise, kind="self")
        assert response.status_code == 403 and response.json()["code"] == "not_the_enterprise"

    async def test_unknown_enterprise(self, client: httpx.AsyncClient, tokens) -> None:
        response = await create(client, Actors(tokens).enterprise, kind="self")
        assert response.status_code == 404

    async def test_missing_and_invalid_answers_name_the_question(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        await register(session)
        actors = Actors(tokens)
        draft = (await create(client, actors.enterprise, kind="self", answers={"D1.1.1": ["B"]})).json()
        response = await client.post(f"/assessments/{draft['id']}/submit", headers=actors.enterprise)
        assert response.status_code == 422 and response.json()["code"] == "answers_invalid"
        fields = {e["field"] for e in response.json()["errors"]}
        assert "answers.D1.3.1" in fields and "answers.D1.1.1" not in fields
        bad = await create(
            client, actors.enterprise, kind="self", answers={"D1.1.1": ["A", "B"]}, scenario_levels={"S01": 7}
        )
        assert bad.status_code == 422
        assert {(e["field"], e["code"]) for e in bad.json()["errors"]} == {
            ("answers.D1.1.1", "exclusive_option"),
            ("scenario_levels.S01", "scenario_level_out_of_range"),
        }
        assert await outbox_events(session) == []

    async def test_submitted_is_immutable(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        await register(session)
        actors = Actors(tokens)
        done = await submitted(client, actors.enterprise, kind="self", **answers_json(all_none()))
        put = await client.put(
            f"/assessments/{done['id']}", json=answers_json(all_best()), headers=actors.enterprise
        )
        again = await client.post(f"/assessments/{done['id']}/submit", headers=actors.enterprise)
        assert (put.status_code, again.status_code) == (409, 409)
        assert put.json()["code"] == "assessment_not_draft"


class TestDiagnosis:
    async def test_engaged_provider_diagnoses_and_gap_analysis_follows(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        await register(session)
        await engage(session)
        actors = Actors(tokens)
        body = await submitted(
            client,
            actors.provider,
            kind="diagnosis",
            engagement_id="eng-1",
            evidence=evidence_for(every_question=False),
            pain_points=["设备数据孤岛"],
            needed_scenarios=["S06"],
            report="诊断报告",
            **answers_json(all_none()),
        )
        assert (body["kind"], body["assessor_id"], body["level"]) == ("diagnosis", PROVIDER, 0)
        kinds = [k for k, _ in await outbox_events(session)]
        assert kinds == ["AssessmentSubmitted", "GapAnalysisProduced"]
        gap = (await outbox_events(session))[1][1]
        assert isinstance(gap, GapAnalysisProduced) and gap.target_level == 2 and len(gap.improvements) > 6
        plan = (
            await client.get(f"/assessments/{body['id']}/gap?target_level=3", headers=actors.enterprise)
        ).json()
        assert plan["reachable"] and plan["target_level"] == 3 and plan["improvements"]

    async def test_the_enterprise_and_county_read_it_another_county_does_not(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        await register(session)
        await engage(session)
        actors = Actors(tokens)
        body = await submitted(
            client,
            actors.provider,
            kind="diagnosis",
            engagement_id="eng-1",
            evidence=evidence_for(),
            **answers_json(all_none()),
        )
        for headers, status in [
            (actors.enterprise, 200),
            (actors.county, 200),
            (actors.city, 200),
            (actors.other_county, 404),
            (actors.other_enterprise, 404),
            (actors.other_provider, 404),
        ]:
            assert (await client.get(f"/assessments/{body['id']}", headers=headers)).status_code == status


class TestDiagnosisRefusals:
    async def test_missing_evidence(self, client: httpx.AsyncClient, session: AsyncSession, tokens) -> None:
        await register(session)
        await engage(session)
        actors = Actors(tokens)
        draft = (
            await create(
                client, actors.provider, kind="diagnosis", engagement_id="eng-1", **answers_json(all_none())
            )
        ).json()
        response = await client.post(f"/assessments/{draft['id']}/submit", headers=actors.provider)
        assert response.status_code == 422 and response.json()["code"] == "evidence_missing"
        assert "evidence.D1.1.2.values.1" in {e["field"] for e in response.json()["errors"]}

    async def test_provider_not_engaged_or_engaged_for_something_else(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        await register(session)
        await engage(session)
        await engage(session, "eng-2", provider=OTHER_PROVIDER, kind="transformation")
        actors = Actors(tokens)
        for headers, engagement in [(actors.other_provider, "eng-1"), (actors.other_provider, "eng-2")]:
            response = await create(client, headers, kind="diagnosis", engagement_id=engagement)
            assert response.status_code == 403 and response.json()["code"] == "not_engaged_for_diagnosis"
        assert (
            await create(client, actors.enterprise, kind="diagnosis", engagement_id="eng-1")
        ).status_code == 403
        missing = await create(client, actors.provider, kind="diagnosis")
        assert missing.status_code == 422 and missing.json()["code"] == "engagement_required"

    async def test_a_cancelled_engagement_ends_the_right_to_diagnose(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        await register(session)
        await engage(session)
        actors = Actors(tokens)
        body = {
            "kind": "diagnosis",
            "engagement_id": "eng-1",
            "evidence": evidence_for(),
            **answers_json(all_none()),
        }
        draft = (await create(client, actors.provider, **body)).json()
        await cancel_engagement(session)
        await engage(session)  # a redelivered creation does not reopen it
        submit = await client.post(f"/assessments/{draft['id']}/submit", headers=actors.provider)
        assert submit.status_code == 403 and submit.json()["code"] == "not_engaged_for_diagnosis"
        assert (await create(client, actors.provider, **body)).status_code == 403

    async def test_only_the_author_submits(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        await register(session)
        await engage(session)
        actors = Actors(tokens)
        draft = (await create(client, actors.provider, kind="diagnosis", engagement_id="eng-1")).json()
        response = await client.post(f"/assessments/{draft['id']}/submit", headers=actors.enterprise)
        assert response.status_code == 403 and response.json()["code"] == "not_the_assessor"


class TestAcceptance:
    async def test_diagnosis_then_acceptance_signed_off_by_a_second_evaluator(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        await register(session)
        await engage(session)
        actors = Actors(tokens)
        await submitted(
            client,
            actors.provider,
            kind="diagnosis",
            engagement_id="eng-1",
            evidence=evidence_for(),
            **answers_json(all_none()),
        )
        await complete_project(session)  # the diagnosis comes first; completion ends the provider's rights
        evaluation = await submitted(
            client,
            actors.evaluator,
            kind="acceptance",
            project_id="proj-1",
            evidence=evidence_for(),
            **answers_json(level_two()),
        )
        assert (evaluation["status"], evaluation["level"], evaluation["assessor_id"]) == (
            "submitted",
            2,
            "lab-1",
        )
        same = await client.post(
            f"/assessments/{evaluation['id']}/sign-off", json={}, headers=actors.evaluator
        )
        assert same.status_code == 403 and same.json()["code"] == "same_evaluator"
        signed = await client.post(
            f"/assessments/{evaluation['id']}/sign-off",
            json={"comment": "现场核验"},
            headers=actors.second_evaluator,
        )
        assert signed.status_code == 200, signed.text
        assert (signed.json()["status"], signed.json()["second_evaluator_id"]) == ("signed_off", "eval-b")
        accepted = [p for k, p in await outbox_events(session) if k == "AcceptanceEvaluated"]
        assert len(accepted) == 1 and isinstance(accepted[0], AcceptanceEvaluated)
        assert (accepted[0].level, accepted[0].level_before, accepted[0].project_id) == (2, 0, "proj-1")
        assert accepted[0].base_score_centi == 5400 and accepted[0].second_evaluator_id == "eval-b"
        profile = (await client.get(f"/enterprises/{USCC}", headers=actors.enterprise)).json()
        assert profile["current_level"] == 2
        twice = await client.post(
            f"/assessments/{evaluation['id']}/sign-off", json={}, headers=actors.second_evaluator
        )
        assert twice.status_code == 409
        assert (await audit_log.verify(session)).ok


class TestAcceptanceRefusals:
    async def test_the_delivering_provider_may_not_evaluate(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        await register(session)
        await complete_project(session)
        actors = Actors(tokens)
        response = await create(client, actors.delivering_evaluator, kind="acceptance", project_id="proj-1")
        assert response.status_code == 403 and response.json()["code"] == "evaluator_delivered_project"
        assert (
            await create(client, actors.provider, kind="acceptance", project_id="proj-1")
        ).status_code == 403

    async def test_nor_sign_it_off(self, client: httpx.AsyncClient, session: AsyncSession, tokens) -> None:
        await register(session)
        await complete_project(session)
        actors = Actors(tokens)
        evaluation = await submitted(
            client,
            actors.evaluator,
            kind="acceptance",
            project_id="proj-1",
            evidence=evidence_for(),
            **answers_json(all_best()),
        )
        response = await client.post(
            f"/assessments/{evaluation['id']}/sign-off", json={}, headers=actors.delivering_evaluator
        )
        assert response.status_code == 403 and response.json()["code"] == "evaluator_delivered_project"

    async def test_evidence_required_for_every_question(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        await register(session)
        await complete_project(session)
        actors = Actors(tokens)
        draft = (
            await create(
                client,
                actors.evaluator,
                kind="acceptance",
                project_id="proj-1",
                evidence=evidence_for(every_question=False),
                **answers_json(all_best()),
            )
        ).json()
        response = await client.post(f"/assessments/{draft['id']}/submit", headers=actors.evaluator)
        assert response.status_code == 422
        assert "evidence.D1.1.1" in {e["field"] for e in response.json()["errors"]}

    async def test_unknown_or_foreign_project(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        await register(session)
        await complete_project(session, uscc=OTHER_USCC)
        actors = Actors(tokens)
        for project in ("proj-1", "nope"):
            response = await create(client, actors.evaluator, kind="acceptance", project_id=project)
            assert response.status_code == 404

    async def test_self_assessment_is_not_signed_off(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        await register(session)
        actors = Actors(tokens)
        done = await submitted(client, actors.enterprise, kind="self", **answers_json(all_none()))
        response = await client.post(
            f"/assessments/{done['id']}/sign-off", json={}, headers=actors.second_evaluator
        )
        assert response.status_code == 409 and response.json()["code"] == "not_an_acceptance"


class TestAcceptanceQueue:
    async def test_completed_projects_with_their_evaluation(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        await register(session)
        await register(session, OTHER_USCC, OTHER_COUNTY)
        await complete_project(session)
        await complete_project(session, "proj-2", uscc=OTHER_USCC)
        actors = Actors(tokens)
        draft = (await create(client, actors.evaluator, kind="acceptance", project_id="proj-1")).json()
        queue = (await client.get("/assessments/acceptance-queue", headers=actors.evaluator)).json()["items"]
        by_project = {p["project_id"]: p for p in queue}
        assert by_project["proj-1"]["acceptance_id"] == draft["id"]
        assert by_project["proj-1"]["acceptance_status"] == "draft"
        assert (
            by_project["proj-2"]["acceptance_id"] is None and by_project["proj-2"]["spent_fen"] == 12_345_600
        )
        county = (await client.get("/assessments/acceptance-queue", headers=actors.county)).json()["items"]
        assert [p["project_id"] for p in county] == ["proj-1"]
        assert (await client.get("/assessments/acceptance-queue", headers=actors.provider)).status_code == 403


class TestListing:
    async def test_keyset_pages_with_totals_and_scope(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        await register(session)
        await register(session, OTHER_USCC, OTHER_COUNTY)
        actors = Actors(tokens)
        for _ in range(3):
            await create(client, actors.enterprise, kind="self")
        await client.post(
            "/assessments", json={"uscc": OTHER_USCC, "kind": "self"}, headers=actors.other_enterprise
        )
        first = (await client.get("/assessments?limit=2", headers=actors.city)).json()
        assert first["total"] == 4 and len(first["items"]) == 2 and first["next_cursor"]
        second = (
            await client.get(f"/assessments?limit=2&cursor={first['next_cursor']}", headers=actors.city)
        ).json()
        ids = [a["id"] for a in first["items"] + second["items"]]
        assert len(set(ids)) == 4 and second["next_cursor"] is None
        county = (await client.get("/assessments", headers=actors.county)).json()
        assert county["total"] == 3 and {a["uscc"] for a in county["items"]} == {USCC}
        own = (await client.get("/assessments", headers=actors.other_enterprise)).json()
        assert own["total"] == 1
        bad = await client.get("/assessments?cursor=%%%", headers=actors.city)
        assert bad.status_code == 422

    @pytest.mark.parametrize("order", ["newest", "oldest", "level_highest", "score_highest"])
    async def test_every_order_pages_stably_while_assessments_are_started(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens, order: str
    ) -> None:
        await register(session)
        actors = Actors(tokens)
        for _ in range(4):
            await create(client, actors.enterprise, kind="self")
        whole = (await client.get(f"/assessments?limit=50&order={order}", headers=actors.city)).json()
        present = [a["id"] for a in whole["items"]]
        seen: list[str] = []
        cursor = None
        while True:
            url = f"/assessments?limit=2&order={order}" + (f"&cursor={cursor}" if cursor else "")
            page = (await client.get(url, headers=actors.city)).json()
            seen += [a["id"] for a in page["items"]]
            if (cursor := page["next_cursor"]) is None:
                break
            await create(client, actors.enterprise, kind="self")
        assert len(seen) == len(set(seen)) and set(present) <= set(seen)
        assert [i for i in seen if i in present] == present

    async def test_a_cursor_of_another_order_is_refused(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        await register(session)
        actors = Actors(tokens)
        for _ in range(3):
            await create(client, actors.enterprise, kind="self")
        first = (await client.get("/assessments?limit=2&order=oldest", headers=actors.city)).json()
        refused = await client.get(f"/assessments?cursor={first['next_cursor']}", headers=actors.city)
        assert refused.status_code == 422 and refused.json()["code"] == "invalid_cursor"

    async def test_batch_read_by_uscc_is_scoped_like_the_list(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens
    ) -> None:
        await register(session)
        await register(session, OTHER_USCC, OTHER_COUNTY)
        actors = Actors(tokens)
        for _ in range(2):
            await create(client, actors.enterprise, kind="self")
        await client.post(
            "/assessments", json={"uscc": OTHER_USCC, "kind": "self"}, headers=actors.other_enterprise
        )
        path = f"/assessments/by-enterprise?uscc={USCC}&uscc={OTHER_USCC.lower()}&uscc=91410300MA0000003Z"

        async def usccs(headers: dict[str, str]) -> list[str]:
            response = await client.get(path, headers=headers)
            assert response.status_code == 200, response.text
            return [a["uscc"] for a in response.json()["items"]]

        assert sorted(await usccs(actors.city)) == [USCC, USCC, OTHER_USCC]
        assert await usccs(actors.county) == [USCC, USCC]
        assert await usccs(actors.other_county) == [OTHER_USCC]
        assert await usccs(actors.other_enterprise) == [OTHER_USCC]
        assert await usccs(actors.provider) == []
        missing = await client.get("/assessments/by-enterprise", headers=actors.city)
        assert missing.status_code == 422


class TestConsumers:
    async def test_redelivered_events_change_nothing(self, session: AsyncSession) -> None:
        await engage(session)
        await engage(session)
        await complete_project(session)
        await complete_project(session)
        from services.assessment.assessment.repository import CopyRepository

        # Completing the project ended the provider's engagement, however often either event arrives.
        assert list(await CopyRepository(session).engaged_usccs(PROVIDER)) == []
        assert len(await CopyRepository(session).projects_awaiting(None)) == 1
