"""/national/v1 in front of fake services: who may pull, signatures over every body, the merged cursor
(each item once, restart from any cursor), validation and the rate limit."""

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any, cast

import httpx
import pytest

from gateway.app import create_app
from gateway.national.api import create_national_app
from gateway.national.feed import ENTITY_TYPES, FEED_SERVICES
from gateway.national.signing import SIGNATURE_HEADER, SignatureInvalid, verify
from szcore.auth import Role
from szcore.settings import Environment, Settings
from tests.support.fixtures import Tokens

TYPES_BY_SERVICE = {s: [t for t, owner in ENTITY_TYPES.items() if owner == s] for s in FEED_SERVICES}
SIZES = {"enrollment": 23, "assessment": 0, "funding": 5, "matching": 11}


def feeds() -> dict[str, list[dict[str, Any]]]:
    """Each service's sequenced feed, with gaps in its numbers (superseded rows are gone)."""
    result = {}
    for service, size in SIZES.items():
        kinds = TYPES_BY_SERVICE[service]
        result[service] = [
            {
                "seq": 3 * n + 2,
                "entity_type": kinds[n % len(kinds)],
                "entity_id": f"{service}-{n}",
                "deleted": False,
                "data": {"n": n, "name": "数转"},
            }
            for n in range(size)
        ]
    return result


class FakeService:
    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items
        self.tokens: list[str | None] = []

    async def send(
        self, method: str, path: str, token: str | None, params: dict[str, Any], headers: dict[str, str]
    ) -> httpx.Response:
        assert (method, path, headers["accept"]) == ("GET", "/national/changes", "application/x-ndjson")
        self.tokens.append(token)
        types = params["types"].split(",") if params.get("types") else None
        rows = [
            i
            for i in self.items
            if i["seq"] > params["after"] and (types is None or i["entity_type"] in types)
        ]
        page = rows[: params["limit"]]
        head = {"next_after": page[-1]["seq"] if page else params["after"], "has_more": len(rows) > len(page)}
        lines = [json.dumps({**head, "seqs": [i["seq"] for i in page]}), *map(json.dumps, page)]
        return httpx.Response(200, content="\n".join(lines).encode())


class FakeClients:
    def __init__(self) -> None:
        self.by_name = {name: FakeService(items) for name, items in feeds().items()}


def fake_clients() -> Any:
    return FakeClients()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(env=Environment.test, data_dir=tmp_path, national_rate_limit_per_minute=10_000)


