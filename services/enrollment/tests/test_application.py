import random
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from shuzhuan.events.v1.enrollment_pb2 import (
    ApplicationReviewed,
    EnterpriseAdmitted,
    EnterpriseTransferred,
    EnterpriseWithdrawn,
)
from shuzhuan.events.v1.envelope_pb2 import Envelope
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.db import audit_log, infra
from services.enrollment.enterprise.uscc import check_digit
from services.enrollment.programme.presets import load_preset
from services.enrollment.programme.service import store
from szcore.auth import Principal, Role

COUNTY = "330784"  # 永康市
OTHER_COUNTY = "330783"
USCC = "91350100M000100Y43"
SECOND_USCC = "91110000600037341L"
DECLARATIONS = {
    "leader_commitment": True,
    "stable_operations": True,
    "digital_base": True,
    "showcase_willingness": True,
}


class Flow:
    def __init__(self, client: httpx.AsyncClient, tokens: Any) -> None:
        self.client, self.tokens = client, tokens

    def h(self, role: Role, **scope: str) -> dict[str, str]:
        return self.tokens.headers(role, **scope)

    @property
    def city(self) -> dict[str, str]:
        return self.h(Role.city_admin)

    @property
    def county(self) -> dict[str, str]:
        return self.h(Role.county_admin, county=COUNTY)

    async def register(self, uscc: str = USCC, county: str = COUNTY) -> None:
        body = {
            "uscc": uscc,
            "name": f"测试企业{uscc[-4:]}",
            "county_code": county,
            "industry_code": "C3465",
            "size_class": "above_scale",
            "programme_id": "jinhua-2024",
        }
        response = await self.client.post("/enterprises", json=body, headers=self.city)
        assert response.status_code == 201, response.text

    async def submit(
        self, uscc: str = USCC, headers: dict[str, str] | None = None, **overrides: Any
    ) -> httpx.Response:
        body = {
            "uscc": uscc,
            "programme_id": "jinhua-2024",
            "batch_id": "jinhua-2024-b1",
            "declarations": DECLARATIONS,
        }
        body.update(overrides)
        return await self.client.post(
            "/applications", json=body, headers=headers or self.h(Role.enterprise, uscc=uscc)
        )

    async def post(
        self, application_id: str, path: str, headers: dict[str, str], body: dict[str, Any] | None = None
    ) -> httpx.Response:
        return await self.client.post(
            f"/applications/{application_id}/{path}", json=body or {}, headers=headers
        )

    async def approved(self, uscc: str = USCC) -> str:
        await self.register(uscc)
        application_id = (await self.submit(uscc)).json()["id"]
        for headers in (self.county, self.city):
            response = await self.post(application_id, "reviews", headers, {"decision": "approved"})
            assert response.status_code == 200, response.text
        return application_id

    async def noticed(self, uscc: str = USCC) -> str:
        application_id = await self.approved(uscc)
        assert (await self.post(application_id, "notice", self.city)).json()["status"] == "public_notice"
        return application_id

    async def admitted(self, clock: Callable[[timedelta], None], uscc: str = USCC) -> str:
        application_id = await self.noticed(uscc)
        clock(timedelta(days=5))
        response = await self.post(application_id, "admit", self.city)
        assert response.json()["status"] == "admitted", response.text
        return application_id


@pytest.fixture
def flow(client: httpx.AsyncClient, programmes: list[str], tokens: Any) -> Flow:
    return Flow(client, tokens)


async def payloads(session: AsyncSession, message: type) -> list[Any]:
    rows = (
        await session.execute(
            select(infra.outbox).where(infra.outbox.c.event_type == message.DESCRIPTOR.name)
        )
    ).all()
    return [message.FromString(Envelope.FromString(row.envelope).payload) for row in rows]


