"""GraphQL limits against the shapes gateway/tests/test_limits.py does not try: depth and aliases hidden
in fragments, fragment cycles, exponential fragment fan-out, many operations in one document, huge or
deeply nested variables, and batching in its other forms. Each is refused (or answered cheaply), never a
5xx. In process; no upstream is called."""

import json
import time
from collections.abc import AsyncIterator

import httpx
import pytest

from gateway.app import create_app
from szcore.auth import Role
from szcore.settings import Environment, Settings
from tests.support.fixtures import Tokens


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings(env=Environment.test))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw.test") as client:
        yield client


async def ask(client: httpx.AsyncClient, tokens: Tokens, body: object) -> httpx.Response:
    return await client.post(
        "/graphql",
        content=json.dumps(body),
        headers={**tokens.headers(Role.city_admin), "content-type": "application/json"},
    )


def codes(response: httpx.Response) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in response.json().get("errors", [])]


class TestDepthAndWidthThroughFragments:
    async def test_depth_hidden_in_fragments_is_counted(self, tokens) -> None:  # type: ignore[no-untyped-def]
        query = (
            '{ ...E } fragment E on Query { enterprise(uscc: "x") { ...A } } '
            "fragment A on Enterprise { assessment { knownSince } }"
        )
        app = create_app(Settings(env=Environment.test, gateway_max_depth=1))
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gw.test"
        ) as client:
            response = await ask(client, tokens, {"query": query})
        assert response.status_code < 500 and codes(response) == ["QUERY_TOO_DEEP"]

    async def test_aliases_spread_over_fragments_are_counted(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        fragments = " ".join(
            f"fragment F{n} on Query {{ " + " ".join(f"a{n}_{i}: __typename" for i in range(10)) + " }"
            for n in range(5)
        )
        query = "{ " + " ".join(f"...F{n}" for n in range(5)) + " } " + fragments
        response = await ask(client, tokens, {"query": query})
        assert response.status_code < 500 and codes(response) == ["TOO_MANY_ALIASES"]

    async def test_fragment_cycles_are_refused(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        query = "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"
        response = await ask(client, tokens, {"query": query})
        assert response.status_code < 500
        assert codes(response) == ["GRAPHQL_VALIDATION_FAILED"]

    async def test_exponential_fragment_fan_out_is_cheap_or_refused(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        # F_n spreads F_(n-1) twice: 2^25 paths if expanded naively ("billion laughs").
        fragments = ["fragment F0 on Query { __typename }"] + [
            f"fragment F{n} on Query {{ ...F{n - 1} ...F{n - 1} }}" for n in range(1, 26)
        ]
        started = time.perf_counter()
        response = await ask(client, tokens, {"query": "{ ...F25 } " + " ".join(fragments)})
        assert response.status_code < 500
        assert time.perf_counter() - started < 10
        assert codes(response) == [] or set(codes(response)) <= {"QUERY_TOO_LARGE", "QUERY_TOO_COMPLEX"}

    async def test_many_operations_in_one_document_run_at_most_one(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        # Not a way around the batching refusal: one operation (at most) is executed.
        query = " ".join(f"query Q{n} {{ a{n}: __typename }}" for n in range(50))
        response = await ask(client, tokens, {"query": query})
        assert response.status_code < 500
        assert codes(response) or len(response.json()["data"]) == 1


class TestBatching:
    async def test_a_one_element_batch_is_refused_too(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        response = await ask(client, tokens, [{"query": "{ __typename }"}])
        assert response.status_code == 400 and codes(response) == ["BATCHING_NOT_ALLOWED"]

    async def test_an_empty_batch_is_refused(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        response = await ask(client, tokens, [])
        assert 400 <= response.status_code < 500


class TestHostileVariables:
    async def test_a_huge_list_variable_is_refused_or_answered_without_error(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        body = {
            "query": "query Q($ids: [String!]!) { __typename }",
            "variables": {"ids": ["x"] * 150_000},
        }
        response = await ask(client, tokens, body)
        assert response.status_code < 500

    async def test_deeply_nested_json_variables(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        nested = "[" * 50_000 + "]" * 50_000
        content = '{"query": "{ __typename }", "variables": {"x": ' + nested + "}}"
        response = await client.post(
            "/graphql",
            content=content,
            headers={**tokens.headers(Role.city_admin), "content-type": "application/json"},
        )
        assert 400 <= response.status_code < 500 or codes(response)

    async def test_variables_that_are_not_an_object(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        response = await ask(client, tokens, {"query": "{ __typename }", "variables": [1, 2, 3]})
        assert 400 <= response.status_code < 500 or codes(response)

    async def test_a_query_that_is_not_a_string(self, client, tokens) -> None:  # type: ignore[no-untyped-def]
        response = await ask(client, tokens, {"query": {"nested": True}})
        assert 400 <= response.status_code < 500
