from typing import Any

import pytest
from shuzhuan.events.v1.matching_pb2 import ProviderListed, ProviderStatusChanged

from services.matching.db import audit_log
from services.matching.tests.helpers import INDUSTRY, RATING, SCORES, World

LOW_SCORES = dict.fromkeys(SCORES, 40)


class TestAdmission:
    async def test_apply_review_notice_list_emits_provider_listed(self, world: World) -> None:
        applied = await world.apply("p1")
        assert applied["status"] == "applied" and applied["confidentiality_signed"] is False
        review = await world.ok(await world.review("p1"), 201)
        # 80*30 + 70*25 + 90*20 + 60*15 + 50*10 = 7350
        assert review["total_centi"] == 7350 and review["sheet_version"] == 0
        noticed = await world.ok(await world.approve("p1"))
        assert noticed["status"] == "in_notice" and noticed["review_score_centi"] == 7350
        listed = await world.ok(await world.list_provider("p1"))
        assert listed["status"] == "listed" and listed["listed_at"]
        [envelope] = await world.events("ProviderListed")
        payload = ProviderListed.FromString(envelope.payload)
        assert payload.provider_id == "p1" and list(payload.industries) == [INDUSTRY]
        assert (await audit_log.verify(world.session)).ok

    async def test_mean_of_several_experts(self, world: World) -> None:
        await world.apply("p1")
        await world.ok(await world.review("p1", expert="e1"), 201)
        await world.ok(await world.review("p1", scores=dict.fromkeys(SCORES, 50), expert="e2"), 201)
        provider = await world.ok(await world.client.get("/providers/p1", headers=world.city()))
        assert provider["review_score_centi"] == (7350 + 5000) // 2 + 0  # 6175

    async def test_rejection_needs_reason_and_allows_reapplication(self, world: World) -> None:
        await world.apply("p1")
        response = await world.client.post(
            "/providers/p1/decision", json={"decision": "reject"}, headers=world.city()
        )
        assert response.status_code == 422 and response.json()["code"] == "reason_required"
        rejected = await world.ok(
            await world.client.post(
                "/providers/p1/decision",
                json={"decision": "reject", "reason": "案例不足"},
                headers=world.city(),
            )
        )
        assert rejected["status"] == "rejected"
        again = await world.apply("p1")
        assert again["status"] == "applied" and again["review_score_centi"] is None


class TestReviewPage:
    async def test_paging_while_experts_file_has_no_duplicate_or_gap(self, world: World) -> None:
        await world.apply("p1")
        for expert in ("e1", "e2", "e3"):
            await world.ok(await world.review("p1", expert=expert), 201)
        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            page = await world.ok(
                await world.client.get("/providers/p1/reviews/page", params=params, headers=world.city())
            )
            seen += [r["expert"] for r in page["items"]]
            if not seen[2:]:
                await world.ok(await world.review("p1", expert="e4"), 201)
            if (cursor := page["next_cursor"]) is None:
                break
        assert seen == ["e1", "e2", "e3", "e4"]
        assert page["total"] == 4

    async def test_best_scored_first_and_refused_to_providers(self, world: World) -> None:
        await world.apply("p1")
        await world.ok(await world.review("p1", scores=LOW_SCORES, expert="e1"), 201)
        await world.ok(await world.review("p1", expert="e2"), 201)
        page = await world.ok(
            await world.client.get(
                "/providers/p1/reviews/page", params={"order": "total_highest"}, headers=world.city()
            )
        )
        assert [r["expert"] for r in page["items"]] == ["e2", "e1"] and page["next_cursor"] is None
        refused = await world.client.get("/providers/p1/reviews/page", headers=world.provider("p1"))
        assert refused.status_code == 403


