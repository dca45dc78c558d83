from typing import Any

import pytest
from shuzhuan.events.v1.assessment_pb2 import AcceptanceEvaluated
from shuzhuan.events.v1.matching_pb2 import (
    SPENDING_CATEGORY_SOFTWARE,
    ContractSigned,
    EngagementCancelled,
    EngagementClosed,
    MilestoneReported,
    PlanApproved,
    ProjectCompleted,
)

from services.matching.db import audit_log
from services.matching.project.service import apply_acceptance
from services.matching.tests.helpers import (
    COUNTY,
    ENTERPRISE,
    OTHER_COUNTY,
    OTHER_ENTERPRISE,
    RATING,
    World,
    event,
)

PLAN = {
    "goals": "生产管控、质量管理达到二级",
    "scenario_codes": ["S05", "S06"],
    "target_level": 2,
    "budget": [
        {"category": "software", "amount_fen": 30_000_000, "description": "MES"},
        {"category": "data_collection_hardware", "amount_fen": 8_000_000, "description": "网关"},
        {"category": "implementation_service", "amount_fen": 12_000_000},
    ],
}
CONTRACT = {
    "contract_id": "HT-2026-001",
    "amount_fen": 50_000_000,
    "signed_on": "2026-11-01T00:00:00Z",
    "starts_on": "2026-11-02T00:00:00Z",
    "ends_on": "2027-03-31T00:00:00Z",
    "attachments": [{"name": "合同.pdf", "url": "https://files.example/ht.pdf"}],
}


async def engage(world: World, provider_id: str = "p1", **overrides: Any) -> Any:
    body = {"uscc": ENTERPRISE, "provider_id": provider_id, "kind": "transformation"} | overrides
    return await world.client.post("/engagements", json=body, headers=world.enterprise())


@pytest.fixture
async def engaged(world: World) -> dict[str, Any]:
    await world.enterprise_registered()
    await world.listed_provider("p1")
    solution = await world.listed_solution("p1")
    engagement = await world.ok(await engage(world, solution_ids=[solution["solution_id"]]), 201)
    return {"engagement": engagement, "solution_id": solution["solution_id"]}


async def contracted(world: World, engagement_id: str) -> dict[str, Any]:
    await world.ok(
        await world.client.post(f"/engagements/{engagement_id}/plan", json=PLAN, headers=world.provider("p1"))
    )
    await world.ok(
        await world.client.post(
            f"/engagements/{engagement_id}/plan/decision",
            json={"decision": "approve"},
            headers=world.enterprise(),
        )
    )
    return await world.ok(  # type: ignore[no-any-return]
        await world.client.post(
            f"/engagements/{engagement_id}/contract", json=CONTRACT, headers=world.enterprise()
        ),
        201,
    )


