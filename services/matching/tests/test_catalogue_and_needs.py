from services.matching.need.models import Need
from services.matching.tests.helpers import (
    COUNTY,
    ENTERPRISE,
    INDUSTRY,
    OTHER_COUNTY,
    OTHER_ENTERPRISE,
    SOLUTION_SCORES,
    World,
)

COMMON_NEEDS = {
    "industries": {
        INDUSTRY: [
            {"code": "N01", "title": "设备联网与数据采集", "scenario_codes": ["S05", "S09"]},
            {"code": "N02", "title": "质量追溯", "scenario_codes": ["S06"]},
        ]
    }
}


class TestSolutionCatalogue:
    async def test_submit_review_list_and_filter(self, world: World) -> None:
        await world.listed_provider("p1")
        listed = await world.listed_solution("p1")
        assert listed["status"] == "listed" and listed["list_price_fen"] == 5_000_000
        await world.listed_solution("p1", name="能耗监测", scenario_codes=["S10"])
        page = await world.ok(
            await world.client.get("/solutions", params={"scenario": "S10"}, headers=world.enterprise())
        )
        assert page["total"] == 1 and page["items"][0]["name"] == "能耗监测"

    async def test_refusals(self, world: World) -> None:
        await world.apply("p0")
        response = await world.client.post(
            "/solutions", json=world.solution_body(), headers=world.provider("p0")
        )
        assert response.status_code == 409 and response.json()["code"] == "provider_not_listed"
        await world.listed_provider("p1")
        response = await world.client.post(
            "/solutions", json=world.solution_body(scenario_codes=["S99"]), headers=world.provider("p1")
        )
        assert response.status_code == 422 and response.json()["code"] == "unknown_scenario"
        response = await world.client.post(
            "/solutions", json=world.solution_body(list_price_fen=1.5), headers=world.provider("p1")
        )
        assert response.status_code == 422
        submitted = await world.ok(
            await world.client.post("/solutions", json=world.solution_body(), headers=world.provider("p1")),
            201,
        )
        sid = submitted["solution_id"]
        # Unlisted products are not public; only the city decides.
        assert (await world.client.get(f"/solutions/{sid}", headers=world.enterprise())).status_code == 404
        response = await world.client.post(
            f"/solutions/{sid}/decision", json={"decision": "approve"}, headers=world.provider("p1")
        )
        assert response.status_code == 403
        response = await world.client.post(
            f"/solutions/{sid}/decision", json={"decision": "delist", "reason": "x"}, headers=world.city()
        )
        assert response.status_code == 409

    async def test_expert_review_and_public_notice(self, world: World) -> None:
        await world.listed_provider("p1")
        submitted = await world.ok(
            await world.client.post("/solutions", json=world.solution_body(), headers=world.provider("p1")),
            201,
        )
        url = f"/solutions/{submitted['solution_id']}"
        approve = {"decision": "approve", "notice_days": 7}
        missing = await world.client.post(f"{url}/decision", json=approve, headers=world.city())
        assert missing.status_code == 409 and missing.json()["code"] == "review_missing"
        low = dict.fromkeys(SOLUTION_SCORES, 40)
        review = await world.ok(
            await world.client.post(f"{url}/reviews", json={"scores": low}, headers=world.expert("e1")), 201
        )
        assert review["total_centi"] == 4000 and review["sheet_version"] == 0
        below = await world.client.post(f"{url}/decision", json=approve, headers=world.city())
        assert below.status_code == 409 and below.json()["code"] == "below_pass_score"
        await world.ok(
            await world.client.post(
                f"{url}/reviews",
                json={"scores": dict.fromkeys(SOLUTION_SCORES, 100)},
                headers=world.expert("e2"),
            ),
            201,
        )
        noticed = await world.ok(
            await world.client.post(f"{url}/decision", json=approve, headers=world.city())
        )
        assert noticed["status"] == "in_notice" and noticed["review_score_centi"] == 7000
        early = await world.client.post(f"{url}/listing", headers=world.city())
        assert early.status_code == 409 and early.json()["code"] == "notice_period_running"
        # Products in notice are not yet in the public catalogue.
        assert (await world.client.get(url, headers=world.enterprise())).status_code == 404
        reviews = await world.ok(await world.client.get(f"{url}/reviews", headers=world.city()))
        assert [r["expert"] for r in reviews] == ["e1", "e2"]
        late = await world.client.post(
            f"{url}/reviews", json={"scores": SOLUTION_SCORES}, headers=world.expert("e3")
        )
        assert late.status_code == 409 and late.json()["code"] == "solution_not_under_review"

    async def test_excellent_selection_per_year(self, world: World) -> None:
        await world.listed_provider("p1")
        sid = (await world.listed_solution("p1"))["solution_id"]
        chosen = await world.ok(
            await world.client.post(f"/solutions/{sid}/excellent", json={"year": 2026}, headers=world.city())
        )
        assert chosen["excellent_years"] == [2026]
        again = await world.client.post(
            f"/solutions/{sid}/excellent", json={"year": 2026}, headers=world.city()
        )
        assert again.status_code == 409 and again.json()["code"] == "already_excellent"
        page = await world.ok(
            await world.client.get("/solutions", params={"excellent_year": 2026}, headers=world.enterprise())
        )
        assert [s["solution_id"] for s in page["items"]] == [sid]