async def state_counts(session: AsyncSession) -> tuple[int, int]:
    events = (await session.execute(select(func.count()).select_from(infra.outbox))).scalar_one()
    audits = (await session.execute(select(func.count()).select_from(infra.audit_log))).scalar_one()
    return events, audits


class TestSubmit:
    async def test_enterprise_applies(self, flow: Flow, session: AsyncSession) -> None:
        await flow.register()
        response = await flow.submit()
        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["status"], body["current_step"], body["submitted_by_county"]) == (
            "in_review",
            "county_review",
            False,
        )
        assert [a["action"] for a in body["actions"]] == ["submit"]
        dossier = (await flow.client.get(f"/enterprises/{USCC}", headers=flow.city)).json()
        assert (dossier["admission_status"], dossier["batch_id"]) == ("in_review", "jinhua-2024-b1")

    async def test_county_applies_on_behalf(self, flow: Flow) -> None:
        await flow.register()
        response = await flow.submit(headers=flow.county)
        assert response.status_code == 201 and response.json()["submitted_by_county"] is True

    async def test_missing_declaration(self, flow: Flow, session: AsyncSession) -> None:
        await flow.register()
        before = await state_counts(session)
        response = await flow.submit(declarations={**DECLARATIONS, "digital_base": False, "extra": True})
        assert response.status_code == 422 and response.json()["code"] == "invalid_application"
        assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [
            ("declarations.digital_base", "declaration_missing"),
            ("declarations.extra", "unknown_declaration"),
        ]
        assert await state_counts(session) == before

    async def test_unknown_batch(self, flow: Flow) -> None:
        await flow.register()
        response = await flow.submit(batch_id="jinhua-2024-b9")
        assert response.status_code == 422 and response.json()["errors"][0]["code"] == "unknown_batch"

    async def test_application_window_when_the_programme_enforces_it(
        self, flow: Flow, session: AsyncSession, clock: Callable[[timedelta], None]
    ) -> None:
        config = load_preset("jinhua").model_copy(update={"enforce_application_windows": True})
        await store(session, Principal(subject="city", role=Role.city_admin), config, "api")
        await flow.register()
        closed = await flow.submit(batch_id="jinhua-2024-b2")  # 2025-10-01 to 2025-12-31; now is 2025-01-06
        assert closed.status_code == 422
        assert [e["code"] for e in closed.json()["errors"]] == ["application_window_closed"]
        assert (await flow.submit(batch_id="jinhua-2024-b1")).status_code == 201

    async def test_programme_of_another_dossier(self, flow: Flow) -> None:
        await flow.register()
        response = await flow.submit(programme_id="luoyang-2025", batch_id="luoyang-2025-b1")
        assert response.status_code == 422
        assert [e["code"] for e in response.json()["errors"]] == ["programme_mismatch"]

    async def test_second_open_application(self, flow: Flow) -> None:
        await flow.register()
        assert (await flow.submit()).status_code == 201
        response = await flow.submit()
        assert response.status_code == 409 and response.json()["code"] == "application_exists"

    async def test_other_county_and_other_enterprise(self, flow: Flow) -> None:
        await flow.register()
        other_county = await flow.submit(headers=flow.h(Role.county_admin, county=OTHER_COUNTY))
        assert other_county.status_code == 404 and other_county.json()["code"] == "enterprise_not_found"
        other_enterprise = await flow.submit(headers=flow.h(Role.enterprise, uscc=SECOND_USCC))
        assert other_enterprise.status_code == 404

    @pytest.mark.parametrize("role", [Role.city_admin, Role.expert, Role.auditor])
    async def test_roles_that_do_not_apply(self, role: Role, flow: Flow) -> None:
        await flow.register()
        response = await flow.submit(headers=flow.h(role))
        assert response.status_code == 403 and response.json()["code"] == "role_not_allowed"


