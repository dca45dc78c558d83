from typing import Any

from services.matching.tests.helpers import COUNTY, ENTERPRISE, OTHER_COUNTY, OTHER_ENTERPRISE, World


def activity(**overrides: Any) -> dict[str, Any]:
    body = {
        "kind": "matchmaking",
        "title": "汽车零部件行业供需对接会",
        "county_code": COUNTY,
        "starts_at": "2026-10-10T01:00:00Z",
        "capacity": 2,
    }
    return body | overrides


async def planned(world: World, **overrides: Any) -> str:
    created = await world.ok(
        await world.client.post("/activities", json=activity(**overrides), headers=world.county()), 201
    )
    return created["activity_id"]  # type: ignore[no-any-return]


class TestActivities:
    async def test_sign_up_attend_outcome_and_counts(self, world: World) -> None:
        await world.enterprise_registered()
        await world.listed_provider("p1")
        aid = await planned(world)
        mine = await world.ok(
            await world.client.post(f"/activities/{aid}/registrations", json={}, headers=world.enterprise()),
            201,
        )
        await world.ok(
            await world.client.post(
                f"/activities/{aid}/registrations", json={}, headers=world.provider("p1")
            ),
            201,
        )
        await world.ok(
            await world.client.post(
                f"/activities/{aid}/attendance",
                json={"registration_ids": [mine["id"]]},
                headers=world.county(),
            )
        )
        held = await world.ok(
            await world.client.post(
                f"/activities/{aid}/outcome",
                json={"contacts_made": 3, "notes": "意向3个"},
                headers=world.county(),
            )
        )
        assert (held["status"], held["registered"], held["attended"]) == ("held", 2, 1)
        # The enterprise engaged the provider after the meeting: the meeting gets the credit.
        await world.ok(
            await world.client.post(
                "/engagements",
                json={"uscc": ENTERPRISE, "provider_id": "p1", "kind": "diagnosis"},
                headers=world.enterprise(),
            ),
            201,
        )
        stats = await world.ok(await world.client.get("/activities/stats", headers=world.city()))
        matchmaking = next(k for k in stats["kinds"] if k["kind"] == "matchmaking")
        assert matchmaking == {
            "kind": "matchmaking",
            "held": 1,
            "attendees": 1,
            "contacts_made": 3,
            "trained_by_role": {},
            "engagements_followed": 1,
        }

    async def test_training_counts_people_per_role(self, world: World) -> None:
        aid = await planned(world, kind="training", capacity=10)
        ids = []
        for name, role in (
            ("张三", "diagnosis_consultant"),
            ("李四", "diagnosis_consultant"),
            ("王五", "engineer"),
        ):
            row = await world.ok(
                await world.client.post(
                    f"/activities/{aid}/registrations",
                    json={"person_name": name, "trainee_role": role},
                    headers=world.county(),
                ),
                201,
            )
            ids.append(row["id"])
        await world.client.post(
            f"/activities/{aid}/attendance", json={"registration_ids": ids}, headers=world.city()
        )
        await world.client.post(f"/activities/{aid}/outcome", json={"contacts_made": 0}, headers=world.city())
        stats = await world.ok(await world.client.get("/activities/stats", headers=world.county()))
        training = next(k for k in stats["kinds"] if k["kind"] == "training")
        assert training["trained_by_role"] == {"diagnosis_consultant": 2, "engineer": 1}