class TestSolutionReviewPage:
    async def test_paging_while_experts_file_has_no_duplicate_or_gap(self, world: World) -> None:
        await world.listed_provider("p1")
        submitted = await world.ok(
            await world.client.post("/solutions", json=world.solution_body(), headers=world.provider("p1")),
            201,
        )
        url = f"/solutions/{submitted['solution_id']}"

        async def review(expert: str, score: int) -> None:
            body = {"scores": dict.fromkeys(SOLUTION_SCORES, score)}
            await world.ok(
                await world.client.post(f"{url}/reviews", json=body, headers=world.expert(expert)), 201
            )

        for expert, score in (("e1", 40), ("e2", 90), ("e3", 60)):
            await review(expert, score)
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            page = await world.ok(
                await world.client.get(f"{url}/reviews/page", params=params, headers=world.city())
            )
            if not seen:
                await review("e4", 70)
            seen += [r["expert"] for r in page["items"]]
            if (cursor := page["next_cursor"]) is None:
                break
        assert seen == ["e1", "e2", "e3", "e4"] and page["total"] == 4
        best = await world.ok(
            await world.client.get(
                f"{url}/reviews/page", params={"order": "total_highest"}, headers=world.city()
            )
        )
        assert [r["expert"] for r in best["items"]] == ["e2", "e4", "e3", "e1"]
        refused = await world.client.get(f"{url}/reviews/page", headers=world.provider("p1"))
        assert refused.status_code == 403


class TestNeeds:
    async def test_common_list_is_data_and_can_be_adopted(self, world: World) -> None:
        await world.enterprise_registered()
        await world.ok(
            await world.client.post(
                "/rules/common_needs", json={"document": COMMON_NEEDS}, headers=world.city()
            ),
            201,
        )
        common = await world.ok(
            await world.client.get(f"/common-needs/{INDUSTRY}", headers=world.enterprise())
        )
        assert common["version"] == 1 and [i["code"] for i in common["items"]] == ["N01", "N02"]
        await world.ok(
            await world.client.post(
                f"/enterprises/{ENTERPRISE}/needs", json={"common_code": "N01"}, headers=world.enterprise()
            ),
            201,
        )
        await world.ok(
            await world.client.post(
                f"/enterprises/{ENTERPRISE}/needs",
                json={"scenario_code": "S13", "title": "财务业财一体化"},
                headers=world.county(),
            ),
            201,
        )
        needs = await world.ok(
            await world.client.get(f"/enterprises/{ENTERPRISE}/needs", headers=world.enterprise())
        )
        assert sorted((n["scenario_code"], n["source"]) for n in needs) == [
            ("S05", "city_list"),
            ("S09", "city_list"),
            ("S13", "enterprise"),
        ]

    async def test_batch_read_by_uscc_is_scoped_like_one_enterprise(self, world: World) -> None:
        await world.enterprise_registered()
        await world.enterprise_registered(OTHER_ENTERPRISE, county=OTHER_COUNTY)
        for uscc in (ENTERPRISE, OTHER_ENTERPRISE):
            await world.ok(
                await world.client.post(
                    f"/enterprises/{uscc}/needs",
                    json={"scenario_code": "S13", "title": "财务业财一体化"},
                    headers=world.city(),
                ),
                201,
            )
        params = {"uscc": [ENTERPRISE, OTHER_ENTERPRISE.lower(), "91340100MA2TE0003Z"]}

        async def usccs(headers: dict[str, str]) -> list[str]:
            batch = await world.ok(
                await world.client.get("/needs/by-enterprise", params=params, headers=headers)
            )
            return [n["uscc"] for n in batch["items"]]

        assert await usccs(world.city()) == [ENTERPRISE, OTHER_ENTERPRISE]
        assert await usccs(world.county()) == [ENTERPRISE]
        assert await usccs(world.county(OTHER_COUNTY)) == [OTHER_ENTERPRISE]
        assert await usccs(world.enterprise(OTHER_ENTERPRISE)) == [OTHER_ENTERPRISE]
        assert await usccs(world.provider("p1")) == []

    async def test_refusals(self, world: World) -> None:
        await world.enterprise_registered()
        url = f"/enterprises/{ENTERPRISE}/needs"
        response = await world.client.post(url, json={"common_code": "N77"}, headers=world.enterprise())
        assert response.status_code == 422 and response.json()["code"] == "unknown_common_need"
        response = await world.client.post(url, json={"scenario_code": "S05"}, headers=world.enterprise())
        assert response.status_code == 422
        response = await world.client.post(
            url, json={"scenario_code": "S05", "title": "x"}, headers=world.enterprise(OTHER_ENTERPRISE)
        )
        assert response.status_code == 404
        response = await world.client.post(
            url, json={"scenario_code": "S05", "title": "x"}, headers=world.county(OTHER_COUNTY)
        )
        assert response.status_code == 404
        response = await world.client.post(
            url, json={"scenario_code": "S05", "title": "x"}, headers=world.provider("p")
        )
        assert response.status_code == 403

    async def test_gap_analysis_event_becomes_needs_idempotently(self, world: World) -> None:
        await world.enterprise_registered()
        await world.gap_analysis(ENTERPRISE, ("S05", 1, 2), ("S06", 0, 2))
        await world.gap_analysis(ENTERPRISE, ("S05", 1, 2), ("S06", 0, 2))
        needs = await world.ok(
            await world.client.get(f"/enterprises/{ENTERPRISE}/needs", headers=world.city())
        )
        assert [(n["scenario_code"], n["source"], n["to_level"]) for n in needs] == [
            ("S05", "gap_analysis", 2),
            ("S06", "gap_analysis", 2),
        ]
        # A newer analysis replaces the earlier one: S06 no longer needed.
        await world.gap_analysis(ENTERPRISE, ("S05", 1, 3), assessment_id="as-2")
        needs = await world.ok(
            await world.client.get(f"/enterprises/{ENTERPRISE}/needs", headers=world.city())
        )
        assert {n["scenario_code"]: n["status"] for n in needs} == {"S05": "open", "S06": "closed"}
        assert isinstance(needs[0]["need_id"], str) and Need.__tablename__ == "need"


