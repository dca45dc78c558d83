"""Forged and misused bearer tokens, refused by verify_token, by a service over HTTP and by the gateway over
HTTP and over the WebSocket's connection_init. Production mode: RS256 keys from a JWKS file."""

import base64
import hashlib
import hmac
import json
import time
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.testclient import TestClient

import szcore.auth
from gateway.app import create_app as gateway_app
from services.funding.app import create_app as funding_app
from szcore.auth import InvalidToken, TokenLifetimeTooLong, issue_token, verify_token
from szcore.settings import Environment, Settings
from tests.support.fixtures import override_sessions

DEV_SECRET = "shuzhuan-dev-secret-change-me-in-production-0123"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def pem(k: rsa.RSAPrivateKey) -> str:
        return k.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()

    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwks = tmp_path_factory.mktemp("jwt") / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}))
    public_pem = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return {"pem": pem(key), "other_pem": pem(other), "jwks": jwks, "public_pem": public_pem}


def claims(**overrides: object) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "sub": "official-1",
        "role": "city_admin",
        "iss": "shuzhuan",
        "aud": "shuzhuan",
        "iat": now,
        "nbf": now,
        "exp": now + 600,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def forge_hs256(secret: bytes, payload: dict[str, Any], header: dict[str, Any]) -> str:
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(payload).encode())}"
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{b64(signature)}"


def tampered(token: str, **changes: object) -> str:
    """The same signature over a payload with some claims changed (e.g. a role raised)."""
    header, payload, signature = token.split(".")
    data = json.loads(unb64(payload))
    data.update(changes)
    return f"{header}.{b64(json.dumps(data).encode())}.{signature}"


# name → (token maker, expected code); every token is otherwise valid, with the production key.
def attacks(keys: dict[str, Any]) -> dict[str, tuple[str, str]]:
    def rs(payload: dict[str, Any], kid: str = "k1", key: str = "pem") -> str:
        return jwt.encode(payload, keys[key], algorithm="RS256", headers={"kid": kid})

    now = int(time.time())
    unsigned_header = b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return {
        "expired": (rs(claims(iat=now - 7200, nbf=now - 7200, exp=now - 3600)), "token_expired"),
        "not_yet_valid_nbf": (rs(claims(nbf=now + 3600)), "token_not_yet_valid"),
        "issued_in_the_future": (rs(claims(iat=now + 3600, nbf=None)), "token_not_yet_valid"),
        "wrong_audience": (rs(claims(aud="another-platform")), "token_wrong_audience"),
        "wrong_issuer": (rs(claims(iss="https://evil.example")), "token_wrong_issuer"),
        "without_expiry": (rs(claims(exp=None)), "token_invalid"),
        "without_issued_at": (rs(claims(iat=None)), "token_invalid"),
        "expiry_years_ahead": (rs(claims(exp=now + 3 * 365 * 86400)), "token_lifetime_too_long"),
        "issued_long_ago_still_valid": (
            rs(claims(iat=now - 30 * 86400, nbf=now - 30 * 86400, exp=now + 600)),
            "token_lifetime_too_long",
        ),
        "alg_none": (f"{unsigned_header}.{b64(json.dumps(claims()).encode())}.", "token_algorithm_refused"),
        "alg_None_capitalised": (
            f"{b64(json.dumps({'alg': 'None'}).encode())}.{b64(json.dumps(claims()).encode())}.",
            "token_algorithm_refused",
        ),
        "hs256_with_the_public_key": (
            forge_hs256(keys["public_pem"], claims(), {"alg": "HS256", "typ": "JWT", "kid": "k1"}),
            "token_algorithm_refused",
        ),
        "hs256_with_the_dev_secret": (
            forge_hs256(DEV_SECRET.encode(), claims(), {"alg": "HS256", "typ": "JWT"}),
            "token_algorithm_refused",
        ),
        "unknown_kid": (rs(claims(), kid="k-rotated-away"), "token_unknown_key"),
        "no_kid": (jwt.encode(claims(), keys["pem"], algorithm="RS256"), "token_unknown_key"),
        "signed_by_another_key": (rs(claims(), key="other_pem"), "token_invalid"),
        "tampered_role": (
            tampered(rs(claims(role="enterprise", uscc="91410300MA44FFTP7K")), role="city_admin"),
            "token_invalid",
        ),
        "tampered_county": (
            tampered(rs(claims(role="county_admin", county="410322")), county="410323"),
            "token_invalid",
        ),
        "signature_stripped": (rs(claims()).rsplit(".", 1)[0] + ".", "token_invalid"),
        "not_a_jwt": ("eyJhbGciOi.not-a-token", "token_malformed"),
    }


ATTACKS = [
    "expired",
    "not_yet_valid_nbf",
    "issued_in_the_future",
    "wrong_audience",
    "wrong_issuer",
    "without_expiry",
    "without_issued_at",
    "expiry_years_ahead",
    "issued_long_ago_still_valid",
    "alg_none",
    "alg_None_capitalised",
    "hs256_with_the_public_key",
    "hs256_with_the_dev_secret",
    "unknown_kid",
    "no_kid",
    "signed_by_another_key",
    "tampered_role",
    "tampered_county",
    "signature_stripped",
    "not_a_jwt",
]


@pytest.fixture(scope="module")
def prod(keys: dict[str, Any]) -> Settings:
    return Settings(env=Environment.prod, auth_jwks_file=keys["jwks"], auth_dev_secret=DEV_SECRET)