class TestLifecycle:
    async def test_engagement_to_completion_with_events(self, world: World, engaged: dict[str, Any]) -> None:
        eid = engaged["engagement"]["engagement_id"]
        profile = await world.ok(
            await world.client.get(f"/enterprises/{ENTERPRISE}", headers=world.enterprise())
        )
        assert profile["open_engagements"] == 1
        project = await contracted(world, eid)
        pid = project["project_id"]
        assert project["lines"][0]["category"] == "software" and project["status"] == "active"
        milestone = await world.ok(
            await world.client.post(
                f"/projects/{pid}/milestones",
                json={"title": "上线", "progress_percent": 100, "report": "MES 已上线"},
                headers=world.provider("p1"),
            ),
            201,
        )
        early = await world.client.post(f"/projects/{pid}/complete", headers=world.enterprise())
        assert early.status_code == 409 and early.json()["code"] == "progress_incomplete"
        await world.ok(
            await world.client.post(
                f"/projects/{pid}/milestones/{milestone['milestone_id']}/confirm", headers=world.enterprise()
            )
        )
        done = await world.ok(
            await world.client.post(f"/projects/{pid}/complete", headers=world.enterprise())
        )
        assert done["status"] == "completed" and done["milestones"][0]["confirmed_at"]
        engagement = await world.ok(await world.client.get(f"/engagements/{eid}", headers=world.enterprise()))
        assert engagement["status"] == "completed" and engagement["plan"]["total_fen"] == 50_000_000
        profile = await world.ok(
            await world.client.get(f"/enterprises/{ENTERPRISE}", headers=world.enterprise())
        )
        assert profile["open_engagements"] == 0

        [plan] = [PlanApproved.FromString(e.payload) for e in await world.events("PlanApproved")]
        assert plan.target_level == 2 and plan.budget[0].category == SPENDING_CATEGORY_SOFTWARE
        [contract] = [ContractSigned.FromString(e.payload) for e in await world.events("ContractSigned")]
        assert (
            contract.amount_fen == 50_000_000
            and sum(line.amount_fen for line in contract.lines) == 50_000_000
        )
        reports = [MilestoneReported.FromString(e.payload) for e in await world.events("MilestoneReported")]
        assert [r.confirmed_by_enterprise for r in reports] == [False, True]
        [completed] = [ProjectCompleted.FromString(e.payload) for e in await world.events("ProjectCompleted")]
        assert completed.project_id == pid and completed.spent_fen == 50_000_000
        assert len(await world.events("EngagementCreated")) == 1
        assert (await audit_log.verify(world.session)).ok

        # The product can now be rated, once, by the enterprise that used it.
        sid = engaged["solution_id"]
        rating = {"engagement_id": eid, "score": 4}
        await world.ok(
            await world.client.post(f"/solutions/{sid}/ratings", json=rating, headers=world.enterprise()), 201
        )
        again = await world.client.post(f"/solutions/{sid}/ratings", json=rating, headers=world.enterprise())
        assert again.status_code == 409
        solution = await world.ok(await world.client.get(f"/solutions/{sid}", headers=world.enterprise()))
        assert solution["uses"] == 1 and solution["rating_avg_centi"] == 400

        # The facts behind the provider's rating for the month the project completed in.
        month = done["completed_at"][:7]
        facts = await world.ok(
            await world.client.get(
                "/providers/p1/rating-facts", params={"period": month}, headers=world.provider("p1")
            )
        )
        assert (facts["projects_completed"], facts["on_time"], facts["satisfaction_avg_centi"]) == (1, 1, 400)
        assert facts["suggested_scores"] == {"projects": 20, "on_time": 100, "satisfaction": 80}
        other = await world.client.get(
            "/providers/p1/rating-facts", params={"period": month}, headers=world.provider("p2")
        )
        assert other.status_code == 404

    async def test_diagnosis_engagement_closes_without_a_plan(self, world: World) -> None:
        await world.enterprise_registered()
        await world.listed_provider("p1")
        eid = (await world.ok(await engage(world, kind="diagnosis"), 201))["engagement_id"]
        refused = await world.client.post(f"/engagements/{eid}/plan", json=PLAN, headers=world.provider("p1"))
        assert refused.status_code == 409 and refused.json()["code"] == "not_a_transformation"
        closed = await world.ok(
            await world.client.post(f"/engagements/{eid}/complete", headers=world.enterprise())
        )
        assert closed["status"] == "completed"
        [event] = [EngagementClosed.FromString(e.payload) for e in await world.events("EngagementClosed")]
        assert (event.engagement_id, event.provider_id, event.kind, event.outcome) == (
            eid,
            "p1",
            "diagnosis",
            "completed",
        )

    async def test_returned_plan_is_resubmitted(self, world: World, engaged: dict[str, Any]) -> None:
        eid = engaged["engagement"]["engagement_id"]
        await world.ok(
            await world.client.post(f"/engagements/{eid}/plan", json=PLAN, headers=world.provider("p1"))
        )
        url = f"/engagements/{eid}/plan/decision"
        no_reason = await world.client.post(url, json={"decision": "return"}, headers=world.enterprise())
        assert no_reason.status_code == 422
        returned = await world.ok(
            await world.client.post(
                url, json={"decision": "return", "reason": "预算过高"}, headers=world.enterprise()
            )
        )
        assert returned["status"] == "returned"
        contract = await world.client.post(
            f"/engagements/{eid}/contract", json=CONTRACT, headers=world.enterprise()
        )
        assert contract.status_code == 409 and contract.json()["code"] == "plan_not_approved"
        again = await world.ok(
            await world.client.post(f"/engagements/{eid}/plan", json=PLAN, headers=world.provider("p1"))
        )
        assert again["status"] == "submitted"