class TestNeedPage:
    async def test_paging_while_needs_are_added_has_no_duplicate_or_gap(self, world: World) -> None:
        await world.enterprise_registered()
        url = f"/enterprises/{ENTERPRISE}/needs"

        async def add(code: str) -> None:
            body = {"scenario_code": code, "title": f"需求{code}"}
            await world.ok(await world.client.post(url, json=body, headers=world.city()), 201)

        for code in ("S02", "S04", "S06", "S08"):
            await add(code)
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            page = await world.ok(await world.client.get(f"{url}/page", params=params, headers=world.city()))
            if not seen:
                await add("S03")  # before the cursor: left to a fresh read
                await add("S07")  # after it: reached on the next page
            seen += [n["scenario_code"] for n in page["items"]]
            if (cursor := page["next_cursor"]) is None:
                break
        assert seen == ["S02", "S04", "S06", "S07", "S08"] and page["total"] == 6

    async def test_newest_first_scoped_like_the_list(self, world: World) -> None:
        await world.enterprise_registered()
        url = f"/enterprises/{ENTERPRISE}/needs"
        for code in ("S05", "S01"):
            body = {"scenario_code": code, "title": "x"}
            await world.ok(await world.client.post(url, json=body, headers=world.city()), 201)
        page = await world.ok(
            await world.client.get(
                f"{url}/page", params={"order": "created_newest"}, headers=world.enterprise()
            )
        )
        assert [n["scenario_code"] for n in page["items"]] == ["S01", "S05"]
        hidden = await world.client.get(f"{url}/page", headers=world.enterprise(OTHER_ENTERPRISE))
        assert hidden.status_code == 404


