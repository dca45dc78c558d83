"""The assessment domain through the gateway against the real processes: an enterprise registered in
enrollment reaches assessment by event, assesses itself, reads its report; refusals keep their codes."""

import asyncio
import time
from typing import Any

import pytest

from ops.local import Platform
from services.assessment.scoring.engine import Answers
from services.assessment.tests.helpers import all_best, all_none
from szcore.auth import Role
from tests.test_thread_e2e import REGISTER, enterprise_input, graphql

pytestmark = pytest.mark.e2e

USCC = "91410300MA0A5M001G"
OTHER_USCC = "91410300MA0A5M002K"

PROFILE = "query($uscc: String!) { enterprise(uscc: $uscc) { assessment { currentLevel } } }"
CREATE = """
mutation($input: CreateAssessmentInput!) {
  createAssessment(input: $input) { assessment { id status kind } errors { field code message } }
}"""
SUBMIT = """
mutation($id: ID!) {
  submitAssessment(id: $id) {
    assessment { id status level baseScore indexCode
      result { explanation dimensions { code score max } levelChecks { level met checks { kind shortfall } } }
      gap(targetLevel: 3) { reachable targetLevel improvements { kind code effort } } }
    errors { field code message }
  }
}"""
PREVIEW = """
query($content: AssessmentContentInput!) {
  indexVersions { code name }
  scorePreview(content: $content) { result { level baseScore } errors { code } }
}"""
REPORT = """
query($uscc: String!) {
  enterpriseReport(uscc: $uscc) {
    uscc selfAssessment { level baseScore dimensions { code percent } }
    scenarios { code mandatory before after }
    pdfBase64
  }
  programmeLevels(groupBy: COUNTY) { total { enterprises above_scale: aboveScale } }
}"""


def content(answers: Answers) -> dict[str, Any]:
    return {
        "answers": [{"questionCode": q, "options": list(o)} for q, o in answers.options.items()],
        "scenarioLevels": [{"scenarioCode": s, "level": lvl} for s, lvl in answers.scenario_levels.items()],
    }


async def registered(platform: Platform, tokens, uscc: str) -> None:  # type: ignore[no-untyped-def]
    await graphql(platform, REGISTER, {"input": enterprise_input(uscc=uscc)}, tokens(Role.city_admin))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        result = await graphql(platform, PROFILE, {"uscc": uscc}, tokens(Role.city_admin))
        if (result.get("data") or {}).get("enterprise", {}) and result["data"]["enterprise"]["assessment"]:
            return
        await asyncio.sleep(0.2)
    raise AssertionError("the assessment service never learned of the enterprise")


class TestAssessmentThroughTheGateway:
    async def test_self_assessment_report_and_numbers(self, platform: Platform, tokens) -> None:
        await registered(platform, tokens, USCC)
        enterprise = tokens(Role.enterprise, uscc=USCC)
        preview = await graphql(platform, PREVIEW, {"content": content(all_best())}, enterprise)
        assert "miit-2024-manufacturing" in [v["code"] for v in preview["data"]["indexVersions"]]
        assert preview["data"]["scorePreview"]["result"] == {"level": 4, "baseScore": "100"}

        options = {**all_none().options, "D1.3.1": ["E"], "D3.1.1": ["C"], "D3.2.1": ["C"], "D1.1.2": ["E"]}
        options |= {"D1.1.3": ["E"], "D2.1.1": ["F"], "D2.2.2": ["E"], "D3.3.1": ["C"]}
        answers = Answers(options, {"S01": 2, "S03": 2, "S06": 2, "S02": 2, "S04": 2, "S05": 2})
        created = await graphql(
            platform,
            CREATE,
            {"input": {"uscc": USCC, "kind": "SELF", "content": content(answers)}},
            enterprise,
        )
        draft = created["data"]["createAssessment"]
        assert draft["errors"] == [] and draft["assessment"]["status"] == "DRAFT"
        submitted = (await graphql(platform, SUBMIT, {"id": draft["assessment"]["id"]}, enterprise))["data"]
        assessment = submitted["submitAssessment"]["assessment"]
        assert (assessment["status"], assessment["level"], assessment["baseScore"]) == ("SUBMITTED", 2, "54")
        assert "level 2 met" in assessment["result"]["explanation"]
        assert assessment["gap"]["reachable"] and assessment["gap"]["improvements"]

        report = await graphql(platform, REPORT, {"uscc": USCC}, tokens(Role.city_admin))
        data = report["data"]
        assert data["enterpriseReport"]["selfAssessment"]["level"] == 2
        assert data["enterpriseReport"]["pdfBase64"].startswith("JVBERi")  # %PDF
        assert data["programmeLevels"]["total"]["enterprises"] >= 1

    async def test_refusals_keep_their_codes(self, platform: Platform, tokens) -> None:
        await registered(platform, tokens, OTHER_USCC)
        enterprise = tokens(Role.enterprise, uscc=OTHER_USCC)
        bad = content(Answers({"D1.1.1": ["A", "B"]}, {"S01": 9}))
        created = await graphql(
            platform, CREATE, {"input": {"uscc": OTHER_USCC, "kind": "SELF", "content": bad}}, enterprise
        )
        payload = created["data"]["createAssessment"]
        assert payload["assessment"] is None
        assert {(e["field"], e["code"]) for e in payload["errors"]} == {
            ("answers.D1.1.1", "EXCLUSIVE_OPTION"),
            ("scenario_levels.S01", "SCENARIO_LEVEL_OUT_OF_RANGE"),
        }
        stranger = tokens(Role.enterprise, uscc=USCC)
        refused = await graphql(platform, CREATE, {"input": {"uscc": OTHER_USCC, "kind": "SELF"}}, stranger)
        assert refused["errors"][0]["extensions"]["code"] == "NOT_THE_ENTERPRISE"
        diagnosis = await graphql(
            platform,
            CREATE,
            {"input": {"uscc": OTHER_USCC, "kind": "DIAGNOSIS", "engagementId": "none"}},
            tokens(Role.provider, provider_id="p-x"),
        )
        assert diagnosis["errors"][0]["extensions"]["code"] == "NOT_ENGAGED_FOR_DIAGNOSIS"