class TestAdmissionRefusals:
    async def test_only_a_provider_applies_and_only_once(self, world: World) -> None:
        response = await world.client.post("/providers", json=world.application(), headers=world.city())
        assert response.status_code == 403
        await world.apply("p1")
        response = await world.client.post(
            "/providers", json=world.application(), headers=world.provider("p1")
        )
        assert response.status_code == 409 and response.json()["code"] == "provider_exists"

    async def test_bad_application_fields(self, world: World) -> None:
        response = await world.client.post(
            "/providers",
            json=world.application(uscc="123", kind="giant", industries=[]),
            headers=world.provider("p1"),
        )
        assert response.status_code == 422
        fields = {e["field"] for e in response.json()["errors"]}
        assert {"kind", "industries"} <= {f.split(".")[-1] for f in fields}
        response = await world.client.post(
            "/providers", json=world.application(uscc="91340100MA2P00001A"), headers=world.provider("p1")
        )
        assert response.status_code == 422 and response.json()["code"] == "invalid_uscc"
        assert response.json()["errors"][0]["field"] == "uscc"

    async def test_scores_must_fit_the_sheet(self, world: World) -> None:
        await world.apply("p1")
        response = await world.review("p1", scores={"n_x_fit": 101, "nonsense": 3})
        assert response.status_code == 422 and response.json()["code"] == "invalid_scores"
        codes = {e["code"] for e in response.json()["errors"]}
        assert codes == {"unknown_dimension", "missing_score", "score_out_of_range"}

    async def test_only_experts_review_once_each(self, world: World) -> None:
        await world.apply("p1")
        response = await world.client.post(
            "/providers/p1/reviews", json={"scores": SCORES}, headers=world.city()
        )
        assert response.status_code == 403
        await world.ok(await world.review("p1"), 201)
        response = await world.review("p1")
        assert response.status_code == 409 and response.json()["code"] == "already_reviewed"

    async def test_approval_needs_a_passing_review(self, world: World) -> None:
        await world.apply("p1")
        response = await world.approve("p1")
        assert response.status_code == 409 and response.json()["code"] == "review_missing"
        await world.ok(await world.review("p1", scores=LOW_SCORES), 201)
        response = await world.approve("p1")
        assert response.status_code == 409 and response.json()["code"] == "below_pass_score"

    async def test_listing_waits_for_the_notice(self, world: World) -> None:
        await world.apply("p1")
        response = await world.list_provider("p1")
        assert response.status_code == 409 and response.json()["code"] == "provider_not_in_notice"
        await world.ok(await world.review("p1"), 201)
        await world.ok(
            await world.client.post(
                "/providers/p1/decision", json={"decision": "approve", "notice_days": 7}, headers=world.city()
            )
        )
        response = await world.list_provider("p1")
        assert response.status_code == 409 and response.json()["code"] == "notice_period_running"

    async def test_applicants_are_not_public(self, world: World) -> None:
        await world.apply("p1")
        response = await world.client.get("/providers/p1", headers=world.enterprise())
        assert response.status_code == 404
        assert (await world.client.get("/providers/p1", headers=world.provider("p1"))).status_code == 200
        page = await world.ok(await world.client.get("/providers", headers=world.enterprise()))
        assert page["total"] == 0


class TestQuotas:
    async def test_fourth_integrated_provider_of_an_industry_is_refused(self, world: World) -> None:
        for n in range(3):
            await world.listed_provider(f"i{n}", kind="integrated")
        await world.apply("i3", kind="integrated", industries=["C38", INDUSTRY])
        await world.ok(await world.review("i3"), 201)
        await world.ok(await world.approve("i3"))
        response = await world.list_provider("i3")
        assert response.status_code == 409 and response.json()["code"] == "quota_exceeded"
        assert response.json()["errors"][0]["field"] == "industries"
        # A general contractor has no quota in the preset; another industry is free.
        await world.listed_provider("g1", kind="general_contractor")
        await world.listed_provider("i4", kind="integrated", industries=["C38"])

    async def test_quotas_are_data(self, world: World) -> None:
        published = await world.ok(
            await world.client.post(
                "/rules/quotas", json={"document": {"per_industry": {"specialist": 1}}}, headers=world.city()
            ),
            201,
        )
        assert published["version"] == 1
        await world.listed_provider("s1")
        await world.apply("s2")
        await world.ok(await world.review("s2"), 201)
        await world.ok(await world.approve("s2"))
        assert (await world.list_provider("s2")).json()["code"] == "quota_exceeded"

    async def test_a_removed_provider_frees_its_place(self, world: World) -> None:
        await world.client.post(
            "/rules/quotas", json={"document": {"per_industry": {"specialist": 1}}}, headers=world.city()
        )
        await world.listed_provider("s1")
        await world.ok(
            await world.client.post(
                "/providers/s1/status", json={"action": "remove", "reason": "虚假案例"}, headers=world.city()
            )
        )
        await world.listed_provider("s2")