class TestEngagementRefusals:
    async def test_unsigned_confidentiality(self, world: World) -> None:
        await world.enterprise_registered()
        await world.listed_provider("p1", sign=False)
        response = await engage(world)
        assert response.status_code == 409 and response.json()["code"] == "confidentiality_unsigned"
        assert await world.events("EngagementCreated") == []

    async def test_provider_not_on_the_roster(self, world: World) -> None:
        await world.enterprise_registered()
        await world.apply("p0")
        for pid in ("p0", "nobody"):
            response = await engage(world, provider_id=pid)
            assert response.status_code == 422 and response.json()["code"] == "provider_not_available"
        await world.listed_provider("p1")
        await world.client.post(
            "/providers/p1/status", json={"action": "suspend", "reason": "x"}, headers=world.city()
        )
        assert (await engage(world)).json()["code"] == "provider_not_available"

    async def test_linked_provider(self, world: World) -> None:
        await world.enterprise_registered()
        await world.listed_provider("p1", related_usccs=[ENTERPRISE.lower()])
        response = await engage(world)
        assert response.status_code == 409 and response.json()["code"] == "conflict_of_interest"

    async def test_products_of_another_provider_and_duplicates(self, world: World) -> None:
        await world.enterprise_registered()
        await world.listed_provider("p1")
        await world.listed_provider("p2")
        other = (await world.listed_solution("p2"))["solution_id"]
        response = await engage(world, solution_ids=[other])
        assert response.status_code == 422 and response.json()["code"] == "solution_not_of_provider"
        await world.ok(await engage(world), 201)
        response = await engage(world)
        assert response.status_code == 409 and response.json()["code"] == "engagement_exists"

    async def test_wrong_enterprise_and_roles(self, world: World) -> None:
        await world.enterprise_registered()
        await world.enterprise_registered(OTHER_ENTERPRISE, county=OTHER_COUNTY)
        await world.listed_provider("p1")
        response = await world.client.post(
            "/engagements",
            json={"uscc": ENTERPRISE, "provider_id": "p1", "kind": "diagnosis"},
            headers=world.enterprise(OTHER_ENTERPRISE),
        )
        assert response.status_code == 404
        response = await world.client.post(
            "/engagements",
            json={"uscc": ENTERPRISE, "provider_id": "p1", "kind": "diagnosis"},
            headers=world.provider("p1"),
        )
        assert response.status_code == 403
        response = await world.client.post(
            "/engagements",
            json={"uscc": ENTERPRISE, "provider_id": "p1", "kind": "diagnosis"},
            headers=world.county(COUNTY),
        )
        assert response.status_code == 201


