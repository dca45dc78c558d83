"""Bearer tokens: what is accepted and everything that is refused."""

import base64
import hashlib
import hmac
import json
import time
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from szcore.auth import InvalidToken, Role, issue_token, verify_token
from szcore.settings import Environment, Settings


def rsa_key() -> tuple[str, dict]:  # type: ignore[type-arg]
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    return pem, jwk


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> dict:  # type: ignore[type-arg]
    pem, jwk = rsa_key()
    other_pem, _ = rsa_key()
    jwks = tmp_path_factory.mktemp("keys") / "jwks.json"
    jwks.write_text(json.dumps({"keys": [{**jwk, "kid": "k1", "alg": "RS256", "use": "sig"}]}))
    return {"pem": pem, "other_pem": other_pem, "jwks": jwks, "jwk": jwk}


def prod_settings(jwks: Path) -> Settings:
    return Settings(env=Environment.prod, auth_jwks_file=jwks)


class TestAcceptedTokens:
    def test_rs256_with_known_key_in_production(self, keys) -> None:
        settings = prod_settings(keys["jwks"])
        token = issue_token(
            settings, Role.county_admin, county="410322", private_key_pem=keys["pem"], kid="k1"
        )
        principal = verify_token(token, settings)
        assert principal.role == Role.county_admin and principal.county == "410322"

    def test_hs256_dev_secret_in_development(self) -> None:
        settings = Settings(env=Environment.dev)
        principal = verify_token(issue_token(settings, Role.city_admin), settings)
        assert principal.role == Role.city_admin


class TestRefusedTokens:
    def claims(self, **overrides: object) -> dict:  # type: ignore[type-arg]
        now = int(time.time())
        claims = {
            "sub": "u1",
            "role": "city_admin",
            "iss": "shuzhuan",
            "aud": "shuzhuan",
            "iat": now,
            "exp": now + 600,
        }
        claims.update(overrides)
        return {k: v for k, v in claims.items() if v is not None}

    def refused(self, token: str, settings: Settings, code: str) -> None:
        with pytest.raises(InvalidToken) as error:
            verify_token(token, settings)
        assert error.value.code == code

    def test_hs256_refused_in_production(self, keys) -> None:
        token = jwt.encode(
            self.claims(), "shuzhuan-dev-secret-change-me-in-production-0123", algorithm="HS256"
        )
        self.refused(token, prod_settings(keys["jwks"]), "token_algorithm_refused")

    def test_alg_none(self, keys) -> None:
        token = jwt.encode(self.claims(), None, algorithm="none")
        self.refused(token, prod_settings(keys["jwks"]), "token_algorithm_refused")

    def test_expired(self, keys) -> None:
        token = jwt.encode(
            self.claims(exp=int(time.time()) - 3600), keys["pem"], algorithm="RS256", headers={"kid": "k1"}
        )
        self.refused(token, prod_settings(keys["jwks"]), "token_expired")

    def test_not_yet_valid(self, keys) -> None:
        token = jwt.encode(
            self.claims(nbf=int(time.time()) + 3600), keys["pem"], algorithm="RS256", headers={"kid": "k1"}
        )
        self.refused(token, prod_settings(keys["jwks"]), "token_not_yet_valid")

    def test_wrong_audience(self, keys) -> None:
        token = jwt.encode(
            self.claims(aud="elsewhere"), keys["pem"], algorithm="RS256", headers={"kid": "k1"}
        )
        self.refused(token, prod_settings(keys["jwks"]), "token_wrong_audience")

    def test_unknown_key_id(self, keys) -> None:
        token = jwt.encode(self.claims(), keys["pem"], algorithm="RS256", headers={"kid": "k9"})
        self.refused(token, prod_settings(keys["jwks"]), "token_unknown_key")

    def test_signed_by_another_key(self, keys) -> None:
        token = jwt.encode(self.claims(), keys["other_pem"], algorithm="RS256", headers={"kid": "k1"})
        self.refused(token, prod_settings(keys["jwks"]), "token_invalid")

    def test_hs256_signed_with_the_public_key(self, keys) -> None:
        # The HS/RS confusion attack: the public key used as an HMAC secret.
        public_pem = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(keys["jwk"])).public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )

        def b64(data: bytes) -> bytes:
            return base64.urlsafe_b64encode(data).rstrip(b"=")

        signing_input = (
            b64(json.dumps({"alg": "HS256", "kid": "k1"}).encode())
            + b"."
            + b64(json.dumps(self.claims()).encode())
        )
        signature = hmac.new(public_pem, signing_input, hashlib.sha256).digest()
        forged = (signing_input + b"." + b64(signature)).decode()
        self.refused(forged, prod_settings(keys["jwks"]), "token_algorithm_refused")

    def test_unknown_role(self) -> None:
        settings = Settings(env=Environment.test)
        token = jwt.encode(self.claims(role="mayor"), settings.auth_dev_secret, algorithm="HS256")
        self.refused(token, settings, "token_unknown_role")

    @pytest.mark.parametrize("role", ["county_admin", "county_system", "enterprise", "provider"])
    def test_scoped_role_without_its_scope(self, role: str) -> None:
        settings = Settings(env=Environment.test)
        token = jwt.encode(self.claims(role=role), settings.auth_dev_secret, algorithm="HS256")
        self.refused(token, settings, "token_missing_scope")

    def test_not_a_jwt(self) -> None:
        self.refused("garbage", Settings(env=Environment.test), "token_malformed")


def test_dev_tokens_command_prints_a_token_per_role(capsys: pytest.CaptureFixture[str]) -> None:
    from ops.cli import main

    main(["tokens"])
    tokens = json.loads(capsys.readouterr().out)
    assert set(tokens) == {role.value for role in Role}
    settings = Settings(env=Environment.test)
    assert verify_token(tokens["county_system"], settings).county == "410322"
