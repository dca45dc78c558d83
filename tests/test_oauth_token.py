"""POST /oauth/token at the gateway: the client credentials grant (RFC 6749 §4.4), its errors (§5.2) and
the limit on failed attempts. In process: no service is called."""

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import jwt
import pytest

from gateway.app import create_app
from gateway.oauth import FailureLimiter
from ops.keys import generate_key
from szcore.auth import Role, verify_token
from szcore.credentials import ClientRegistry
from szcore.settings import Environment, Settings

COUNTY = "330784"
GRANT = {"grant_type": "client_credentials"}


@pytest.fixture
def clients_file(tmp_path: Path) -> Path:
    return tmp_path / "clients.json"


@pytest.fixture
def secret(clients_file: Path) -> str:
    registry = ClientRegistry.load(clients_file)
    secret = registry.create("yongkang-system", Role.county_system, {"county": COUNTY})
    registry.save()
    return secret


@pytest.fixture
def settings(clients_file: Path) -> Settings:
    return Settings(env=Environment.test, clients_file=clients_file, client_auth_failures_per_minute=3)


@pytest.fixture
async def gateway(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(settings)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://gateway.test"
    ) as client:
        yield client


class TestGrant:
    async def test_basic_auth(self, gateway: httpx.AsyncClient, secret: str, settings: Settings) -> None:
        response = await gateway.post("/oauth/token", data=GRANT, auth=("yongkang-system", secret))
        assert response.status_code == 200, response.text
        body = response.json()
        assert (body["token_type"], body["expires_in"]) == ("Bearer", settings.client_token_ttl_seconds)
        assert response.headers["cache-control"] == "no-store"
        principal = verify_token(body["access_token"], settings)
        assert (principal.subject, principal.role, principal.county) == (
            "yongkang-system",
            Role.county_system,
            COUNTY,
        )

    async def test_form_fields(self, gateway: httpx.AsyncClient, secret: str) -> None:
        response = await gateway.post(
            "/oauth/token", data={**GRANT, "client_id": "yongkang-system", "client_secret": secret}
        )
        assert response.status_code == 200 and response.json()["access_token"]


class TestRefusals:
    async def test_wrong_secret(self, gateway: httpx.AsyncClient, secret: str) -> None:
        response = await gateway.post("/oauth/token", data=GRANT, auth=("yongkang-system", secret + "x"))
        assert response.status_code == 401
        assert response.json()["error"] == "invalid_client"
        assert response.headers["www-authenticate"].startswith("Basic")

    async def test_unknown_client_answers_the_same(self, gateway: httpx.AsyncClient, secret: str) -> None:
        response = await gateway.post("/oauth/token", data=GRANT, auth=("nobody", secret))
        assert response.status_code == 401 and response.json()["error"] == "invalid_client"

    async def test_revoked_client(self, gateway: httpx.AsyncClient, secret: str, clients_file: Path) -> None:
        assert (
            await gateway.post("/oauth/token", data=GRANT, auth=("yongkang-system", secret))
        ).status_code == 200
        registry = ClientRegistry.load(clients_file)
        registry.revoke("yongkang-system")
        registry.save()
        response = await gateway.post("/oauth/token", data=GRANT, auth=("yongkang-system", secret))
        assert response.status_code == 401 and response.json()["error"] == "invalid_client"

    @pytest.mark.parametrize(
        ("data", "error"),
        [({"grant_type": "password"}, "unsupported_grant_type"), ({}, "invalid_request")],
    )
    async def test_wrong_grant(
        self, gateway: httpx.AsyncClient, secret: str, data: dict[str, str], error: str
    ) -> None:
        response = await gateway.post("/oauth/token", data=data, auth=("yongkang-system", secret))
        assert response.status_code == 400 and response.json()["error"] == error

    async def test_json_body_is_not_a_token_request(self, gateway: httpx.AsyncClient, secret: str) -> None:
        response = await gateway.post("/oauth/token", json=GRANT, auth=("yongkang-system", secret))
        assert response.status_code == 400 and response.json()["error"] == "invalid_request"

    async def test_no_credentials(self, gateway: httpx.AsyncClient) -> None:
        response = await gateway.post("/oauth/token", data=GRANT)
        assert response.status_code == 401 and response.json()["error"] == "invalid_client"