class TestReview:
    async def test_county_then_city(self, flow: Flow, session: AsyncSession) -> None:
        application_id = await flow.approved()
        detail = (await flow.client.get(f"/applications/{application_id}", headers=flow.city)).json()
        assert detail["status"] == "approved" and detail["current_step"] is None
        assert [(a["action"], a["step"], a["decision"]) for a in detail["actions"]] == [
            ("submit", None, None),
            ("review", "county_review", "approved"),
            ("review", "city_review", "approved"),
        ]
        reviewed = await payloads(session, ApplicationReviewed)
        assert [(p.step, p.reviewer_role, p.status_after) for p in reviewed] == [
            ("county_review", "county_admin", "in_review"),
            ("city_review", "city_admin", "approved"),
        ]
        assert (await audit_log.verify(session)).ok

    async def test_city_may_not_take_the_county_step(self, flow: Flow, session: AsyncSession) -> None:
        await flow.register()
        application_id = (await flow.submit()).json()["id"]
        before = await state_counts(session)
        response = await flow.post(application_id, "reviews", flow.city, {"decision": "approved"})
        assert response.status_code == 403 and response.json()["code"] == "role_not_allowed"
        assert await state_counts(session) == before

    async def test_other_county_sees_no_application(self, flow: Flow) -> None:
        await flow.register()
        application_id = (await flow.submit()).json()["id"]
        headers = flow.h(Role.county_admin, county=OTHER_COUNTY)
        response = await flow.post(application_id, "reviews", headers, {"decision": "approved"})
        assert response.status_code == 404 and response.json()["code"] == "application_not_found"

    async def test_return_and_resubmit(self, flow: Flow) -> None:
        await flow.register()
        application_id = (await flow.submit()).json()["id"]
        returned = await flow.post(
            application_id, "reviews", flow.county, {"decision": "returned", "comment": "补充材料"}
        )
        assert returned.json()["status"] == "returned"
        again = await flow.post(application_id, "resubmit", flow.h(Role.enterprise, uscc=USCC))
        assert (again.json()["status"], again.json()["current_step"]) == ("in_review", "county_review")

    async def test_rejected_cannot_be_reviewed_again(self, flow: Flow) -> None:
        await flow.register()
        application_id = (await flow.submit()).json()["id"]
        await flow.post(application_id, "reviews", flow.county, {"decision": "rejected"})
        response = await flow.post(application_id, "reviews", flow.county, {"decision": "approved"})
        assert response.status_code == 409 and response.json()["code"] == "invalid_transition"

    async def luoyang_application(self, flow: Flow) -> str:
        body = {
            "uscc": USCC,
            "name": "洛阳轴承",
            "county_code": "410322",
            "industry_code": "C345",
            "size_class": "above_scale",
            "programme_id": "luoyang-2025",
        }
        await flow.client.post("/enterprises", json=body, headers=flow.city)
        submitted = await flow.submit(programme_id="luoyang-2025", batch_id="luoyang-2025-b1")
        application_id: str = submitted.json()["id"]
        county = flow.h(Role.county_admin, county="410322")
        await flow.post(application_id, "reviews", county, {"decision": "approved"})
        for n, employer_uscc in enumerate([None, USCC, None, None]):
            expert = {"id": f"expert-{n}", "name": f"专家{n}", "employer": "某单位", "fields": ["智能制造"]}
            if employer_uscc:
                expert["employer_uscc"] = employer_uscc
            assert (await flow.client.post("/experts", json=expert, headers=flow.city)).status_code == 201
        link = {"party_type": "enterprise", "party_id": USCC, "relation": "顾问"}
        assert (
            await flow.client.post("/experts/expert-2/links", json=link, headers=flow.city)
        ).status_code == 201
        return application_id

    async def test_expert_step_of_a_programme_that_has_one(self, flow: Flow) -> None:
        application_id = await self.luoyang_application(flow)
        refused = await flow.post(application_id, "reviews", flow.city, {"decision": "approved"})
        assert refused.status_code == 403
        stranger = await flow.post(application_id, "reviews", flow.h(Role.expert), {"decision": "approved"})
        assert stranger.status_code == 403 and stranger.json()["code"] == "not_in_expert_pool"
        for conflicted in ("expert-1", "expert-2"):
            headers = flow.h(Role.expert, subject=conflicted)
            response = await flow.post(application_id, "reviews", headers, {"decision": "approved"})
            assert response.status_code == 403 and response.json()["code"] == "conflict_of_interest"
        expert = await flow.post(
            application_id, "reviews", flow.h(Role.expert, subject="expert-0"), {"decision": "approved"}
        )
        assert expert.json()["current_step"] == "city_review"

    async def test_recorded_draw_avoids_conflicts_and_binds_the_review(self, flow: Flow) -> None:
        application_id = await self.luoyang_application(flow)
        response = await flow.post(
            application_id, "expert-draws", flow.city, {"fields": ["智能制造"], "count": 1}
        )
        assert response.status_code == 201, response.text
        draw = response.json()
        assert draw["eligible"] == ["expert-0", "expert-3"]
        assert draw["excluded"] == {"expert-1": "same_employer", "expert-2": "linked_party"}
        assert random.Random(draw["seed"]).sample(draw["eligible"], 1) == draw["selected"]
        [chosen] = draw["selected"]
        other = next(e for e in draw["eligible"] if e != chosen)
        refused = await flow.post(
            application_id, "reviews", flow.h(Role.expert, subject=other), {"decision": "approved"}
        )
        assert refused.status_code == 403 and refused.json()["code"] == "expert_not_drawn"
        done = await flow.post(
            application_id, "reviews", flow.h(Role.expert, subject=chosen), {"decision": "approved"}
        )
        assert done.status_code == 200
        too_many = await flow.post(application_id, "expert-draws", flow.city, {"count": 3})
        assert too_many.status_code == 409 and too_many.json()["code"] == "not_enough_experts"
        stored = await flow.client.get(f"/expert-draws/{draw['id']}", headers=flow.city)
        assert stored.json()["selected"] == draw["selected"]


