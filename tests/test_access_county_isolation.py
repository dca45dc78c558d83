"""County isolation with randomised data: enterprises spread at random over four counties; a county admin
of one county never sees another county's enterprise in lists and their totals, batch reads, reads by
USCC, exports (XLSX and its JSON form), the live subscriptions (authorised by the dossier read) or the
national change feed (national_platform only, in every service)."""

import base64
import io
import random
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import openpyxl
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.app import create_app
from services.enrollment.programme.service import seed
from szcore.auth import Principal, Role
from szcore.errors import ProblemError
from tests.access.enterprises import COUNTIES, Registered, register_random
from tests.access.routes import APPS
from tests.support.fixtures import Tokens, asgi_client, rolled_back_session

SEEDS = (7, 2024, 90210)


@pytest.fixture
async def session(migrated_engines: Callable) -> AsyncIterator[AsyncSession]:  # type: ignore[type-arg]
    engine = await migrated_engines("enrollment")
    async for session in rolled_back_session(engine):
        await seed(session, Principal(subject="city-test", role=Role.city_admin))
        yield session


@pytest.fixture
async def client(session: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(create_app(), session) as client:
        yield client


def xlsx_usccs(content: bytes) -> set[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    return {
        str(cell)
        for row in sheet.iter_rows(values_only=True)
        for cell in row
        if cell and len(str(cell)) == 18
    }


async def all_pages(client: httpx.AsyncClient, headers: dict[str, str]) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    cursor = None
    total = -1
    while True:
        params = {"limit": 7, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/enterprises", params=params, headers=headers)).json()
        items += page["items"]
        total = page["total"] if total == -1 else total
        cursor = page.get("next_cursor")
        if not cursor:
            return items, total


@pytest.mark.parametrize("seed_value", SEEDS)
class TestCountyAdminSeesOnlyItsCounty:
    async def test_lists_reads_and_exports(
        self, client: httpx.AsyncClient, tokens: Tokens, seed_value: int
    ) -> None:
        rng = random.Random(seed_value)
        registered = await register_random(client, tokens, rng, rng.randint(12, 24))
        every = {e.uscc for e in registered}
        for county in COUNTIES:
            headers = tokens.headers(Role.county_admin, county=county)
            mine = {e.uscc for e in registered if e.county == county}
            theirs: list[Registered] = [e for e in registered if e.county != county]

            items, total = await all_pages(client, headers)
            assert {i["uscc"] for i in items} & every == mine
            assert {i["county_code"] for i in items} <= {county}
            assert total == len(items)

            batch = await client.get("/enterprises", params={"uscc": sorted(every)}, headers=headers)
            assert {i["uscc"] for i in batch.json()["items"]} == mine

            for other in rng.sample(theirs, min(4, len(theirs))):
                for suffix in ("", "/history", "/timeline", "/designations"):
                    response = await client.get(f"/enterprises/{other.uscc}{suffix}", headers=headers)
                    assert response.status_code == 404, (suffix, response.text)
                    assert response.json()["code"]
                patch = await client.patch(
                    f"/enterprises/{other.uscc}", json={"employees": 1}, headers=headers
                )
                assert patch.status_code in (403, 404)

            xlsx = await client.get("/enterprises/export.xlsx", headers=headers)
            assert xlsx.status_code == 200
            assert xlsx_usccs(xlsx.content) & every == mine
            exported = (await client.get("/enterprises/export", headers=headers)).json()
            assert xlsx_usccs(base64.b64decode(exported["content_base64"])) & every == mine

            filtered = await client.get(
                "/enterprises", params={"county_code": theirs[0].county}, headers=headers
            )
            assert filtered.status_code in (200, 403)
            if filtered.status_code == 200:
                assert filtered.json()["items"] == [] and filtered.json()["total"] == 0


class TestLiveSubscriptions:
    async def test_a_subscription_is_authorised_by_the_dossier_read(self) -> None:
        """The gateway reads the dossier with the subscriber's token before it listens: what that read
        refuses (404 for another county, as above) the subscription refuses before any event."""
        from gateway.subscriptions import enterprise_stream

        class Refusing:
            async def get(self, path: str, token: str | None) -> Any:
                raise ProblemError(404, "enterprise_not_found", "Not Found", f"{path} not visible")

        class Hub:
            async def listen(self, matches: Any) -> AsyncIterator[Any]:
                raise AssertionError("listened without authorisation")
                yield

        context = type(
            "Context",
            (),
            {
                "clients": type("Clients", (), {"enrollment": Refusing()})(),
                "token": "county-token",
                "request": type(
                    "Request", (), {"app": type("App", (), {"state": type("S", (), {"live": Hub()})()})()}
                )(),
            },
        )()
        info = type("Info", (), {"context": context})()
        with pytest.raises(ProblemError) as refused:
            await anext(enterprise_stream(info, "91410300MA44FFTP7K", None))  # type: ignore[arg-type]
        assert refused.value.status == 404


@pytest.mark.parametrize("service", sorted(APPS))
class TestNationalChangeFeed:
    async def test_only_the_national_platform_reads_it(
        self,
        service: str,
        migrated_engines: Callable,
        tokens: Tokens,  # type: ignore[type-arg]
    ) -> None:
        engine = await migrated_engines(service)
        async for session in rolled_back_session(engine):
            async with asgi_client(APPS[service](), session) as client:
                for county in COUNTIES[:2]:
                    for role in (Role.county_admin, Role.county_system):
                        response = await client.get(
                            "/national/changes", headers=tokens.headers(role, county=county)
                        )
                        assert response.status_code == 403, response.text
                        assert response.json()["code"]
                ok = await client.get("/national/changes", headers=tokens.headers(Role.national_platform))
                assert ok.status_code == 200