class TestProjectRefusals:
    async def test_wrong_provider(self, world: World, engaged: dict[str, Any]) -> None:
        eid = engaged["engagement"]["engagement_id"]
        await world.listed_provider("p2")
        response = await world.client.post(
            f"/engagements/{eid}/plan", json=PLAN, headers=world.provider("p2")
        )
        assert response.status_code == 404
        project = await contracted(world, eid)
        response = await world.client.post(
            f"/projects/{project['project_id']}/milestones",
            json={"title": "x", "progress_percent": 10},
            headers=world.provider("p2"),
        )
        assert response.status_code == 404
        response = await world.client.post(
            f"/projects/{project['project_id']}/milestones",
            json={"title": "x", "progress_percent": 10},
            headers=world.enterprise(),
        )
        assert response.status_code == 403 and response.json()["code"] == "role_not_allowed"

    async def test_milestone_on_a_cancelled_project(self, world: World, engaged: dict[str, Any]) -> None:
        eid = engaged["engagement"]["engagement_id"]
        project = await contracted(world, eid)
        cancelled = await world.ok(
            await world.client.post(
                f"/engagements/{eid}/cancel", json={"reason": "企业退出"}, headers=world.enterprise()
            )
        )
        assert cancelled["status"] == "cancelled" and cancelled["project"]["status"] == "cancelled"
        [event] = [
            EngagementCancelled.FromString(e.payload) for e in await world.events("EngagementCancelled")
        ]
        assert event.project_id == project["project_id"] and event.reason == "企业退出"
        response = await world.client.post(
            f"/projects/{project['project_id']}/milestones",
            json={"title": "x", "progress_percent": 10},
            headers=world.provider("p1"),
        )
        assert response.status_code == 409 and response.json()["code"] == "project_not_active"
        again = await world.client.post(
            f"/engagements/{eid}/cancel", json={"reason": "x"}, headers=world.enterprise()
        )
        assert again.status_code == 409 and again.json()["code"] == "engagement_not_open"

    async def test_contract_lines_must_add_up_and_progress_only_grows(
        self, world: World, engaged: dict[str, Any]
    ) -> None:
        eid = engaged["engagement"]["engagement_id"]
        await world.ok(
            await world.client.post(f"/engagements/{eid}/plan", json=PLAN, headers=world.provider("p1"))
        )
        await world.ok(
            await world.client.post(
                f"/engagements/{eid}/plan/decision", json={"decision": "approve"}, headers=world.enterprise()
            )
        )
        wrong = await world.client.post(
            f"/engagements/{eid}/contract", json=CONTRACT | {"amount_fen": 1}, headers=world.enterprise()
        )
        assert wrong.status_code == 422 and wrong.json()["code"] == "lines_do_not_add_up"
        backwards = await world.client.post(
            f"/engagements/{eid}/contract",
            json=CONTRACT | {"ends_on": "2026-01-01T00:00:00Z"},
            headers=world.enterprise(),
        )
        assert backwards.status_code == 422
        naive = await world.client.post(
            f"/engagements/{eid}/contract",
            json=CONTRACT | {"signed_on": "2026-11-01T00:00:00"},
            headers=world.enterprise(),
        )
        assert naive.status_code == 422 and naive.json()["errors"][0]["field"].endswith("signed_on")
        project = await world.ok(
            await world.client.post(
                f"/engagements/{eid}/contract", json=CONTRACT, headers=world.enterprise()
            ),
            201,
        )
        url = f"/projects/{project['project_id']}/milestones"
        await world.ok(
            await world.client.post(
                url, json={"title": "a", "progress_percent": 50}, headers=world.provider("p1")
            ),
            201,
        )
        back = await world.client.post(
            url, json={"title": "b", "progress_percent": 40}, headers=world.provider("p1")
        )
        assert back.status_code == 422 and back.json()["code"] == "progress_goes_back"
        twice = await world.client.post(
            f"/engagements/{eid}/contract", json=CONTRACT, headers=world.enterprise()
        )
        assert twice.status_code == 409 and twice.json()["code"] == "contract_exists"