class TestNoticeAndAdmission:
    async def test_admitted_after_the_window(
        self, flow: Flow, clock: Callable[[timedelta], None], session: AsyncSession
    ) -> None:
        application_id = await flow.noticed()
        clock(timedelta(days=4))
        early = await flow.post(application_id, "admit", flow.city)
        assert early.status_code == 409 and early.json()["code"] == "notice_not_over"
        clock(timedelta(days=1))
        admitted = await flow.post(application_id, "admit", flow.city)
        assert admitted.json()["status"] == "admitted"
        [event] = await payloads(session, EnterpriseAdmitted)
        assert (event.batch_id, event.batch_number, event.county_code, event.pilot_industry) == (
            "jinhua-2024-b1",
            1,
            COUNTY,
            "power_tools",
        )
        dossier = (await flow.client.get(f"/enterprises/{USCC}", headers=flow.city)).json()
        assert dossier["admission_status"] == "admitted"

    async def test_county_may_not_admit(self, flow: Flow, clock: Callable[[timedelta], None]) -> None:
        application_id = await flow.noticed()
        clock(timedelta(days=5))
        response = await flow.post(application_id, "admit", flow.county)
        assert response.status_code == 403

    async def test_objection_blocks_until_resolved(
        self, flow: Flow, clock: Callable[[timedelta], None]
    ) -> None:
        application_id = await flow.noticed()
        objection = await flow.post(
            application_id, "objections", flow.h(Role.enterprise, uscc=USCC), {"content": "数据不实"}
        )
        assert objection.status_code == 201, objection.text
        clock(timedelta(days=5))
        blocked = await flow.post(application_id, "admit", flow.city)
        assert blocked.json()["code"] == "objections_open"
        resolved = await flow.post(
            application_id,
            f"objections/{objection.json()['id']}/resolve",
            flow.city,
            {"upheld": False, "resolution": "经核实无误"},
        )
        assert resolved.json()["status"] == "dismissed"
        again = await flow.post(
            application_id,
            f"objections/{objection.json()['id']}/resolve",
            flow.city,
            {"upheld": True, "resolution": "x"},
        )
        assert again.status_code == 409 and again.json()["code"] == "objection_resolved"
        assert (await flow.post(application_id, "admit", flow.city)).json()["status"] == "admitted"

    async def test_upheld_objection_rejects(self, flow: Flow) -> None:
        application_id = await flow.noticed()
        objection = await flow.post(
            application_id, "objections", flow.h(Role.expert), {"content": "经营异常"}
        )
        result = await flow.post(
            application_id,
            f"objections/{objection.json()['id']}/resolve",
            flow.city,
            {"upheld": True, "resolution": "属实"},
        )
        assert result.status_code == 200
        detail = (await flow.client.get(f"/applications/{application_id}", headers=flow.city)).json()
        assert detail["status"] == "rejected" and detail["objections"][0]["status"] == "upheld"

    async def test_objection_after_the_window(self, flow: Flow, clock: Callable[[timedelta], None]) -> None:
        application_id = await flow.noticed()
        clock(timedelta(days=6))
        late = await flow.post(application_id, "objections", flow.h(Role.expert), {"content": "晚了"})
        assert late.status_code == 409 and late.json()["code"] == "objection_window_closed"


