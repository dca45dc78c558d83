"""A dead or slow service fails only the fields it serves: the rest of the response resolves, and each failed
field is null with a coded error naming its path. In process: enrollment is faked, the assessment URL points
at a closed port and funding at a server that accepts connections but never answers."""

import asyncio
import socket
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from gateway.app import create_app
from szcore.auth import Role
from szcore.settings import Environment, Settings

USCC = "91410322MA9DEGR001"
QUERY = """query Overview($uscc: String!) {
  enterprise(uscc: $uscc) { uscc name assessment { knownSince } funding { paidFen } }
}"""


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def enrollment(request: httpx.Request) -> httpx.Response:
    assert request.url.path == f"/enterprises/{USCC}"
    return httpx.Response(
        200,
        json={
            "uscc": USCC,
            "name": "降级测试有限公司",
            "county_code": "410322",
            "industry_code": "C34",
            "size_class": "above_scale",
            "registered_at": "2026-01-01T00:00:00+00:00",
        },
    )


@pytest.fixture
async def silent_server() -> AsyncIterator[int]:
    """Accepts connections and never answers: a hung service."""
    held: list[asyncio.StreamWriter] = []

    async def hold(_: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        held.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    try:
        yield int(server.sockets[0].getsockname()[1])
    finally:
        for writer in held:
            writer.close()
        server.close()


@pytest.fixture
async def gateway(silent_server: int) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(
        env=Environment.test,
        assessment_url=f"http://127.0.0.1:{closed_port()}",
        funding_url=f"http://127.0.0.1:{silent_server}",
        upstream_timeout_seconds=0.5,
    )
    app = create_app(settings)
    clients = app.state.clients
    await clients.by_name["enrollment"].http.aclose()
    clients.by_name["enrollment"].http = httpx.AsyncClient(
        base_url="http://enrollment.test", transport=httpx.MockTransport(enrollment)
    )
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gw.test"
        ) as client:
            yield client
    finally:
        await clients.close()


class TestPartialData:
    async def test_dead_and_hung_services_fail_only_their_fields(
        self, gateway: httpx.AsyncClient, tokens: Any
    ) -> None:
        response = await gateway.post(
            "/graphql",
            json={"query": QUERY, "variables": {"uscc": USCC}},
            headers=tokens.headers(Role.city_admin),
        )
        assert response.status_code == 200
        body = response.json()
        assert body["data"]["enterprise"] == {
            "uscc": USCC,
            "name": "降级测试有限公司",
            "assessment": None,
            "funding": None,
        }
        errors = {tuple(e["path"]): e["extensions"]["code"] for e in body["errors"]}
        assert errors == {
            ("enterprise", "assessment"): "UPSTREAM_UNAVAILABLE",
            ("enterprise", "funding"): "UPSTREAM_TIMEOUT",
        }
        assert all("Traceback" not in e["message"] for e in body["errors"])
