"""Machine clients (county systems, the national platform) and their secrets.

The registry is a JSON file (SZ_CLIENTS_FILE; in a cluster mounted from a Secret). Secrets are stored only
as salted scrypt hashes and shown once, when created. A client authenticates with its id and secret
(OAuth 2.0 client credentials) or with an API key ``<client_id>.<secret>``.
"""

import hashlib
import hmac
import json
import os
import re
import secrets
import tempfile
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization

from szcore.auth import REQUIRED_SCOPE, Role, issue_token
from szcore.settings import Settings

CLIENT_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{2,63}$")
# scrypt cost: about 16 MiB and a few tens of milliseconds per check, which makes guessing expensive.
SCRYPT = {"n": 2**14, "r": 8, "p": 1}
SCOPE_CLAIMS = ("county", "uscc", "provider_id")


class RegistryError(ValueError):
    pass


def hash_secret(secret: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(secret.encode(), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024, dklen=32)


@dataclass(frozen=True)
class ClientRecord:
    client_id: str
    role: Role
    scope: dict[str, str]
    secret_hash: str  # "scrypt$n$r$p$<salt hex>$<hash hex>"
    created_at: str
    revoked: bool = False
    revoked_at: str | None = None
    description: str = ""

    def public(self) -> dict[str, Any]:
        """What `list` shows: everything but the hash."""
        data = asdict(self)
        data.pop("secret_hash")
        data["role"] = self.role.value
        return data

    def check(self, secret: str) -> bool:
        try:
            scheme, n, r, p, salt, expected = self.secret_hash.split("$")
        except ValueError:
            return False
        if scheme != "scrypt":
            return False
        actual = hash_secret(secret, bytes.fromhex(salt), int(n), int(r), int(p))
        return hmac.compare_digest(actual, bytes.fromhex(expected))


def make_hash(secret: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hash_secret(secret, salt, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${digest.hex()}"


# A hash of a fixed secret, checked when the client id is unknown so that unknown ids cost the same time.
_DUMMY = ClientRecord("-", Role.auditor, {}, make_hash(secrets.token_urlsafe(16)), "")


def split_api_key(api_key: str) -> tuple[str, str] | None:
    client_id, dot, secret = api_key.strip().partition(".")
    if not dot or not client_id or not secret:
        return None
    return client_id, secret


@dataclass
class ClientRegistry:
    path: Path
    clients: dict[str, ClientRecord] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path | str) -> "ClientRegistry":
        path = Path(path)
        registry = cls(path)
        if not path.exists():
            return registry
        document = json.loads(path.read_text(encoding="utf-8") or "{}")
        for item in document.get("clients", []):
            record = ClientRecord(**{**item, "role": Role(item["role"])})
            registry.clients[record.client_id] = record
        return registry

    def save(self) -> None:
        """Atomic replace, mode 600: the file holds hashes only, but they still help an offline guesser."""
        document = {"version": 1, "clients": [{**asdict(c), "role": c.role.value} for c in self.list()]}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".clients-")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(document, out, ensure_ascii=False, indent=2)
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def create(
        self, client_id: str, role: Role | str, scope: dict[str, str] | None = None, description: str = ""
    ) -> str:
        """Registers a client and returns its secret; only the hash is kept, so this is the one chance to
        see it."""
        if not CLIENT_ID.match(client_id):
            raise RegistryError(
                "client id: 3-64 characters a-z, 0-9, '-' or '_', starting with a letter or digit"
            )
        if client_id in self.clients:
            raise RegistryError(f"client {client_id!r} exists; revoke it and create another id")
        role = Role(role)
        scope = {k: v for k, v in (scope or {}).items() if v}
        unknown = set(scope) - set(SCOPE_CLAIMS)
        if unknown:
            raise RegistryError(f"unknown scope claims: {', '.join(sorted(unknown))}")
        needed = REQUIRED_SCOPE.get(role)
        if needed and needed not in scope:
            raise RegistryError(f"a {role.value} client needs the {needed!r} scope")
        secret = secrets.token_urlsafe(32)
        self.clients[client_id] = ClientRecord(
            client_id=client_id,
            role=role,
            scope=scope,
            secret_hash=make_hash(secret),
            created_at=datetime.now(UTC).isoformat(),
            description=description,
        )
        return secret

    def revoke(self, client_id: str) -> ClientRecord:
        record = self.clients.get(client_id)
        if record is None:
            raise RegistryError(f"no client {client_id!r}")
        if not record.revoked:
            record = replace(record, revoked=True, revoked_at=datetime.now(UTC).isoformat())
            self.clients[client_id] = record
        return record

    def list(self) -> list[ClientRecord]:
        return sorted(self.clients.values(), key=lambda c: c.client_id)

    def get(self, client_id: str) -> ClientRecord | None:
        return self.clients.get(client_id)

    def verify(self, client_id: str, secret: str) -> ClientRecord | None:
        """The client if the secret is right and the client not revoked; None otherwise (no hint why)."""
        record = self.clients.get(client_id)
        ok = (record or _DUMMY).check(secret)
        if record is None or not ok or record.revoked:
            return None
        return record

    def verify_api_key(self, api_key: str) -> ClientRecord | None:
        parts = split_api_key(api_key)
        return self.verify(*parts) if parts else None


def signing_key(settings: Settings) -> tuple[str, str] | None:
    """(private key PEM, kid) from SZ_AUTH_SIGNING_KEY_FILE; the kid is that of the matching public key in
    the JWKS file, so a token the gateway issues always verifies everywhere."""
    path = settings.auth_signing_key_file
    if path is None:
        return None
    if settings.auth_jwks_file is None or not settings.auth_jwks_file.exists():
        raise RuntimeError("SZ_AUTH_SIGNING_KEY_FILE is set but SZ_AUTH_JWKS_FILE is missing")
    jwks = settings.auth_jwks_file
    return _signing_key(str(path), path.stat().st_mtime, str(jwks), jwks.stat().st_mtime)


@lru_cache(maxsize=4)
def _signing_key(path: str, mtime: float, jwks_path: str, jwks_mtime: float) -> tuple[str, str]:
    pem = Path(path).read_text()
    key = serialization.load_pem_private_key(pem.encode(), password=None)
    public = key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    for jwk in json.loads(Path(jwks_path).read_text()).get("keys", []):
        candidate = jwt.PyJWK(jwk).key
        if hasattr(candidate, "public_bytes") and (
            candidate.public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            == public
        ):
            return pem, str(jwk["kid"])
    raise RuntimeError("the signing key's public key is not in the JWKS file")


def client_token(settings: Settings, record: ClientRecord, ttl_seconds: int | None = None) -> str:
    """A short-lived bearer token for a client: its role and scope, subject = client id."""
    key = signing_key(settings)
    return issue_token(
        settings,
        record.role,
        subject=record.client_id,
        ttl_seconds=ttl_seconds or settings.client_token_ttl_seconds,
        private_key_pem=key[0] if key else None,
        kid=key[1] if key else None,
        county=record.scope.get("county"),
        uscc=record.scope.get("uscc"),
        provider_id=record.scope.get("provider_id"),
        extra={"client_id": record.client_id},
    )