class TestProviderVisibility:
    async def test_provider_sees_an_enterprise_only_while_engaged(self, world: World) -> None:
        await world.enterprise_registered()
        await world.listed_provider("p1")
        url = f"/enterprises/{ENTERPRISE}"
        assert (await world.client.get(url, headers=world.provider("p1"))).status_code == 404
        eid = (await world.ok(await engage(world, kind="diagnosis"), 201))["engagement_id"]
        assert (await world.client.get(url, headers=world.provider("p1"))).status_code == 200
        assert (await world.client.get(f"{url}/needs", headers=world.provider("p1"))).status_code == 200
        assert (await world.client.get(url, headers=world.provider("p2"))).status_code == 404
        await world.ok(await world.client.post(f"/engagements/{eid}/complete", headers=world.enterprise()))
        assert (await world.client.get(url, headers=world.provider("p1"))).status_code == 404

    async def test_engagement_lists_are_scoped(self, world: World, engaged: dict[str, Any]) -> None:
        eid = engaged["engagement"]["engagement_id"]
        for headers, visible in (
            (world.provider("p1"), [eid]),
            (world.provider("p2"), []),
            (world.enterprise(), [eid]),
            (world.enterprise(OTHER_ENTERPRISE), []),
            (world.county(COUNTY), [eid]),
            (world.county(OTHER_COUNTY), []),
            (world.city(), [eid]),
        ):
            page = await world.ok(await world.client.get("/engagements", headers=headers))
            assert [e["engagement_id"] for e in page["items"]] == visible
        assert (
            await world.client.get(f"/engagements/{eid}", headers=world.county(OTHER_COUNTY))
        ).status_code == 404
        assert (await world.client.get("/engagements", headers=world.expert())).status_code == 403

    async def test_batch_read_by_uscc_is_scoped_like_the_list(
        self, world: World, engaged: dict[str, Any]
    ) -> None:
        eid = engaged["engagement"]["engagement_id"]
        await world.enterprise_registered(OTHER_ENTERPRISE, county=OTHER_COUNTY)
        params = {"uscc": [ENTERPRISE.lower(), OTHER_ENTERPRISE, "91340100MA2TE0003Z"]}
        for headers, visible in (
            (world.provider("p1"), [eid]),
            (world.provider("p2"), []),
            (world.enterprise(), [eid]),
            (world.enterprise(OTHER_ENTERPRISE), []),
            (world.county(COUNTY), [eid]),
            (world.county(OTHER_COUNTY), []),
            (world.city(), [eid]),
        ):
            batch = await world.ok(
                await world.client.get("/engagements/by-enterprise", params=params, headers=headers)
            )
            assert [e["engagement_id"] for e in batch["items"]] == visible
            assert all(e["uscc"] == ENTERPRISE for e in batch["items"])
        project = await contracted(world, eid)
        [item] = (
            await world.ok(
                await world.client.get("/engagements/by-enterprise", params=params, headers=world.city())
            )
        )["items"]
        assert item["project"]["project_id"] == project["project_id"]
        refused = await world.client.get("/engagements/by-enterprise", params=params, headers=world.expert())
        assert refused.status_code == 403

    async def test_batch_reads_by_provider_are_scoped_like_the_single_reads(
        self, world: World, engaged: dict[str, Any]
    ) -> None:
        eid, sid = engaged["engagement"]["engagement_id"], engaged["solution_id"]
        await world.listed_provider("p2")
        draft = await world.ok(
            await world.client.post("/solutions", json=world.solution_body(), headers=world.provider("p2")),
            201,
        )
        await world.ok(
            await world.client.post(
                "/providers/p1/ratings", json={"period": "2026-11", "scores": RATING}, headers=world.city()
            ),
            201,
        )
        params = {"provider_id": ["p1", "p2", "p-none"]}

        async def read(path: str, headers: dict[str, str], key: str) -> list[str]:
            batch = await world.ok(await world.client.get(path, params=params, headers=headers))
            return [item[key] for item in batch["items"]]

        solutions = "/solutions/by-provider"
        assert await read(solutions, world.city(), "solution_id") == [sid, draft["solution_id"]]
        assert await read(solutions, world.enterprise(), "solution_id") == [sid]
        assert await read(solutions, world.provider("p2"), "solution_id") == [sid, draft["solution_id"]]

        engagements = "/engagements/by-provider"
        for headers, visible in (
            (world.provider("p1"), [eid]),
            (world.provider("p2"), []),
            (world.enterprise(), [eid]),
            (world.enterprise(OTHER_ENTERPRISE), []),
            (world.county(COUNTY), [eid]),
            (world.county(OTHER_COUNTY), []),
            (world.city(), [eid]),
        ):
            assert await read(engagements, headers, "engagement_id") == visible
        assert (await world.client.get(engagements, params=params, headers=world.expert())).status_code == 403

        ratings = "/providers/ratings/by-provider"
        assert await read(ratings, world.city(), "provider_id") == ["p1"]
        assert await read(ratings, world.provider("p1"), "provider_id") == ["p1"]
        assert await read(ratings, world.provider("p2"), "provider_id") == []
        assert await read(ratings, world.enterprise(), "provider_id") == []

    async def test_capacity_counts_open_engagements(self, world: World, engaged: dict[str, Any]) -> None:
        provider = await world.ok(await world.client.get("/providers/p1", headers=world.city()))
        assert provider["open_projects"] == 1
        await world.client.post(
            f"/engagements/{engaged['engagement']['engagement_id']}/cancel",
            json={"reason": "x"},
            headers=world.city(),
        )
        provider = await world.ok(await world.client.get("/providers/p1", headers=world.city()))
        assert provider["open_projects"] == 0


class TestAcceptance:
    async def test_acceptance_event_records_the_certified_level(
        self, world: World, engaged: dict[str, Any]
    ) -> None:
        project = await contracted(world, engaged["engagement"]["engagement_id"])
        payload = AcceptanceEvaluated(
            assessment_id="a1", uscc=ENTERPRISE, project_id=project["project_id"], level=3
        )
        await apply_acceptance(world.session, event(payload, "assessment"))
        await apply_acceptance(
            world.session, event(AcceptanceEvaluated(project_id="elsewhere"), "assessment")
        )
        read = await world.ok(
            await world.client.get(f"/projects/{project['project_id']}", headers=world.enterprise())
        )
        assert read["accepted_level"] == 3 and read["accepted_at"]