@pytest.fixture
async def client(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_national_app(settings, fake_clients())
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw.test") as client:
        yield client


def national(tokens: Tokens) -> dict[str, str]:
    return tokens.headers(Role.national_platform, subject="national-platform")


def key(item: dict[str, Any]) -> tuple[str, str, int]:
    return item["entity_type"], item["entity_id"], item["seq"]


async def pull_all(
    client: httpx.AsyncClient, headers: dict[str, str], cursor: str | None, limit: int
) -> tuple[list[dict[str, Any]], list[tuple[int, str]]]:
    """Every item from `cursor` on, and after each page: (items taken so far, the page's next cursor)."""
    items: list[dict[str, Any]] = []
    cursors: list[tuple[int, str]] = []
    while True:
        params: dict[str, Any] = {"limit": limit}
        if cursor:
            params["after"] = cursor
        response = await client.get("/changes", params=params, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        assert len(page["items"]) <= limit
        items.extend(page["items"])
        cursor = page["next_cursor"]
        cursors.append((len(items), cursor))
        if not page["has_more"]:
            return items, cursors


class TestWhoMayPull:
    async def test_without_a_token_it_is_refused(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/changes")
        assert response.status_code == 401 and response.json()["code"] == "token_missing"

    @pytest.mark.parametrize("role", [Role.city_admin, Role.auditor, Role.provider])
    async def test_other_roles_are_refused(
        self, client: httpx.AsyncClient, tokens: Tokens, role: Role
    ) -> None:
        scope = {"provider_id": "P1"} if role == Role.provider else {}
        response = await client.get("/changes", headers=tokens.headers(role, **scope))
        assert response.status_code == 403 and response.json()["code"] == "role_not_allowed"

    async def test_the_national_platform_pulls_and_its_token_reaches_the_services(
        self, settings: Settings, tokens: Tokens
    ) -> None:
        clients = FakeClients()
        app = create_national_app(settings, cast(Any, clients))
        headers = national(tokens)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gw.test"
        ) as client:
            response = await client.get("/changes", headers=headers)
        assert response.status_code == 200
        assert clients.by_name["enrollment"].tokens == [headers["authorization"].removeprefix("Bearer ")]


class TestSignature:
    async def test_the_body_verifies_and_one_changed_byte_does_not(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        jwks = (await client.get("/keys")).json()
        response = await client.get("/changes", params={"limit": 5}, headers=national(tokens))
        signature = response.headers[SIGNATURE_HEADER]
        header = verify(response.content, signature, jwks)
        assert header["alg"] == "EdDSA" and header["kid"] == jwks["keys"][0]["kid"]
        for position in (0, len(response.content) // 2, len(response.content) - 1):
            changed = bytearray(response.content)
            changed[position] ^= 0x01
            with pytest.raises(SignatureInvalid):
                verify(bytes(changed), signature, jwks)

    async def test_errors_are_signed_too(self, client: httpx.AsyncClient) -> None:
        jwks = (await client.get("/keys")).json()
        response = await client.get("/changes")
        assert response.status_code == 401
        verify(response.content, response.headers[SIGNATURE_HEADER], jwks)

    async def test_a_signature_by_another_key_or_not_detached_fails(
        self, client: httpx.AsyncClient, tokens: Tokens, tmp_path: Path
    ) -> None:
        other = create_national_app(
            Settings(env=Environment.test, data_dir=tmp_path / "other"), fake_clients()
        )
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=other), base_url="http://o.test") as o:
            foreign = await o.get("/changes", headers=national(tokens))
        jwks = (await client.get("/keys")).json()
        with pytest.raises(SignatureInvalid, match="unknown key"):
            verify(foreign.content, foreign.headers[SIGNATURE_HEADER], jwks)
        protected, _, sig = foreign.headers[SIGNATURE_HEADER].split(".")
        with pytest.raises(SignatureInvalid, match="detached"):
            verify(foreign.content, f"{protected}.eA.{sig}", jwks)

    async def test_the_dev_key_is_kept_across_restarts(self, settings: Settings) -> None:
        first = create_national_app(settings, fake_clients())
        second = create_national_app(settings, fake_clients())
        keys = []
        for app in (first, second):
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://g.test"
            ) as c:
                keys.append((await c.get("/keys")).json())
        assert keys[0] == keys[1]


class TestCursor:
    async def test_paging_yields_every_item_once(self, client: httpx.AsyncClient, tokens: Tokens) -> None:
        items, _ = await pull_all(client, national(tokens), None, limit=7)
        keys = [(i["entity_type"], i["entity_id"]) for i in items]
        assert len(keys) == len(set(keys)) == sum(SIZES.values())
        for service in FEED_SERVICES:
            seqs = [i["seq"] for i in items if ENTITY_TYPES[i["entity_type"]] == service]
            assert seqs == sorted(seqs)

    async def test_restarting_from_any_cursor_yields_exactly_the_rest(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        headers = national(tokens)
        everything, cursors = await pull_all(client, headers, None, limit=4)
        for taken, cursor in cursors[:-1]:
            rest, _ = await pull_all(client, headers, cursor, limit=5)
            assert sorted(map(key, rest)) == sorted(map(key, everything[taken:]))
            assert len(set(map(key, rest))) == len(rest)

    async def test_types_select_entity_types(self, client: httpx.AsyncClient, tokens: Tokens) -> None:
        response = await client.get(
            "/changes", params={"types": "claim,enterprise", "limit": 100}, headers=national(tokens)
        )
        kinds = {i["entity_type"] for i in response.json()["items"]}
        assert kinds == {"claim", "enterprise"}

    @pytest.mark.parametrize(
        ("params", "code"),
        [
            ({"after": "not-a-cursor"}, "invalid_cursor"),
            ({"after": "eyJ2IjoyfQ"}, "invalid_cursor"),
            ({"types": "enterprise,secrets"}, "unknown_entity_type"),
            ({"limit": 100_000}, "validation_failed"),
        ],
    )
    async def test_bad_requests_are_explained(
        self, client: httpx.AsyncClient, tokens: Tokens, params: dict[str, Any], code: str
    ) -> None:
        response = await client.get("/changes", params=params, headers=national(tokens))
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        if code != "validation_failed":
            assert response.json()["code"] == code


class TestRateLimit:
    async def test_a_client_over_its_rate_gets_429_with_retry_after(
        self, tmp_path: Path, tokens: Tokens
    ) -> None:
        app = create_national_app(
            Settings(env=Environment.test, data_dir=tmp_path, national_rate_limit_per_minute=3),
            fake_clients(),
        )
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://g.test"
        ) as client:
            statuses = [
                (await client.get("/changes", headers=national(tokens))).status_code for _ in range(4)
            ]
            refused = await client.get("/changes", headers=national(tokens))
            other = await client.get(
                "/changes", headers=tokens.headers(Role.national_platform, subject="another-client")
            )
        assert statuses == [200, 200, 200, 429]
        assert refused.json()["code"] == "rate_limited" and int(refused.headers["retry-after"]) >= 1
        assert other.status_code == 200


class TestPublished:
    async def test_the_gateway_serves_the_versioned_openapi(self, settings: Settings) -> None:
        app = create_app(settings)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://gw.test"
        ) as client:
            document = (await client.get("/national/v1/openapi.json")).json()
        assert document["info"]["version"].startswith("1.")
        assert {"/changes", "/keys"} <= set(document["paths"])
