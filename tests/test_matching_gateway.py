"""The matching GraphQL over the real matching app in-process: every screen's query and mutation maps
the service's answers and refusals (the gateway forwards the token; the service authorises)."""

from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from gateway.app import create_app as create_gateway
from services.matching.app import create_app as create_matching
from services.matching.tests.helpers import ENTERPRISE, INDUSTRY, SCORES, SOLUTION_SCORES, World
from szcore.auth import Role, issue_token
from tests.support.fixtures import asgi_client, rolled_back_session

COUNTY = "340104"


@pytest.fixture
async def session(migrated_engines: Callable) -> AsyncIterator[AsyncSession]:  # type: ignore[type-arg]
    engine = await migrated_engines("matching")
    async for session in rolled_back_session(engine):
        yield session


@pytest.fixture
async def gateway(session: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    app = create_gateway()
    async with asgi_client(create_matching(), session) as matching:
        # The gateway's pooled client for matching talks to the in-process app instead of a socket.
        app.state.clients.by_name["matching"].http = matching
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gateway.test"
        ) as client:
            yield client


class Caller:
    def __init__(self, client: httpx.AsyncClient, tokens: Any) -> None:
        self.client = client
        self.tokens = tokens

    async def __call__(self, query: str, role: Role, **scope: str) -> dict[str, Any]:
        variables = scope.pop("variables", None)  # type: ignore[arg-type]
        token = issue_token(self.tokens.settings, role, **scope)
        response = await self.client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200, response.text
        return response.json()  # type: ignore[no-any-return]


@pytest.fixture
def gql(gateway: httpx.AsyncClient, tokens: Any) -> Caller:
    return Caller(gateway, tokens)


APPLY = """
mutation($input: ApplyProviderInput!) {
  applyProvider(input: $input) {
    provider { providerId status kind confidentialitySigned } errors { field code } }
}"""
REVIEW = """
mutation($input: ReviewProviderInput!) {
  reviewProvider(input: $input) { review { totalCenti scores { code score } } errors { code } }
}"""
DECIDE = """
mutation($input: DecideProviderInput!) {
  decideProvider(input: $input) { provider { status } errors { code } } }"""
LIST = """mutation($id: String!) {
  listProvider(providerId: $id) { provider { status listedAt } errors { code } } }"""
SIGN = """mutation($id: String!) {
  signConfidentiality(providerId: $id) { provider { confidentialitySigned } } }"""
SUBMIT = """
mutation($input: SubmitSolutionInput!) {
  submitSolution(input: $input) { solution { solutionId status listPriceFen } errors { field code } }
}"""
DECIDE_SOLUTION = """
mutation($input: DecideSolutionInput!) {
  decideSolution(input: $input) { solution { status } errors { code } } }"""
ADD_NEED = """
mutation($input: AddNeedInput!) { addNeed(input: $input) { need { scenarioCode source } errors { code } } }"""
MATCHES = """
query($uscc: String!) {
  matches(uscc: $uscc, budgetFen: 10000000000) {
    neededScenarios weightsVersion
    solutions { rank solutionName providerName score atCapacity factors { code value weight explanation } }
    providers { providerId score }
  }
}"""
ENGAGE = """
mutation($input: CreateEngagementInput!) {
  createEngagement(input: $input) { engagement { engagementId status kind } errors { field code message } }
}"""
PLAN = """
mutation($input: SubmitPlanInput!) {
  submitPlan(input: $input) { plan { status totalFen } errors { code } } }"""
DECIDE_PLAN = """
mutation($input: DecidePlanInput!) { decidePlan(input: $input) { plan { status } errors { code } } }"""
CONTRACT = """
mutation($input: SignContractInput!) {
  signContract(input: $input) {
    project { projectId amountFen lines { category amountFen } status } errors { code } }
}"""
REPORT = """
mutation($input: ReportMilestoneInput!) {
  reportMilestone(input: $input) { milestone { milestoneId } errors { code } } }"""
