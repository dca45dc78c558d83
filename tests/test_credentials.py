"""The machine-client registry: hashed secrets shown once, verification, revocation, API keys, tokens."""

import json
import stat
import time
from pathlib import Path

import jwt
import pytest

from ops.keys import generate_key
from szcore.auth import Role, verify_token
from szcore.credentials import ClientRegistry, RegistryError, client_token, split_api_key
from szcore.settings import Environment, Settings

COUNTY = "330784"


@pytest.fixture
def registry(tmp_path: Path) -> ClientRegistry:
    return ClientRegistry.load(tmp_path / "clients.json")


class TestCreate:
    def test_secret_is_returned_once_and_only_its_hash_is_stored(self, registry: ClientRegistry) -> None:
        secret = registry.create("yongkang-system", Role.county_system, {"county": COUNTY})
        registry.save()
        text = registry.path.read_text()
        assert secret not in text
        stored = json.loads(text)["clients"][0]
        assert stored["secret_hash"].startswith("scrypt$")
        assert (stored["client_id"], stored["role"], stored["scope"]) == (
            "yongkang-system",
            "county_system",
            {"county": COUNTY},
        )
        assert stat.S_IMODE(registry.path.stat().st_mode) == 0o600

    def test_same_secret_hashes_differently_per_client(self, registry: ClientRegistry) -> None:
        registry.create("a-system", Role.national_platform)
        registry.create("b-system", Role.national_platform)
        hashes = [record.secret_hash for record in registry.list()]
        assert len(set(hashes)) == 2

    @pytest.mark.parametrize(
        ("client_id", "role", "scope"),
        [
            ("yongkang-system", Role.county_system, {}),  # county_system needs its county
            ("Bad Id", Role.national_platform, {}),
            ("ab", Role.national_platform, {}),
            ("x-system", Role.national_platform, {"region": "x"}),
        ],
    )
    def test_refused(
        self, registry: ClientRegistry, client_id: str, role: Role, scope: dict[str, str]
    ) -> None:
        with pytest.raises(RegistryError):
            registry.create(client_id, role, scope)

    def test_duplicate_id_refused(self, registry: ClientRegistry) -> None:
        registry.create("national", Role.national_platform)
        with pytest.raises(RegistryError):
            registry.create("national", Role.national_platform)


class TestVerify:
    def test_right_secret_wrong_secret_unknown_client(self, registry: ClientRegistry) -> None:
        secret = registry.create("yongkang-system", Role.county_system, {"county": COUNTY})
        registry.save()
        loaded = ClientRegistry.load(registry.path)
        record = loaded.verify("yongkang-system", secret)
        assert record is not None and record.scope == {"county": COUNTY}
        assert loaded.verify("yongkang-system", secret + "x") is None
        assert loaded.verify("nobody", secret) is None

    def test_revoked_client_is_refused(self, registry: ClientRegistry) -> None:
        secret = registry.create("yongkang-system", Role.county_system, {"county": COUNTY})
        registry.revoke("yongkang-system")
        registry.save()
        loaded = ClientRegistry.load(registry.path)
        assert loaded.verify("yongkang-system", secret) is None
        assert loaded.get("yongkang-system").revoked_at  # type: ignore[union-attr]
        with pytest.raises(RegistryError):
            loaded.revoke("nobody")

    def test_api_key_is_id_dot_secret(self, registry: ClientRegistry) -> None:
        secret = registry.create("yongkang-system", Role.county_system, {"county": COUNTY})
        assert registry.verify_api_key(f"yongkang-system.{secret}") is not None
        assert registry.verify_api_key(f"yongkang-system.{secret[:-1]}") is None
        assert registry.verify_api_key(secret) is None
        assert split_api_key("a.b.c") == ("a", "b.c")

    def test_list_never_shows_hashes(self, registry: ClientRegistry) -> None:
        registry.create("national", Role.national_platform)
        assert "secret_hash" not in registry.list()[0].public()


class TestClientToken:
    def test_dev_token_carries_role_scope_and_short_expiry(self, registry: ClientRegistry) -> None:
        registry.create("yongkang-system", Role.county_system, {"county": COUNTY})
        settings = Settings(env=Environment.test, client_token_ttl_seconds=600)
        token = client_token(settings, registry.get("yongkang-system"))  # type: ignore[arg-type]
        principal = verify_token(token, settings)
        assert (principal.subject, principal.role, principal.county) == (
            "yongkang-system",
            Role.county_system,
            COUNTY,
        )
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["exp"] - time.time() <= 600

    def test_production_token_is_signed_with_the_key_in_the_jwks(
        self, registry: ClientRegistry, tmp_path: Path
    ) -> None:
        generate_key(tmp_path / "keys", "other")
        private, jwks, kid = generate_key(tmp_path / "keys", "gateway-1")
        registry.create("national", Role.national_platform)
        settings = Settings(
            env=Environment.prod, auth_dev_secret=None, auth_jwks_file=jwks, auth_signing_key_file=private
        )
        token = client_token(settings, registry.get("national"))  # type: ignore[arg-type]
        assert jwt.get_unverified_header(token)["kid"] == kid
        assert verify_token(token, settings).role == Role.national_platform

    def test_production_without_a_signing_key_issues_nothing(self, registry: ClientRegistry) -> None:
        registry.create("national", Role.national_platform)
        settings = Settings(env=Environment.prod, auth_dev_secret=None)
        with pytest.raises(RuntimeError):
            client_token(settings, registry.get("national"))  # type: ignore[arg-type]