class TestMatching:
    async def seed(self, world: World) -> dict[str, str]:
        await world.enterprise_registered()
        await world.listed_provider("p1")
        await world.listed_provider("p2", counties=[OTHER_COUNTY])
        mes = (await world.listed_solution("p1", scenario_codes=["S05"]))["solution_id"]
        qms = (await world.listed_solution("p2", name="质量追溯", scenario_codes=["S06"]))["solution_id"]
        return {"mes": mes, "qms": qms}

    async def matches(self, world: World, **params: object) -> dict:  # type: ignore[type-arg]
        return await world.ok(  # type: ignore[no-any-return]
            await world.client.get(
                f"/enterprises/{ENTERPRISE}/matches", params=params, headers=world.enterprise()
            )
        )

    async def test_gap_analysis_changes_the_ranking(self, world: World) -> None:
        ids = await self.seed(world)
        await world.gap_analysis(ENTERPRISE, ("S05", 1, 2))
        first = await self.matches(world)
        assert [s["solution_id"] for s in first["solutions"]] == [ids["mes"]]
        await world.gap_analysis(ENTERPRISE, ("S06", 0, 2), assessment_id="as-2")
        second = await self.matches(world)
        assert second["needed_scenarios"] == ["S06"]
        assert [s["solution_id"] for s in second["solutions"]] == [ids["qms"]]
        factor = {f["code"]: f for f in second["solutions"][0]["factors"]}
        assert (
            factor["county_served"]["value"] == 0
            and "does not serve" in factor["county_served"]["explanation"]
        )

    async def test_explained_deterministic_and_weights_per_programme(self, world: World) -> None:
        ids = await self.seed(world)
        await world.gap_analysis(ENTERPRISE, ("S05", 1, 2), ("S06", 0, 2))
        ranked = await self.matches(world, budget_fen=10_000_000)
        assert [s["solution_id"] for s in ranked["solutions"]] == [ids["mes"], ids["qms"]]
        assert ranked == await self.matches(world, budget_fen=10_000_000)
        assert [p["provider_id"] for p in ranked["providers"]] == ["p1", "p2"]
        weights = dict.fromkeys(
            [
                "scenario_coverage",
                "industry_fit",
                "county_served",
                "rating",
                "capacity",
                "price_fit",
                "track_record",
            ],
            0,
        ) | {"track_record": 1}
        await world.ok(
            await world.client.post(
                "/rules/matching_weights",
                json={"scope": "hefei-2026", "document": {"weights": weights, "max_open_projects": 3}},
                headers=world.city(),
            ),
            201,
        )
        programme = await self.matches(world, programme="hefei-2026")
        assert programme["weights_version"] == 1
        assert all(s["score"] == 0 for s in programme["solutions"])
        # Ties break on the solution id.
        assert [s["solution_id"] for s in programme["solutions"]] == sorted([ids["mes"], ids["qms"]])

    async def test_linked_provider_is_excluded_and_officials_see_why(self, world: World) -> None:
        await world.enterprise_registered()
        await world.listed_provider("p1", related_usccs=[ENTERPRISE])
        await world.listed_solution("p1", scenario_codes=["S05"])
        await world.gap_analysis(ENTERPRISE, ("S05", 1, 2))
        assert (await self.matches(world))["solutions"] == []
        city = await world.ok(
            await world.client.get(f"/enterprises/{ENTERPRISE}/matches", headers=world.county(COUNTY))
        )
        assert city["excluded"] == [{"provider_id": "p1", "reason": "conflict_of_interest"}]

    async def test_who_may_see_matches(self, world: World) -> None:
        await world.enterprise_registered()
        url = f"/enterprises/{ENTERPRISE}/matches"
        assert (await world.client.get(url, headers=world.provider("p1"))).status_code == 403
        assert (await world.client.get(url, headers=world.enterprise(OTHER_ENTERPRISE))).status_code == 404
        assert (await world.client.get(url, headers=world.county(OTHER_COUNTY))).status_code == 404

    async def test_prospect_page_while_needs_arrive_has_no_duplicate_or_gap(self, world: World) -> None:
        await self.seed(world)
        usccs = [f"91340100MA2TE000{i}X" for i in range(1, 5)]

        async def prospect(uscc: str) -> None:
            if uscc != ENTERPRISE:
                await world.enterprise_registered(uscc)
            await world.gap_analysis(uscc, ("S05", 1, 2), assessment_id=f"as-{uscc}")

        for uscc in (usccs[0], usccs[2]):
            await prospect(uscc)
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": 1} | ({"cursor": cursor} if cursor else {})
            page = await world.ok(
                await world.client.get(
                    "/providers/p1/prospects/page", params=params, headers=world.provider("p1")
                )
            )
            if not seen:
                await prospect(usccs[1])
                await prospect(usccs[3])
            seen += [p["uscc"] for p in page["items"]]
            if (cursor := page["next_cursor"]) is None:
                break
        assert seen == usccs and page["total"] == 4
        other = await world.client.get("/providers/p1/prospects/page", headers=world.provider("p2"))
        assert other.status_code == 403

    async def test_reverse_view_for_providers(self, world: World) -> None:
        ids = await self.seed(world)
        await world.enterprise_registered(OTHER_ENTERPRISE, county=OTHER_COUNTY)
        await world.gap_analysis(ENTERPRISE, ("S05", 1, 2))
        await world.gap_analysis(OTHER_ENTERPRISE, ("S05", 1, 2))
        view = await world.ok(await world.client.get("/providers/p1/prospects", headers=world.provider("p1")))
        assert [(p["uscc"], p["matched_scenarios"], p["solution_ids"]) for p in view["items"]] == [
            (ENTERPRISE, ["S05"], [ids["mes"]])
        ]
        other = await world.client.get("/providers/p1/prospects", headers=world.provider("p2"))
        assert other.status_code == 403
        await world.listed_provider("p3", sign=False)
        unsigned = await world.client.get("/providers/p3/prospects", headers=world.provider("p3"))
        assert unsigned.status_code == 409 and unsigned.json()["code"] == "confidentiality_unsigned"
