"""The assessment GraphQL over the real assessment app in-process: diagnosis → acceptance → revisit,
reports, programme numbers and index versions; refusals keep their codes."""

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.app import create_app as create_gateway
from services.assessment.app import create_app as create_assessment
from services.assessment.scoring.engine import Answers
from services.assessment.tests.helpers import (
    PROVIDER,
    USCC,
    all_none,
    complete_project,
    engage,
    evidence_for,
    fixture_json,
    register,
)
from services.assessment.tests.test_workflow import level_two
from szcore.auth import Role, issue_token


@pytest.fixture
async def session(migrated_engines: Callable) -> AsyncIterator[AsyncSession]:  # type: ignore[type-arg]
    from tests.support.fixtures import rolled_back_session

    engine = await migrated_engines("assessment")
    async for session in rolled_back_session(engine):
        yield session


@pytest.fixture
async def gateway(session: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    from tests.support.fixtures import asgi_client

    app = create_gateway()
    async with asgi_client(create_assessment(), session) as assessment:
        app.state.clients.by_name["assessment"].http = assessment
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway.test"
        ) as client:
            yield client


class Caller:
    def __init__(self, client: httpx.AsyncClient, tokens: Any) -> None:
        self.client = client
        self.tokens = tokens

    async def __call__(
        self, query: str, role: Role, variables: dict[str, Any] | None = None, **scope: str
    ) -> Any:
        token = issue_token(self.tokens.settings, role, **scope)
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture
def gql(gateway: httpx.AsyncClient, tokens: Any) -> Caller:
    return Caller(gateway, tokens)


def content(answers: Answers, **extra: Any) -> dict[str, Any]:
    evidence = [{"code": code, **value} for code, value in evidence_for().items()]
    return {
        "answers": [{"questionCode": q, "options": list(o)} for q, o in answers.options.items()],
        "scenarioLevels": [{"scenarioCode": s, "level": lvl} for s, lvl in answers.scenario_levels.items()],
        "evidence": evidence,
        **extra,
    }


ASSESSMENT = (
    "assessment { id status kind level baseScore assessorId secondEvaluatorId } errors { field code message }"
)
CREATE = f"mutation($i: CreateAssessmentInput!) {{ createAssessment(input: $i) {{ {ASSESSMENT} }} }}"
UPDATE = (
    f"mutation($id: ID!, $c: AssessmentContentInput!) "
    f"{{ updateAssessment(id: $id, content: $c) {{ {ASSESSMENT} }} }}"
)
SUBMIT = f"mutation($id: ID!) {{ submitAssessment(id: $id) {{ {ASSESSMENT} }} }}"
SIGN_OFF = f'mutation($id: ID!) {{ signOffAssessment(id: $id, comment: "ok") {{ {ASSESSMENT} }} }}'


