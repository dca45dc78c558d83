"""The national pull API against the real processes: while enterprises are being registered, the platform
pages the merged, signed feed; it ends with every enterprise once per pass, and a restart from a stored
cursor ends with the same set."""

import asyncio
from typing import Any

import httpx
import pytest

from gateway.national.signing import SIGNATURE_HEADER, verify
from ops.local import Platform
from szcore.auth import Role
from tests.support.fixtures import Tokens, unique_uscc

pytestmark = pytest.mark.e2e

COUNTY = "410322"


async def register(client: httpx.AsyncClient, tokens: Tokens, uscc: str) -> None:
    body = {
        "uscc": uscc,
        "name": f"国家平台同步测试{uscc[-6:]}",
        "county_code": COUNTY,
        "industry_code": "C34",
        "size_class": "below_scale",
    }
    response = await client.post("/enterprises", json=body, headers=tokens.headers(Role.city_admin))
    assert response.status_code == 201, response.text


class Puller:
    def __init__(self, client: httpx.AsyncClient, headers: dict[str, str], jwks: dict[str, Any]) -> None:
        self.client = client
        self.headers = headers
        self.jwks = jwks
        self.cursor: str | None = None
        self.seen: set[tuple[str, str, int]] = set()
        self.enterprises: dict[str, dict[str, Any]] = {}
        self.cursors: list[tuple[str, set[str]]] = []

    async def page(self, limit: int = 10) -> bool:
        params: dict[str, Any] = {"limit": limit, **({"after": self.cursor} if self.cursor else {})}
        response = await self.client.get("/national/v1/changes", params=params, headers=self.headers)
        assert response.status_code == 200, response.text
        verify(response.content, response.headers[SIGNATURE_HEADER], self.jwks)
        page = response.json()
        for item in page["items"]:
            key = (item["entity_type"], item["entity_id"], item["seq"])
            assert key not in self.seen, f"{key} delivered twice"
            self.seen.add(key)
            if item["entity_type"] == "enterprise":
                self.enterprises[item["entity_id"]] = item["data"]
        self.cursor = page["next_cursor"]
        self.cursors.append((self.cursor, set(self.enterprises)))
        return bool(page["has_more"])


async def drain(puller: Puller, wanted: set[str], timeout: float = 30) -> None:
    """Pages until the feed has nothing more and holds everything wanted (the sequencer runs behind)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        more = await puller.page()
        if not more and wanted <= set(puller.enterprises):
            return
        assert asyncio.get_running_loop().time() < deadline, (
            f"missing {sorted(wanted - set(puller.enterprises))}"
        )
        if not more:
            await asyncio.sleep(0.2)


class TestNationalPull:
    async def test_paging_while_writes_continue_misses_nothing_and_repeats_nothing(
        self, platform: Platform, tokens: Tokens
    ) -> None:
        headers = tokens.headers(Role.national_platform, subject="national-platform-e2e")
        async with (
            httpx.AsyncClient(base_url=platform.url("gateway"), timeout=30) as gateway,
            httpx.AsyncClient(base_url=platform.url("enrollment"), timeout=30) as enrollment,
        ):
            jwks = (await gateway.get("/national/v1/keys")).json()
            usccs = [unique_uscc() for _ in range(40)]
            puller = Puller(gateway, headers, jwks)
            # Catch up with what earlier tests left in the shared platform's feed in large pages (small
            # ones would take more requests than the rate limit allows); the race starts at the head.
            while await puller.page(limit=1000):
                pass
            puller.cursors.clear()
            writing = True

            async def writer(part: list[str]) -> None:
                for uscc in part:
                    await register(enrollment, tokens, uscc)

            async def follow() -> None:
                while writing:
                    await puller.page(limit=7)
                    await asyncio.sleep(0.05)

            follower = asyncio.create_task(follow())
            await asyncio.gather(*(writer(usccs[n::4]) for n in range(4)))
            writing = False
            await follower
            await drain(puller, set(usccs))
            assert all(puller.enterprises[u]["county_code"] == COUNTY for u in usccs)

            # A restart from a cursor stored mid-way ends holding the same enterprises.
            cursor, held = puller.cursors[len(puller.cursors) // 2]
            restarted = Puller(gateway, headers, jwks)
            restarted.cursor = cursor
            restarted.enterprises = {uscc: {} for uscc in held}
            await drain(restarted, set(usccs))
            assert set(restarted.enterprises) == set(puller.enterprises)

    async def test_the_city_may_not_use_the_national_api(self, platform: Platform, tokens: Tokens) -> None:
        async with httpx.AsyncClient(base_url=platform.url("gateway"), timeout=30) as gateway:
            response = await gateway.get("/national/v1/changes", headers=tokens.headers(Role.city_admin))
            spec = await gateway.get("/national/v1/openapi.json")
        assert response.status_code == 403 and SIGNATURE_HEADER.lower() in response.headers
        assert "/changes" in spec.json()["paths"]

    async def test_the_performance_figures_are_signed(self, platform: Platform, tokens: Tokens) -> None:
        async with (
            httpx.AsyncClient(base_url=platform.url("gateway"), timeout=60) as gateway,
            httpx.AsyncClient(base_url=platform.url("enrollment"), timeout=60) as enrollment,
        ):
            seeded = await enrollment.post("/programmes/seed", headers=tokens.headers(Role.city_admin))
            assert seeded.status_code in (200, 201), seeded.text
            jwks = (await gateway.get("/national/v1/keys")).json()
            response = await gateway.get(
                "/national/v1/performance",
                params={"programme": "jinhua-2024"},
                headers=tokens.headers(Role.national_platform, subject="national-platform-e2e"),
            )
        assert response.status_code == 200, response.text
        verify(response.content, response.headers[SIGNATURE_HEADER], jwks)
        assert response.json()["programme"] == "jinhua-2024" and response.json()["report"]