@pytest.fixture
def prod_everywhere(prod: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    monkeypatch.setattr(szcore.auth, "get_settings", lambda: prod)
    yield prod


def valid_token(keys: dict[str, Any]) -> str:
    return jwt.encode(claims(), keys["pem"], algorithm="RS256", headers={"kid": "k1"})


class TestVerifyToken:
    def test_the_genuine_token_is_accepted(self, keys: dict[str, Any], prod: Settings) -> None:
        assert verify_token(valid_token(keys), prod).subject == "official-1"

    @pytest.mark.parametrize("attack", ATTACKS)
    def test_refused(self, attack: str, keys: dict[str, Any], prod: Settings) -> None:
        token, code = attacks(keys)[attack]
        with pytest.raises(InvalidToken) as error:
            verify_token(token, prod)
        assert error.value.code == code


class TestServiceRefusesOverHttp:
    """A service answers 401 problem+json with the specific code before any handler or database work."""

    @pytest.fixture
    def client(self, prod_everywhere: Settings) -> Iterator[Callable[[str], httpx.Response]]:
        app = funding_app()

        async def no_session() -> AsyncIterator[None]:
            yield None  # never reached by a refused token

        override_sessions(app, no_session)
        client = TestClient(app)  # no lifespan: the token is refused before a session is needed

        def get(token: str) -> httpx.Response:
            return client.get("/policies", headers={"authorization": f"Bearer {token}"})

        yield get

    @pytest.mark.parametrize("attack", ATTACKS)
    def test_refused(
        self, attack: str, keys: dict[str, Any], client: Callable[[str], httpx.Response]
    ) -> None:
        token, code = attacks(keys)[attack]
        response = client(token)
        assert response.status_code == 401
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["code"] == code
        assert response.headers["www-authenticate"] == "Bearer"


QUERY = "{ programmes { id } }"
SUBSCRIBE = 'subscription { enterpriseEvents(uscc: "91410300MA44FFTP7K") { eventType } }'


class TestGatewayRefuses:
    @pytest.fixture
    def client(self, prod: Settings) -> TestClient:
        return TestClient(gateway_app(prod))

    @pytest.mark.parametrize("attack", ATTACKS)
    def test_over_http(self, attack: str, keys: dict[str, Any], client: TestClient) -> None:
        token, code = attacks(keys)[attack]
        response = client.post(
            "/graphql", json={"query": QUERY}, headers={"authorization": f"Bearer {token}"}
        )
        body = response.json()
        assert body.get("data") in (None, {"programmes": None}) or body["data"] is None
        assert [e["extensions"]["code"] for e in body["errors"]] == [code.upper()]

    @pytest.mark.parametrize("attack", ATTACKS)
    def test_over_websocket_connection_init(
        self, attack: str, keys: dict[str, Any], client: TestClient
    ) -> None:
        token, code = attacks(keys)[attack]
        with client.websocket_connect("/graphql", subprotocols=["graphql-transport-ws"]) as ws:
            ws.send_json({"type": "connection_init", "payload": {"authorization": f"Bearer {token}"}})
            first = ws.receive_json()
            if first["type"] == "connection_ack":
                ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
                message = ws.receive_json()
                assert message["type"] in ("error", "next")
                errors = message["payload"] if message["type"] == "error" else message["payload"]["errors"]
                assert [e["extensions"]["code"] for e in errors] == [code.upper()]
            else:
                pytest.fail(f"unexpected first message {first}")


def test_attack_list_is_complete(keys: dict[str, Any]) -> None:
    assert sorted(attacks(keys)) == sorted(ATTACKS)


def test_jwks_file_is_the_only_key_source(keys: dict[str, Any], prod: Settings, tmp_path: Path) -> None:
    # A token carrying its own key (jwk / jku header) is still checked against the configured JWKS only.
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    attacker_jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(attacker.public_key()))
    token = jwt.encode(
        claims(),
        attacker,
        algorithm="RS256",
        headers={"kid": "k1", "jwk": attacker_jwk, "jku": "https://evil.example/jwks.json"},
    )
    with pytest.raises(InvalidToken) as error:
        verify_token(token, prod)
    assert error.value.code == "token_invalid"


class TestTokenLifetime:
    """SZ_AUTH_MAX_TOKEN_LIFETIME_SECONDS bounds exp - iat for every token, however it was signed."""

    def test_a_token_at_the_limit_is_accepted(self, keys: dict[str, Any], prod: Settings) -> None:
        now = int(time.time())
        limit = prod.auth_max_token_lifetime_seconds
        token = jwt.encode(claims(exp=now + limit), keys["pem"], algorithm="RS256", headers={"kid": "k1"})
        assert verify_token(token, prod).subject == "official-1"

    def test_the_limit_is_a_setting(self, keys: dict[str, Any], prod: Settings) -> None:
        strict = prod.model_copy(update={"auth_max_token_lifetime_seconds": 300})
        with pytest.raises(InvalidToken) as error:
            verify_token(valid_token(keys), strict)  # valid for 600 s
        assert error.value.code == "token_lifetime_too_long"

    def test_issuing_beyond_the_limit_is_refused(self, keys: dict[str, Any], prod: Settings) -> None:
        with pytest.raises(TokenLifetimeTooLong):
            issue_token(prod, "city_admin", ttl_seconds=365 * 86400, private_key_pem=keys["pem"], kid="k1")
        token = issue_token(
            prod,
            "city_admin",
            ttl_seconds=prod.auth_max_token_lifetime_seconds,
            private_key_pem=keys["pem"],
            kid="k1",
        )
        assert verify_token(token, prod).role == "city_admin"