class TestWorkflowThroughGraphQL:
    async def test_diagnosis_acceptance_revisit_and_reports(self, gql: Caller, session: AsyncSession) -> None:
        await register(session)
        await engage(session)
        provider = {"provider_id": PROVIDER}
        created = await gql(
            CREATE,
            Role.provider,
            {"i": {"uscc": USCC, "kind": "DIAGNOSIS", "engagementId": "eng-1"}},
            **provider,
        )
        draft = created["data"]["createAssessment"]["assessment"]
        assert draft["status"] == "DRAFT"
        updated = await gql(
            UPDATE,
            Role.provider,
            {"id": draft["id"], "c": content(all_none(), painPoints=["数据孤岛"])},
            **provider,
        )
        assert updated.get("data") and updated["data"]["updateAssessment"]["errors"] == [], updated
        diagnosis = (await gql(SUBMIT, Role.provider, {"id": draft["id"]}, **provider))["data"][
            "submitAssessment"
        ]
        assert diagnosis["assessment"]["level"] == 0
        # The project completes after the diagnosis, and with it the provider's access ends.
        await complete_project(session)

        queue = await gql("{ acceptanceQueue { projectId providerId acceptanceId } }", Role.evaluator)
        assert queue["data"]["acceptanceQueue"] == [
            {"projectId": "proj-1", "providerId": PROVIDER, "acceptanceId": None}
        ]
        evaluator = {"subject": "eval-a", "provider_id": "lab-1"}
        created = await gql(
            CREATE,
            Role.evaluator,
            {
                "i": {
                    "uscc": USCC,
                    "kind": "ACCEPTANCE",
                    "projectId": "proj-1",
                    "content": content(level_two()),
                }
            },
            **evaluator,
        )
        evaluation_id = created["data"]["createAssessment"]["assessment"]["id"]
        await gql(SUBMIT, Role.evaluator, {"id": evaluation_id}, **evaluator)
        same = await gql(SIGN_OFF, Role.evaluator, {"id": evaluation_id}, **evaluator)
        assert same["errors"][0]["extensions"]["code"] == "SAME_EVALUATOR"
        signed = await gql(SIGN_OFF, Role.evaluator, {"id": evaluation_id}, subject="eval-b")
        accepted = signed["data"]["signOffAssessment"]["assessment"]
        assert (accepted["status"], accepted["level"], accepted["secondEvaluatorId"]) == (
            "SIGNED_OFF",
            2,
            "eval-b",
        )

        detail = await gql(
            """query($id: ID!) { assessment(id: $id) {
                 result { levelChecks { level met text } dimensions { code score max } }
                 gap(targetLevel: 3) {
                   reachable effort improvements { kind code } alternatives { effort } } } }""",
            Role.enterprise,
            {"id": evaluation_id},
            uscc=USCC,
        )
        gap = detail["data"]["assessment"]["gap"]
        assert gap["reachable"] and all(a["effort"] >= gap["effort"] for a in gap["alternatives"])
        page = await gql(
            "{ assessments(first: 1) { total nextCursor items { kind } } }",
            Role.county_admin,
            county="410322",
        )
        assert page["data"]["assessments"]["total"] == 2 and page["data"]["assessments"]["nextCursor"]

        report = await gql(
            """query($u: String!) { enterpriseReport(uscc: $u) {
                 currentLevel diagnosis { level } acceptance { level dimensions { code percent } }
                 scenarios { code before after } }
               programmeLevels(groupBy: COUNTY) {
                 total { aboveScaleSharePercent after { level enterprises } } } }""",
            Role.city_admin,
            {"u": USCC},
        )
        # A separate request: the in-process apps share one test transaction, in which two concurrent
        # confidential reads would append to the read chain at once (each request has its own in production).
        below = await gql(
            "{ enterprisesBelowTarget(targetLevel: 3) { uscc levelBefore levelAfter } }", Role.city_admin
        )
        data = {**report["data"], **below["data"]}
        assert (
            data["enterpriseReport"]["currentLevel"] == 2
            and data["enterpriseReport"]["diagnosis"]["level"] == 0
        )
        assert data["programmeLevels"]["total"]["aboveScaleSharePercent"] == "100.0"
        assert data["enterprisesBelowTarget"] == [{"uscc": USCC, "levelBefore": 0, "levelAfter": 2}]

        drawn = await gql(
            """mutation { drawRevisits(input: {label: "回头看", sampleSize: 1, seed: "s"}) {
                 draw { id drawn reproducible revisits { id } } errors { code } } }""",
            Role.city_admin,
        )
        draw = drawn["data"]["drawRevisits"]["draw"]
        assert draw["drawn"] == [USCC] and draw["reproducible"]
        finding = await gql(
            """mutation($id: ID!) {
               recordRevisitFinding(id: $id, finding: DATA_FALSIFIED, detail: "台账不符") {
                 revisit { revoked finding } errors { code } } }""",
            Role.evaluator,
            {"id": draw["revisits"][0]["id"]},
        )
        assert finding["data"]["recordRevisitFinding"]["revisit"] == {
            "revoked": True,
            "finding": "data_falsified",
        }


LOAD = (
    "mutation($d: JSON!) { loadIndexVersion(document: $d) { indexVersion { code } errors { code field } } }"
)


class TestIndexThroughGraphQL:
    async def test_load_list_and_retire(self, gql: Caller) -> None:
        document = fixture_json("demo-2026-provincial.json")
        loaded = await gql(
            LOAD,
            Role.city_admin,
            {"d": document},
        )
        assert loaded["data"]["loadIndexVersion"]["indexVersion"]["code"] == "demo-2026-provincial"
        document["dimensions"][0]["points"] = 1
        invalid = await gql(
            LOAD,
            Role.city_admin,
            {"d": {**document, "code": "demo-broken"}},
        )
        assert invalid["data"]["loadIndexVersion"]["errors"][0]["code"] == "INVALID_INDEX"
        versions = await gql("{ indexVersions { code status } }", Role.expert)
        assert {v["code"] for v in versions["data"]["indexVersions"]} == {
            "demo-2026-provincial",
            "miit-2024-manufacturing",
        }
        one = await gql('{ indexVersion(code: "demo-2026-provincial") { document } }', Role.expert)
        assert one["data"]["indexVersion"]["document"]["level_rule"]["source_note"] == "made up for tests"
        retired = await gql(
            'mutation { retireIndexVersion(code: "demo-2026-provincial") {'
            " indexVersion { status } errors { code } } }",
            Role.city_admin,
        )
        assert retired["data"]["retireIndexVersion"]["indexVersion"]["status"] == "retired"
        refused = await gql(
            'mutation { retireIndexVersion(code: "miit-2024-manufacturing") { errors { code } } }',
            Role.expert,
        )
        assert refused["errors"][0]["extensions"]["code"] == "ROLE_NOT_ALLOWED"

    async def test_score_preview(self, gql: Caller) -> None:
        options = {**all_none().options, "D1.1.1": ["A", "B"]}
        preview = await gql(
            """query($c: AssessmentContentInput!) { scorePreview(content: $c) {
                 result { level } errors { field code } } }""",
            Role.enterprise,
            {"c": content(Answers(options, {}))},
            uscc=USCC,
        )
        assert preview["data"]["scorePreview"]["errors"] == [
            {"field": "answers.D1.1.1", "code": "EXCLUSIVE_OPTION"}
        ]