class TestGuessing:
    async def test_failures_block_the_client_even_with_the_right_secret(
        self, gateway: httpx.AsyncClient, secret: str
    ) -> None:
        for _ in range(3):
            await gateway.post("/oauth/token", data=GRANT, auth=("yongkang-system", "guess"))
        response = await gateway.post("/oauth/token", data=GRANT, auth=("yongkang-system", secret))
        assert response.status_code == 429
        assert response.json()["error"] == "too_many_failed_attempts"
        assert int(response.headers["retry-after"]) > 0

    def test_failures_age_out(self) -> None:
        limiter = FailureLimiter(per_minute=2)
        limiter.fail(["k"], now=0)
        limiter.fail(["k"], now=1)
        assert limiter.blocked(["k"], now=2) == pytest.approx(58)
        assert limiter.blocked(["k"], now=61) == 0


class TestMachineCaller:
    async def test_bad_api_key_is_401(self, gateway: httpx.AsyncClient, secret: str) -> None:
        response = await gateway.get(
            "/county/v1/pushes/p1", headers={"x-api-key": f"yongkang-system.{secret}x"}
        )
        assert response.status_code == 401
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["code"] == "api_key_invalid"

    async def test_revoked_clients_tokens_stop_at_once(
        self, gateway: httpx.AsyncClient, secret: str, clients_file: Path
    ) -> None:
        token = (await gateway.post("/oauth/token", data=GRANT, auth=("yongkang-system", secret))).json()
        registry = ClientRegistry.load(clients_file)
        registry.revoke("yongkang-system")
        registry.save()
        response = await gateway.get(
            "/county/v1/pushes/p1", headers={"authorization": f"Bearer {token['access_token']}"}
        )
        assert response.status_code == 401 and response.json()["code"] == "client_revoked"

    async def test_other_roles_are_refused(self, gateway: httpx.AsyncClient, tokens) -> None:
        response = await gateway.get(
            "/county/v1/pushes/p1", headers=tokens.headers(Role.county_admin, county=COUNTY)
        )
        assert response.status_code == 403 and response.json()["code"] == "role_not_allowed"

    async def test_no_credentials(self, gateway: httpx.AsyncClient) -> None:
        response = await gateway.get("/county/v1/pushes/p1")
        assert response.status_code == 401 and response.json()["code"] == "token_missing"

    async def test_openapi_documents_both_ways_in(self, gateway: httpx.AsyncClient) -> None:
        document = (await gateway.get("/county/v1/openapi.json")).json()
        assert set(document["components"]["securitySchemes"]) == {"clientCredentials", "apiKey"}
        assert (
            document["components"]["securitySchemes"]["clientCredentials"]["flows"]["clientCredentials"][
                "tokenUrl"
            ]
            == "/oauth/token"
        )
        assert {"/pushes", "/pushes/{push_id}", "/pushes/{push_id}/errors"} <= set(document["paths"])


class TestProductionSigning:
    async def test_tokens_are_signed_with_the_configured_key_not_the_dev_secret(
        self, tmp_path: Path, clients_file: Path, secret: str
    ) -> None:
        private, jwks, kid = generate_key(tmp_path / "keys", "gateway-2026")
        settings = Settings(
            env=Environment.prod,
            auth_dev_secret=None,
            auth_jwks_file=jwks,
            auth_signing_key_file=private,
            clients_file=clients_file,
        )
        app = create_app(settings)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw") as gateway:
            answer = await gateway.post("/oauth/token", data=GRANT, auth=("yongkang-system", secret))
        assert answer.status_code == 200, answer.text
        token = answer.json()["access_token"]
        assert jwt.get_unverified_header(token) == {"alg": "RS256", "kid": kid, "typ": "JWT"}
        assert verify_token(token, settings).county == COUNTY