class TestRulesRefusals:
    async def test_invalid_documents_and_roles(self, world: World) -> None:
        response = await world.client.post(
            "/rules/scoring_sheet",
            json={"document": {"dimensions": [{"code": "a", "name": "A", "weight": 50}], "pass_score": 60}},
            headers=world.city(),
        )
        assert response.status_code == 422 and response.json()["code"] == "invalid_rule_document"
        response = await world.client.post(
            "/rules/quotas", json={"document": {"per_industry": {}}}, headers=world.provider("p1")
        )
        assert response.status_code == 403


class TestDynamicManagement:
    async def test_rating_is_weighted_and_the_provider_sees_its_own(self, world: World) -> None:
        await world.listed_provider("p1")
        rating = await world.ok(
            await world.client.post(
                "/providers/p1/ratings", json={"period": "2026-11", "scores": RATING}, headers=world.city()
            ),
            201,
        )
        # 90*40 + 80*20 + 85*25 + 100*15 = 8825
        assert rating["overall_centi"] == 8825
        own = await world.ok(await world.client.get("/providers/p1/ratings", headers=world.provider("p1")))
        assert [r["period"] for r in own] == ["2026-11"]
        other = await world.client.get("/providers/p1/ratings", headers=world.provider("p2"))
        assert other.status_code == 404
        provider = await world.ok(await world.client.get("/providers/p1", headers=world.enterprise()))
        assert provider["rating_centi"] == 8825

    async def test_ratings_page_by_period_and_score(self, world: World) -> None:
        await world.listed_provider("p1")
        low = {k: max(v - 30, 0) for k, v in RATING.items()}
        for period, scores in (("2026-09", RATING), ("2026-10", low), ("2026-11", RATING)):
            body = {"period": period, "scores": scores}
            await world.ok(
                await world.client.post("/providers/p1/ratings", json=body, headers=world.city()), 201
            )

        async def walk(order: str, headers: dict[str, str]) -> list[str]:
            seen, cursor = [], None
            while True:
                params: dict[str, Any] = {"order": order, "limit": 2} | ({"cursor": cursor} if cursor else {})
                page = await world.ok(
                    await world.client.get("/providers/p1/ratings/page", params=params, headers=headers)
                )
                assert page["total"] == 3
                seen += [r["period"] for r in page["items"]]
                if (cursor := page["next_cursor"]) is None:
                    return seen

        assert await walk("period_newest", world.provider("p1")) == ["2026-11", "2026-10", "2026-09"]
        assert (await walk("overall_highest", world.city()))[-1] == "2026-10"
        other = await world.client.get("/providers/p1/ratings/page", headers=world.provider("p2"))
        assert other.status_code == 404

    async def test_a_poor_rating_warns(self, world: World) -> None:
        await world.listed_provider("p1")
        await world.ok(
            await world.client.post(
                "/providers/p1/ratings",
                json={"period": "2026-11", "scores": dict.fromkeys(RATING, 30)},
                headers=world.city(),
            ),
            201,
        )
        provider = await world.ok(await world.client.get("/providers/p1", headers=world.city()))
        assert provider["status"] == "warned"
        [envelope] = await world.events("ProviderStatusChanged")
        assert ProviderStatusChanged.FromString(envelope.payload).status == "warned"

    async def test_one_rating_per_period(self, world: World) -> None:
        await world.listed_provider("p1")
        body = {"period": "2026-11", "scores": RATING}
        await world.ok(await world.client.post("/providers/p1/ratings", json=body, headers=world.city()), 201)
        response = await world.client.post("/providers/p1/ratings", json=body, headers=world.city())
        assert response.status_code == 409 and response.json()["code"] == "already_rated"

    @pytest.mark.parametrize(
        ("actions", "final"),
        [
            (["warn"], "warned"),
            (["warn", "suspend"], "suspended"),
            (["suspend", "reinstate"], "listed"),
            (["warn", "remove"], "removed"),
        ],
    )
    async def test_allowed_status_changes(self, world: World, actions: list[str], final: str) -> None:
        await world.listed_provider("p1")
        for action in actions:
            provider = await world.ok(
                await world.client.post(
                    "/providers/p1/status", json={"action": action, "reason": "考评"}, headers=world.city()
                )
            )
        assert provider["status"] == final and provider["status_reason"] == "考评"
        assert len(await world.events("ProviderStatusChanged")) == len(actions)

    async def test_refused_status_changes(self, world: World) -> None:
        await world.apply("p1")
        response = await world.client.post(
            "/providers/p1/status", json={"action": "warn", "reason": "x"}, headers=world.city()
        )
        assert response.status_code == 409 and response.json()["code"] == "status_change_not_allowed"
        await world.ok(await world.review("p1"), 201)
        await world.ok(await world.approve("p1"))
        await world.ok(await world.list_provider("p1"))
        response = await world.client.post(
            "/providers/p1/status", json={"action": "remove"}, headers=world.city()
        )
        assert response.status_code == 422  # reason required
        response = await world.client.post(
            "/providers/p1/status", json={"action": "remove", "reason": "x"}, headers=world.provider("p1")
        )
        assert response.status_code == 403
        await world.ok(
            await world.client.post(
                "/providers/p1/status", json={"action": "remove", "reason": "x"}, headers=world.city()
            )
        )
        response = await world.client.post(
            "/providers/p1/status", json={"action": "reinstate", "reason": "x"}, headers=world.city()
        )
        assert response.status_code == 409
        # Removed providers leave the public roster.
        assert (await world.client.get("/providers/p1", headers=world.enterprise())).status_code == 404


