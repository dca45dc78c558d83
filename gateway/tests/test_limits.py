"""Refusals before execution: size, depth, aliases, tokens, introspection, batching, rate limit,
persisted queries and the safelist. In process; no upstream is called."""

import hashlib
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from gateway.app import create_app
from gateway.guard import RateLimiter
from szcore.auth import Role
from szcore.settings import Environment, Settings


def gateway_client(**overrides: object) -> httpx.AsyncClient:
    settings = Settings(env=overrides.pop("env", Environment.test), **overrides)  # type: ignore[arg-type]
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=create_app(settings)), base_url="http://gw.test"
    )


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with gateway_client() as client:
        yield client


def codes(response: httpx.Response) -> list[str]:
    return [error["extensions"]["code"] for error in response.json()["errors"]]


class TestQueryLimits:
    async def test_too_deep(self, tokens) -> None:
        query = '{ enterprise(uscc: "91350100M000100Y43") { assessment { knownSince } } }'
        async with gateway_client(gateway_max_depth=1) as client:
            response = await client.post(
                "/graphql", json={"query": query}, headers=tokens.headers(Role.city_admin)
            )
        assert codes(response) == ["QUERY_TOO_DEEP"]

    async def test_too_many_aliases(self, client: httpx.AsyncClient) -> None:
        query = "{ " + " ".join(f"a{i}: __typename" for i in range(31)) + " }"
        response = await client.post("/graphql", json={"query": query})
        assert codes(response) == ["TOO_MANY_ALIASES"]

    async def test_too_many_tokens(self, client: httpx.AsyncClient) -> None:
        query = "{ " + " ".join("__typename" for _ in range(5000)) + " }"
        response = await client.post("/graphql", json={"query": query})
        assert codes(response) == ["QUERY_TOO_LARGE"]

    async def test_body_too_large(self) -> None:
        async with gateway_client(gateway_max_request_bytes=1000) as client:
            response = await client.post("/graphql", json={"query": "{ __typename }", "pad": "x" * 2000})
        assert response.status_code == 413

    async def test_batches_are_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.post(
            "/graphql", json=[{"query": "{ __typename }"}, {"query": "{ __typename }"}]
        )
        assert response.status_code == 400 and codes(response) == ["BATCHING_NOT_ALLOWED"]

    async def test_introspection_is_off_in_production(self) -> None:
        async with gateway_client(env=Environment.prod) as client:
            response = await client.post("/graphql", json={"query": "{ __schema { types { name } } }"})
        assert codes(response)[0] == "INTROSPECTION_DISABLED"

    async def test_introspection_is_on_in_development(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/graphql", json={"query": "{ __schema { queryType { name } } }"})
        assert response.json()["data"]["__schema"]["queryType"]["name"] == "Query"

    async def test_errors_carry_no_internals(self, client: httpx.AsyncClient) -> None:
        response = await client.post("/graphql", json={"query": "{ nope }"})
        assert codes(response) == ["GRAPHQL_VALIDATION_FAILED"]
        assert "Traceback" not in response.text


class TestRateLimit:
    def test_bucket_refills_over_time(self) -> None:
        limiter = RateLimiter(per_minute=2)
        assert limiter.allow("k", now=0.0)[0] and limiter.allow("k", now=0.0)[0]
        allowed, retry_after = limiter.allow("k", now=0.0)
        assert not allowed and retry_after == pytest.approx(30.0)
        assert limiter.allow("k", now=30.0)[0]
        assert limiter.allow("other", now=0.0)[0]

    async def test_a_principal_over_its_limit_gets_429(self, tokens) -> None:
        headers = tokens.headers(Role.city_admin)
        async with gateway_client(gateway_rate_limit_per_minute=3) as client:
            statuses = [
                (await client.post("/graphql", json={"query": "{ __typename }"}, headers=headers)).status_code
                for _ in range(4)
            ]
            other = await client.post(
                "/graphql", json={"query": "{ __typename }"}, headers=tokens.headers(Role.expert)
            )
        assert statuses == [200, 200, 200, 429]
        assert other.status_code == 200


class TestPersistedQueries:
    QUERY = "query Ping { __typename }\n"

    @pytest.fixture
    def operations(self, tmp_path: Path) -> Path:
        (tmp_path / "ping.graphql").write_text(self.QUERY)
        return tmp_path

    def digest(self) -> str:
        return hashlib.sha256(self.QUERY.encode()).hexdigest()

    async def test_a_registered_hash_runs_without_the_query_text(self, operations: Path) -> None:
        async with gateway_client(gateway_operations_dir=operations) as client:
            body = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": self.digest()}}}
            response = await client.post("/graphql", json=body)
        assert response.json() == {"data": {"__typename": "Query"}}

    async def test_an_unknown_hash_is_refused(self, operations: Path) -> None:
        async with gateway_client(gateway_operations_dir=operations) as client:
            body = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}}}
            response = await client.post("/graphql", json=body)
        assert codes(response) == ["PERSISTED_QUERY_NOT_FOUND"]

    async def test_safelist_runs_only_registered_operations(self, operations: Path) -> None:
        async with gateway_client(
            gateway_operations_dir=operations, gateway_persisted_queries="safelist"
        ) as client:
            registered = await client.post("/graphql", json={"query": self.QUERY})
            other = await client.post("/graphql", json={"query": "{ __typename }"})
        assert registered.json() == {"data": {"__typename": "Query"}}
        assert other.status_code == 400 and codes(other) == ["OPERATION_NOT_REGISTERED"]

    def test_every_example_operation_is_valid_against_the_schema(self) -> None:
        from graphql import parse, validate

        from gateway.guard import OPERATIONS_DIR
        from gateway.schema import schema

        examples = sorted(OPERATIONS_DIR.rglob("*.graphql"))
        assert examples
        for path in examples:
            assert validate(schema._schema, parse(path.read_text())) == [], path