class TestAfterAdmission:
    async def test_withdrawal_by_the_enterprise(
        self, flow: Flow, clock: Callable[[timedelta], None], session: AsyncSession
    ) -> None:
        application_id = await flow.admitted(clock)
        response = await flow.post(
            application_id, "withdraw", flow.h(Role.enterprise, uscc=USCC), {"reason": "经营调整"}
        )
        assert response.json()["status"] == "withdrawn" and response.json()["reason"] == "经营调整"
        [event] = await payloads(session, EnterpriseWithdrawn)
        assert (event.reason, event.replaced_by_uscc) == ("经营调整", "")
        again = await flow.post(application_id, "withdraw", flow.city, {"reason": "x"})
        assert again.status_code == 409

    async def test_disqualification(self, flow: Flow, clock: Callable[[timedelta], None]) -> None:
        application_id = await flow.admitted(clock)
        refused = await flow.post(application_id, "disqualify", flow.county, {"reason": "弄虚作假"})
        assert refused.status_code == 403
        done = await flow.post(application_id, "disqualify", flow.city, {"reason": "弄虚作假"})
        assert done.json()["status"] == "disqualified"
        dossier = (await flow.client.get(f"/enterprises/{USCC}", headers=flow.city)).json()
        assert dossier["admission_status"] == "disqualified"

    async def test_disqualification_needs_a_reason(
        self, flow: Flow, clock: Callable[[timedelta], None]
    ) -> None:
        application_id = await flow.admitted(clock)
        response = await flow.post(application_id, "disqualify", flow.city, {"reason": " "})
        assert response.status_code == 422 and response.json()["errors"][0]["field"] == "reason"

    async def test_transfer_between_batches(
        self, flow: Flow, clock: Callable[[timedelta], None], session: AsyncSession
    ) -> None:
        application_id = await flow.admitted(clock)
        unknown = await flow.post(
            application_id, "transfer", flow.city, {"to_batch_id": "nope", "reason": "x"}
        )
        assert unknown.status_code == 422 and unknown.json()["code"] == "unknown_batch"
        moved = await flow.post(
            application_id, "transfer", flow.city, {"to_batch_id": "jinhua-2024-b2", "reason": "进度调整"}
        )
        assert (moved.json()["batch_id"], moved.json()["status"]) == ("jinhua-2024-b2", "admitted")
        [event] = await payloads(session, EnterpriseTransferred)
        assert (event.from_batch_id, event.to_batch_id) == ("jinhua-2024-b1", "jinhua-2024-b2")
        same = await flow.post(
            application_id, "transfer", flow.city, {"to_batch_id": "jinhua-2024-b2", "reason": "x"}
        )
        assert same.status_code == 409 and same.json()["code"] == "same_batch"

    async def test_replacement(
        self, flow: Flow, clock: Callable[[timedelta], None], session: AsyncSession
    ) -> None:
        leaving = await flow.admitted(clock)
        replacement = await flow.noticed(SECOND_USCC)
        clock(timedelta(days=5))
        response = await flow.post(
            leaving, "replace", flow.city, {"replacement_application_id": replacement, "reason": "主动退出"}
        )
        assert response.status_code == 200, response.text
        assert (response.json()["status"], response.json()["replaced_by"]) == ("withdrawn", replacement)
        incoming = (await flow.client.get(f"/applications/{replacement}", headers=flow.city)).json()
        assert (incoming["status"], incoming["replaces"], incoming["batch_id"]) == (
            "admitted",
            leaving,
            "jinhua-2024-b1",
        )
        [withdrawn] = await payloads(session, EnterpriseWithdrawn)
        assert withdrawn.replaced_by_uscc == SECOND_USCC
        assert len(await payloads(session, EnterpriseAdmitted)) == 2

    async def test_replacement_must_be_past_its_notice(
        self, flow: Flow, clock: Callable[[timedelta], None], session: AsyncSession
    ) -> None:
        leaving = await flow.admitted(clock)
        replacement = await flow.noticed(SECOND_USCC)
        before = await state_counts(session)
        response = await flow.post(
            leaving, "replace", flow.city, {"replacement_application_id": replacement, "reason": "x"}
        )
        assert response.status_code == 409 and response.json()["code"] == "notice_not_over"
        assert await state_counts(session) == before