class TestActivityRefusals:
    async def test_organising_is_for_the_city_and_own_county(self, world: World) -> None:
        for headers in (world.county(OTHER_COUNTY), world.enterprise(), world.provider("p1")):
            response = await world.client.post("/activities", json=activity(), headers=headers)
            assert response.status_code == 403
        response = await world.client.post(
            "/activities", json=activity(county_code=None), headers=world.county()
        )
        assert response.status_code == 403

    async def test_other_county_sees_nothing(self, world: World) -> None:
        aid = await planned(world)
        assert (
            await world.client.get(f"/activities/{aid}", headers=world.county(OTHER_COUNTY))
        ).status_code == 404
        page = await world.ok(await world.client.get("/activities", headers=world.county(OTHER_COUNTY)))
        assert page["total"] == 0
        page = await world.ok(await world.client.get("/activities", headers=world.enterprise()))
        assert page["total"] == 1

    async def test_full_duplicate_and_closed(self, world: World) -> None:
        aid = await planned(world, capacity=1)
        url = f"/activities/{aid}/registrations"
        await world.ok(await world.client.post(url, json={}, headers=world.enterprise()), 201)
        again = await world.client.post(url, json={}, headers=world.enterprise())
        assert again.status_code == 409 and again.json()["code"] == "already_registered"
        full = await world.client.post(url, json={}, headers=world.enterprise(OTHER_ENTERPRISE))
        assert full.status_code == 409 and full.json()["code"] == "activity_full"
        await world.client.post(
            f"/activities/{aid}/outcome", json={"contacts_made": 1}, headers=world.county()
        )
        late = await world.client.post(url, json={}, headers=world.provider("p9"))
        assert late.status_code == 409 and late.json()["code"] == "activity_not_open"

    async def test_attendance_by_the_organiser_for_its_sign_ups(self, world: World) -> None:
        aid = await planned(world)
        response = await world.client.post(
            f"/activities/{aid}/attendance", json={"registration_ids": [999]}, headers=world.county()
        )
        assert response.status_code == 422 and response.json()["code"] == "unknown_registration"
        response = await world.client.post(
            f"/activities/{aid}/attendance", json={"registration_ids": [1]}, headers=world.enterprise()
        )
        assert response.status_code == 403
        response = await world.client.get(f"/activities/{aid}/registrations", headers=world.enterprise())
        assert response.status_code == 403
        assert (await world.client.get("/activities/stats", headers=world.enterprise())).status_code == 403


class TestActivitySorting:
    async def test_starts_soonest_pages_stably_while_activities_are_planned(self, world: World) -> None:
        days = ["2026-10-12", "2026-10-10", "2026-10-14", "2026-10-11", "2026-10-13"]
        ids = {await planned(world, starts_at=f"{day}T01:00:00Z"): day for day in days}
        later = iter(range(20, 30))
        seen: list[str] = []
        cursor = None
        while True:
            params: dict[str, Any] = {"order": "starts_soonest", "limit": 2} | (
                {"cursor": cursor} if cursor else {}
            )
            page = await world.ok(await world.client.get("/activities", params=params, headers=world.city()))
            seen += [a["activity_id"] for a in page["items"]]
            if (cursor := page["next_cursor"]) is None:
                break
            await planned(world, starts_at=f"2026-09-{next(later)}T01:00:00Z")  # sorts before the cursor
        assert seen == sorted(ids, key=ids.__getitem__)
        first = await world.ok(
            await world.client.get(
                "/activities", params={"order": "starts_soonest", "limit": 1}, headers=world.city()
            )
        )
        refused = await world.client.get(
            "/activities",
            params={"order": "starts_latest", "cursor": first["next_cursor"]},
            headers=world.city(),
        )
        assert refused.status_code == 422 and refused.json()["code"] == "invalid_cursor"


class TestRegistrationPage:
    async def test_paging_while_people_sign_up_has_no_duplicate_or_gap(self, world: World) -> None:
        aid = await planned(world, kind="training", capacity=10)
        url = f"/activities/{aid}/registrations"

        async def sign_up(name: str) -> None:
            body = {"person_name": name, "trainee_role": "engineer"}
            await world.ok(await world.client.post(url, json=body, headers=world.county()), 201)

        for name in ("甲", "乙", "丙"):
            await sign_up(name)
        seen: list[str] = []
        cursor = None
        while True:
            params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
            page = await world.ok(
                await world.client.get(f"{url}/page", params=params, headers=world.county())
            )
            if not seen:
                await sign_up("丁")
            seen += [r["person_name"] for r in page["items"]]
            if (cursor := page["next_cursor"]) is None:
                break
        assert seen == ["甲", "乙", "丙", "丁"] and page["total"] == 4
        newest = await world.ok(
            await world.client.get(f"{url}/page", params={"order": "signed_newest"}, headers=world.county())
        )
        assert [r["person_name"] for r in newest["items"]] == ["丁", "丙", "乙", "甲"]
        refused = await world.client.get(f"{url}/page", headers=world.enterprise())
        assert refused.status_code == 403