CONFIRM = """
mutation($p: String!, $m: String!) {
  confirmMilestone(projectId: $p, milestoneId: $m) { milestone { confirmedAt } } }"""
COMPLETE = """
mutation($p: String!) { completeProject(projectId: $p) { project { status completedAt } errors { code } } }"""
ENGAGEMENT = """
query($id: String!) {
  engagement(engagementId: $id) {
    status plan { targetLevel budget { category amountFen } } project { progressPercent milestones { title } }
  }
}"""


class TestMatchingThroughTheGateway:
    async def test_pool_catalogue_matching_and_project(
        self, gql: Caller, session: AsyncSession, tokens: Any
    ) -> None:
        world = World(None, session, tokens)  # type: ignore[arg-type]
        await world.enterprise_registered()
        provider = {"role": Role.provider, "provider_id": "p1"}
        apply_input = {
            "uscc": "91340100MA2P999971",
            "name": "合肥数智",
            "kind": "SPECIALIST",
            "industries": [INDUSTRY],
            "counties": [COUNTY],
            "staffOnSite": 8,
        }
        applied = await gql(APPLY, **provider, variables={"input": apply_input})
        assert applied["data"]["applyProvider"]["provider"]["status"] == "APPLIED"
        again = await gql(APPLY, **provider, variables={"input": apply_input})
        assert again["data"]["applyProvider"]["errors"][0]["code"] == "PROVIDER_EXISTS"

        scores = [{"code": k, "score": v} for k, v in SCORES.items()]
        reviewed = await gql(REVIEW, Role.expert, variables={"input": {"providerId": "p1", "scores": scores}})
        assert reviewed["data"]["reviewProvider"]["review"]["totalCenti"] == 7350
        decided = await gql(
            DECIDE,
            Role.city_admin,
            variables={"input": {"providerId": "p1", "decision": "APPROVE", "noticeDays": 0}},
        )
        assert decided["data"]["decideProvider"]["provider"]["status"] == "IN_NOTICE"
        listed = await gql(LIST, Role.city_admin, variables={"id": "p1"})
        assert listed["data"]["listProvider"]["provider"]["status"] == "LISTED"
        # A provider cannot list itself: an authorisation failure is an error with a code, not a payload.
        refused = await gql(LIST, **provider, variables={"id": "p1"})
        assert refused["errors"][0]["extensions"]["code"] == "ROLE_NOT_ALLOWED"

        solution_input = {
            "name": "轻量MES",
            "scenarioCodes": ["S05"],
            "industries": [INDUSTRY],
            "deployment": "SAAS",
            "priceModel": "SUBSCRIPTION_YEARLY",
            "listPriceFen": 3_000_000_000,
            "implementationDays": 30,
        }
        submitted = await gql(SUBMIT, **provider, variables={"input": solution_input})
        solution = submitted["data"]["submitSolution"]["solution"]
        assert solution["listPriceFen"] == 3_000_000_000  # beyond 32 bits: the Fen scalar
        bad = await gql(SUBMIT, **provider, variables={"input": solution_input | {"scenarioCodes": ["S99"]}})
        assert bad["data"]["submitSolution"]["errors"][0]["code"] == "UNKNOWN_SCENARIO"
        sid = solution["solutionId"]
        solution_scores = [{"code": k, "score": v} for k, v in SOLUTION_SCORES.items()]
        reviewed = await gql(
            """mutation($input: ReviewSolutionInput!) {
              reviewSolution(input: $input) { review { totalCenti } errors { code } } }""",
            Role.expert,
            variables={"input": {"solutionId": sid, "scores": solution_scores}},
        )
        assert reviewed["data"]["reviewSolution"]["review"]["totalCenti"] == 7200
        noticed = await gql(
            DECIDE_SOLUTION,
            Role.city_admin,
            variables={"input": {"solutionId": sid, "decision": "APPROVE", "noticeDays": 0}},
        )
        assert noticed["data"]["decideSolution"]["solution"]["status"] == "IN_NOTICE"
        on_sale = await gql(
            """mutation($id: String!) {
              listSolution(solutionId: $id) { solution { status } errors { code } } }""",
            Role.city_admin,
            variables={"id": sid},
        )
        assert on_sale["data"]["listSolution"]["solution"]["status"] == "LISTED"

        enterprise = {"role": Role.enterprise, "uscc": ENTERPRISE}
        need = await gql(
            ADD_NEED,
            **enterprise,
            variables={"input": {"uscc": ENTERPRISE, "scenarioCode": "S05", "title": "生产管控"}},
        )
        assert need["data"]["addNeed"]["need"] == {"scenarioCode": "S05", "source": "ENTERPRISE"}
        matches = (await gql(MATCHES, **enterprise, variables={"uscc": ENTERPRISE}))["data"]["matches"]
        assert matches["neededScenarios"] == ["S05"]
        [ranked] = matches["solutions"]
        assert ranked["providerName"] == "合肥数智" and len(ranked["factors"]) == 7

        unsigned = await gql(
            ENGAGE,
            **enterprise,
            variables={"input": {"uscc": ENTERPRISE, "providerId": "p1", "kind": "TRANSFORMATION"}},
        )
        assert unsigned["data"]["createEngagement"]["errors"][0]["code"] == "CONFIDENTIALITY_UNSIGNED"
        await gql(SIGN, **provider, variables={"id": "p1"})
        engaged = await gql(
            ENGAGE,
            **enterprise,
            variables={
                "input": {
                    "uscc": ENTERPRISE,
                    "providerId": "p1",
                    "kind": "TRANSFORMATION",
                    "solutionIds": [solution["solutionId"]],
                }
            },
        )
        eid = engaged["data"]["createEngagement"]["engagement"]["engagementId"]
        budget = [
            {"category": "SOFTWARE", "amountFen": 20_000_000},
            {"category": "DATA_COLLECTION_HARDWARE", "amountFen": 5_000_000, "description": "网关"},
        ]
        plan = await gql(
            PLAN,
            **provider,
            variables={
                "input": {
                    "engagementId": eid,
                    "goals": "二级",
                    "scenarioCodes": ["S05"],
                    "targetLevel": 2,
                    "budget": budget,
                }
            },
        )
        assert plan["data"]["submitPlan"]["plan"] == {"status": "SUBMITTED", "totalFen": 25_000_000}
        await gql(
            DECIDE_PLAN, **enterprise, variables={"input": {"engagementId": eid, "decision": "APPROVE"}}
        )
        contract = await gql(
            CONTRACT,
            **enterprise,
            variables={
                "input": {
                    "engagementId": eid,
                    "contractId": "HT-1",
                    "amountFen": 25_000_000,
                    "signedOn": "2026-11-01T00:00:00+00:00",
                    "startsOn": "2026-11-02T00:00:00+00:00",
                    "endsOn": "2027-02-01T00:00:00+00:00",
                    "attachments": [{"name": "合同.pdf", "url": "https://files.example/1.pdf"}],
                }
            },
        )
        project = contract["data"]["signContract"]["project"]
        assert project["lines"][1] == {"category": "DATA_COLLECTION_HARDWARE", "amountFen": 5_000_000}
        report = await gql(
            REPORT,
            **provider,
            variables={"input": {"projectId": project["projectId"], "title": "上线", "progressPercent": 100}},
        )
        mid = report["data"]["reportMilestone"]["milestone"]["milestoneId"]
        await gql(CONFIRM, **enterprise, variables={"p": project["projectId"], "m": mid})
        done = await gql(COMPLETE, **enterprise, variables={"p": project["projectId"]})
        assert done["data"]["completeProject"]["project"]["status"] == "COMPLETED"
        facts = await gql(
            """query($p: String!) { providerRatingFacts(providerId: "p1", period: $p) {
              projectsCompleted suggestedScores { code score } } }""",
            Role.city_admin,
            variables={"p": done["data"]["completeProject"]["project"]["completedAt"][:7]},
        )
        assert facts["data"]["providerRatingFacts"]["projectsCompleted"] == 1
        view = (await gql(ENGAGEMENT, Role.county_admin, county=COUNTY, variables={"id": eid}))["data"][
            "engagement"
        ]
        assert view["status"] == "COMPLETED" and view["plan"]["targetLevel"] == 2
        assert view["project"]["milestones"] == [{"title": "上线"}]
        hidden = await gql(ENGAGEMENT, Role.county_admin, county="999999", variables={"id": eid})
        assert hidden["errors"][0]["extensions"]["code"] == "ENGAGEMENT_NOT_FOUND"

    async def test_reference_data_and_rules(self, gql: Caller) -> None:
        data = await gql(
            "{ scenarioGroups { code name scenarios { code mandatory } }"
            " matchingRule(kind: QUOTAS) { version document } }",
            Role.enterprise,
            uscc=ENTERPRISE,
        )
        groups = data["data"]["scenarioGroups"]
        assert len(groups) == 4 and sum(len(g["scenarios"]) for g in groups) == 16
        assert data["data"]["matchingRule"] == {
            "version": 0,
            "document": {"per_industry": {"integrated": 3, "specialist": 10}},
        }
        published = await gql(
            """mutation($input: PublishRuleInput!) {
              publishMatchingRule(input: $input) { rule { version } errors { code } } }""",
            Role.city_admin,
            variables={"input": {"kind": "QUOTAS", "document": {"per_industry": {"specialist": -1}}}},
        )
        assert published["data"]["publishMatchingRule"]["errors"][0]["code"] == "INVALID"

    async def test_activities(self, gql: Caller) -> None:
        created = await gql(
            """mutation($input: CreateActivityInput!) {
              createActivity(input: $input) { activity { activityId status } errors { code } } }""",
            Role.county_admin,
            county=COUNTY,
            variables={
                "input": {
                    "kind": "TRAINING",
                    "title": "评测诊断咨询师培训",
                    "countyCode": COUNTY,
                    "startsAt": "2026-10-10T01:00:00+00:00",
                    "capacity": 30,
                }
            },
        )
        aid = created["data"]["createActivity"]["activity"]["activityId"]
        signed = await gql(
            """mutation($input: RegisterForActivityInput!) {
              registerForActivity(input: $input) { registrations { id } errors { code } } }""",
            Role.county_admin,
            county=COUNTY,
            variables={
                "input": {"activityId": aid, "personName": "张三", "traineeRole": "diagnosis_consultant"}
            },
        )
        rid = signed["data"]["registerForActivity"]["registrations"][0]["id"]
        attended = await gql(
            """mutation($a: String!, $r: [Int!]!) {
              recordAttendance(activityId: $a, registrationIds: $r) { registrations { attended } } }""",
            Role.county_admin,
            county=COUNTY,
            variables={"a": aid, "r": [rid]},
        )
        assert attended["data"]["recordAttendance"]["registrations"] == [{"attended": True}]
        await gql(
            """mutation($a: String!) {
              recordActivityOutcome(activityId: $a, contactsMade: 0) { errors { code } } }""",
            Role.county_admin,
            county=COUNTY,
            variables={"a": aid},
        )
        stats = await gql("{ activityStats { kind held trainedByRole { role count } } }", Role.city_admin)
        training = next(k for k in stats["data"]["activityStats"] if k["kind"] == "TRAINING")
        assert training == {
            "kind": "TRAINING",
            "held": 1,
            "trainedByRole": [{"role": "diagnosis_consultant", "count": 1}],
        }
