"""The county API at the gateway in process (no service behind it): body cap, Idempotency-Key checks and
an unreachable enrollment service, all as problem+json."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from gateway.app import create_app
from szcore.auth import Role
from szcore.credentials import ClientRegistry
from szcore.settings import Environment, Settings


@pytest.fixture
async def county(tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, dict[str, str]]]:
    registry = ClientRegistry.load(tmp_path / "clients.json")
    secret = registry.create("yongkang-system", Role.county_system, {"county": "330784"})
    registry.save()
    settings = Settings(
        env=Environment.test,
        clients_file=registry.path,
        county_push_max_bytes=10_000,
        gateway_max_request_bytes=1_000,
        enrollment_url="http://127.0.0.1:9",  # nothing listens there
    )
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://gateway.test") as client:
        yield client, {"x-api-key": f"yongkang-system.{secret}", "idempotency-key": "k1"}


class TestBodyCap:
    async def test_pushes_may_be_larger_than_graphql_requests_up_to_their_own_cap(
        self, county: tuple[httpx.AsyncClient, dict[str, str]]
    ) -> None:
        client, headers = county
        too_large = await client.post("/county/v1/pushes", content=b"x" * 10_001, headers=headers)
        assert too_large.status_code == 413 and too_large.json()["code"] == "payload_too_large"
        # Past the GraphQL cap but within the push cap: it reaches enrollment (unreachable here).
        within = await client.post("/county/v1/pushes", content=b"[]" + b" " * 5_000, headers=headers)
        assert within.status_code == 503 and within.json()["code"] == "upstream_unavailable"
        graphql = await client.post(
            "/graphql", content=b" " * 5_000, headers={"content-type": "application/json"}
        )
        assert graphql.status_code == 413


class TestIdempotencyKey:
    @pytest.mark.parametrize(
        ("key", "code"), [(None, "idempotency_key_missing"), ("a b/c", "idempotency_key_invalid")]
    )
    async def test_missing_or_malformed_key(
        self, key: str | None, code: str, county: tuple[httpx.AsyncClient, dict[str, str]]
    ) -> None:
        client, headers = county
        headers = {k: v for k, v in headers.items() if k != "idempotency-key"}
        if key:
            headers["idempotency-key"] = key
        response = await client.post("/county/v1/pushes", json=[], headers=headers)
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == code