class TestRosterList:
    async def test_filters_and_keyset_pages(self, world: World) -> None:
        for n in range(3):
            await world.listed_provider(f"p{n}")
        await world.listed_provider("q1", industries=["C38"])
        first = await world.ok(
            await world.client.get(
                "/providers", params={"industry": INDUSTRY, "limit": 2}, headers=world.enterprise()
            )
        )
        assert first["total"] == 3 and [p["provider_id"] for p in first["items"]] == ["p0", "p1"]
        second = await world.ok(
            await world.client.get(
                "/providers",
                params={"industry": INDUSTRY, "limit": 2, "cursor": first["next_cursor"]},
                headers=world.enterprise(),
            )
        )
        assert [p["provider_id"] for p in second["items"]] == ["p2"] and second["next_cursor"] is None
        bad = await world.client.get("/providers", params={"cursor": "***"}, headers=world.enterprise())
        assert bad.status_code == 422 and bad.json()["code"] == "invalid_cursor"


class TestRosterSorting:
    async def walk(self, world: World, order: str, between: Any = None) -> list[str]:
        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"order": order, "limit": 2} | ({"cursor": cursor} if cursor else {})
            page = await world.ok(await world.client.get("/providers", params=params, headers=world.city()))
            seen += [p["provider_id"] for p in page["items"]]
            if (cursor := page["next_cursor"]) is None:
                return seen
            if between is not None:
                await between()

    @pytest.mark.parametrize("order", ["id", "name", "rating_highest", "applied_newest"])
    async def test_pages_stay_stable_while_providers_apply(self, world: World, order: str) -> None:
        for n, name in enumerate(["丙公司", "甲公司", "乙公司", "丁公司"]):
            await world.apply(f"p{n}", name=name)
        whole = await world.ok(
            await world.client.get("/providers", params={"order": order}, headers=world.city())
        )
        present = [p["provider_id"] for p in whole["items"]]
        late = iter(range(10))

        async def apply_one() -> None:
            await world.apply(f"z{next(late)}", name="新申请")

        seen = await self.walk(world, order, apply_one)
        assert len(seen) == len(set(seen)) and [p for p in seen if p in present] == present
        if order == "name":
            assert [p["name"] for p in whole["items"]] == sorted(p["name"] for p in whole["items"])
        if order == "applied_newest":
            assert present == ["p3", "p2", "p1", "p0"]

    async def test_a_cursor_of_another_order_is_refused(self, world: World) -> None:
        for n in range(3):
            await world.apply(f"p{n}")
        first = await world.ok(
            await world.client.get("/providers", params={"order": "name", "limit": 2}, headers=world.city())
        )
        refused = await world.client.get(
            "/providers", params={"cursor": first["next_cursor"]}, headers=world.city()
        )
        assert refused.status_code == 422 and refused.json()["code"] == "invalid_cursor"
