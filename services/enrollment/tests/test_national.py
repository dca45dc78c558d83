"""Enrollment's part of the national feed: programmes (with their targets), dossiers and applications are
recorded where they change, including bulk pushes, and served with their snapshots to the platform."""

import json
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.national.feed import feed
from services.enrollment.programme.models import Programme
from services.enrollment.tests.test_bulk_push import COUNTY as BULK_COUNTY
from services.enrollment.tests.test_bulk_push import make_uscc, record
from szcore.auth import Role

COUNTY = "410322"
USCC = "91350100M000100Y43"


async def changes(client: httpx.AsyncClient, tokens: Any, **params: Any) -> dict[str, Any]:
    response = await client.get(
        "/national/changes", params=params, headers=tokens.headers(Role.national_platform)
    )
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


class TestEnrollmentFeed:
    async def test_programmes_and_a_registered_dossier_are_served_with_snapshots(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens: Any, programmes: list[str]
    ) -> None:
        body = {
            "uscc": USCC,
            "name": "洛阳轴承测试有限公司",
            "county_code": COUNTY,
            "industry_code": "C34",
            "size_class": "above_scale",
        }
        response = await client.post("/enterprises", json=body, headers=tokens.headers(Role.city_admin))
        assert response.status_code == 201, response.text
        await feed.sequence(session)
        page = await changes(client, tokens)
        by_type: dict[str, list[dict[str, Any]]] = {}
        for item in page["items"]:
            by_type.setdefault(item["entity_type"], []).append(item)
        assert {i["entity_id"] for i in by_type["programme"]} == set(programmes)
        assert all(i["data"]["config"] for i in by_type["programme"])
        [enterprise] = by_type["enterprise"]
        assert (
            enterprise["data"]["name"] == "洛阳轴承测试有限公司"
            and enterprise["data"]["size_class"] == "above_scale"
        )
        seqs = [i["seq"] for i in page["items"]]
        assert seqs == sorted(seqs) and page["next_after"] == seqs[-1] and not page["has_more"]

    async def test_a_later_change_moves_the_entity_past_the_cursor(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens: Any, programmes: list[str]
    ) -> None:
        await feed.sequence(session)
        cursor = (await changes(client, tokens))["next_after"]
        assert (await changes(client, tokens, after=cursor))["items"] == []
        programme = await session.get(Programme, programmes[0])
        assert programme is not None
        programme.name = "改名后的试点"
        await session.flush()
        await feed.sequence(session)
        later = await changes(client, tokens, after=cursor)
        assert [(i["entity_id"], i["data"]["name"]) for i in later["items"]] == [
            (programmes[0], "改名后的试点")
        ]
        assert later["items"][0]["seq"] > cursor
        everything = await changes(client, tokens, types="programme")
        assert sorted(i["entity_id"] for i in everything["items"]) == sorted(programmes)

    async def test_a_bulk_push_records_every_enterprise(
        self, client: httpx.AsyncClient, session: AsyncSession, tokens: Any, programmes: list[str]
    ) -> None:
        rows = [record(n) for n in range(1, 31)]
        response = await client.post(
            "/enterprises/bulk",
            params={"request_id": "national-feed-1"},
            content=json.dumps(rows, ensure_ascii=False).encode(),
            headers={
                **tokens.headers(Role.county_system, county=BULK_COUNTY),
                "content-type": "application/json",
            },
        )
        assert response.status_code == 200 and response.json()["created"] == 30, response.text
        await feed.sequence(session)
        page = await changes(client, tokens, types="enterprise", limit=100)
        assert {make_uscc(n) for n in range(1, 31)} <= {i["entity_id"] for i in page["items"]}


class TestWhoMayRead:
    @pytest.mark.parametrize("role", [Role.city_admin, Role.national_platform])
    async def test_the_city_and_the_platform_read(
        self, client: httpx.AsyncClient, tokens: Any, role: Role
    ) -> None:
        response = await client.get("/national/changes", headers=tokens.headers(role))
        assert response.status_code == 200

    async def test_a_county_is_refused(self, client: httpx.AsyncClient, tokens: Any) -> None:
        response = await client.get(
            "/national/changes", headers=tokens.headers(Role.county_admin, county=COUNTY)
        )
        assert response.status_code == 403 and response.json()["code"] == "role_not_allowed"

    async def test_an_unknown_type_is_explained(self, client: httpx.AsyncClient, tokens: Any) -> None:
        response = await client.get(
            "/national/changes", params={"types": "secrets"}, headers=tokens.headers(Role.national_platform)
        )
        assert response.status_code == 422 and response.json()["code"] == "unknown_entity_type"