class TestListApplications:
    async def test_county_sees_its_own_with_keyset_pages(self, flow: Flow) -> None:
        await flow.register()
        await flow.register(SECOND_USCC, county=OTHER_COUNTY)
        await flow.submit()
        await flow.submit(SECOND_USCC, headers=flow.h(Role.county_admin, county=OTHER_COUNTY))
        mine = (await flow.client.get("/applications", headers=flow.county)).json()
        assert [a["uscc"] for a in mine["items"]] == [USCC] and mine["total"] == 1
        first = (await flow.client.get("/applications", params={"limit": 1}, headers=flow.city)).json()
        assert first["total"] == 2 and first["next_cursor"]
        second = (
            await flow.client.get(
                "/applications", params={"limit": 1, "cursor": first["next_cursor"]}, headers=flow.city
            )
        ).json()
        assert second["next_cursor"] is None
        assert {first["items"][0]["uscc"], second["items"][0]["uscc"]} == {USCC, SECOND_USCC}

    async def test_batch_read_by_uscc_is_scoped_like_the_list(self, flow: Flow) -> None:
        await flow.register()
        await flow.register(SECOND_USCC, county=OTHER_COUNTY)
        await flow.submit()
        await flow.submit(SECOND_USCC, headers=flow.h(Role.county_admin, county=OTHER_COUNTY))
        params = {"uscc": [USCC, SECOND_USCC.lower(), "91330784MA0000001X"]}

        async def usccs(headers: dict[str, str]) -> list[str]:
            response = await flow.client.get("/applications/by-enterprise", params=params, headers=headers)
            assert response.status_code == 200, response.text
            return [a["uscc"] for a in response.json()["items"]]

        assert sorted(await usccs(flow.city)) == sorted([USCC, SECOND_USCC])
        assert await usccs(flow.county) == [USCC]
        assert await usccs(flow.h(Role.county_admin, county=OTHER_COUNTY)) == [SECOND_USCC]
        assert await usccs(flow.h(Role.enterprise, uscc=SECOND_USCC)) == [SECOND_USCC]
        refused = await flow.client.get(
            "/applications/by-enterprise", params=params, headers=flow.h(Role.provider, provider_id="p-1")
        )
        assert refused.status_code == 403

    async def test_enterprises_of_batches_are_scoped_like_the_list(self, flow: Flow) -> None:
        await flow.register()
        await flow.register(SECOND_USCC, county=OTHER_COUNTY)
        await flow.submit()
        await flow.submit(SECOND_USCC, headers=flow.h(Role.county_admin, county=OTHER_COUNTY))
        params = {"batch_id": ["jinhua-2024-b1", "jinhua-2024-b9"]}

        async def usccs(headers: dict[str, str]) -> list[str]:
            response = await flow.client.get("/enterprises/by-batch", params=params, headers=headers)
            assert response.status_code == 200, response.text
            return [e["uscc"] for e in response.json()["items"]]

        assert await usccs(flow.city) == sorted([USCC, SECOND_USCC])
        assert await usccs(flow.county) == [USCC]
        assert await usccs(flow.h(Role.enterprise, uscc=SECOND_USCC)) == [SECOND_USCC]
        refused = await flow.client.get(
            "/enterprises/by-batch", params=params, headers=flow.h(Role.provider, provider_id="p-1")
        )
        assert refused.status_code == 403

    async def test_submitted_newest_pages_stably_while_applications_arrive(self, flow: Flow) -> None:
        usccs = [f"91330700MB{n:07d}" for n in range(1, 8)]
        usccs = [u + check_digit(u) for u in usccs]
        for uscc in usccs:
            await flow.register(uscc)
        ids = []
        for uscc in usccs[:4]:
            response = await flow.submit(uscc)
            assert response.status_code == 201, response.text
            ids.append(response.json()["id"])
        late = iter(usccs[4:])
        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"order": "submitted_newest", "limit": 2} | (
                {"cursor": cursor} if cursor else {}
            )
            page = (await flow.client.get("/applications", params=params, headers=flow.city)).json()
            seen += [a["id"] for a in page["items"]]
            if (cursor := page["next_cursor"]) is None:
                break
            await flow.submit(next(late))  # newer than the cursor: it sorts before the pages read
        assert seen == list(reversed(ids))
        oldest = await flow.client.get(
            "/applications", params={"order": "submitted_oldest"}, headers=flow.city
        )
        assert [a["id"] for a in oldest.json()["items"]][:4] == ids

    async def test_a_cursor_of_another_order_is_refused(self, flow: Flow) -> None:
        await flow.register()
        await flow.register(SECOND_USCC, county=OTHER_COUNTY)
        await flow.submit()
        await flow.submit(SECOND_USCC, headers=flow.h(Role.county_admin, county=OTHER_COUNTY))
        first = await flow.client.get(
            "/applications", params={"order": "submitted_oldest", "limit": 1}, headers=flow.city
        )
        cursor = first.json()["next_cursor"]
        refused = await flow.client.get("/applications", params={"cursor": cursor}, headers=flow.city)
        assert refused.status_code == 422 and refused.json()["code"] == "invalid_cursor"

    async def test_bad_cursor(self, flow: Flow) -> None:
        response = await flow.client.get("/applications", params={"cursor": "%%%"}, headers=flow.city)
        assert response.status_code == 422 and response.json()["code"] == "invalid_cursor"


class TestProviderReadsNoApplication:
    async def test_provider_is_refused_before_the_lookup(self, flow: Flow) -> None:
        await flow.register()
        response = await flow.submit()
        assert response.status_code == 201, response.text
        provider = flow.h(Role.provider, provider_id="p-1")
        for application_id in (response.json()["id"], "no-such-application"):
            refused = await flow.client.get(f"/applications/{application_id}", headers=provider)
            assert refused.status_code == 403, refused.text
            assert refused.json()["code"] == "role_not_allowed"
