"""Bearer JWT authentication shared by every service and the gateway.

Production tokens are signed with asymmetric keys published as a JWKS file; HS256 with a shared dev
secret is accepted only when SZ_ENV is dev or test.
"""

import json
import time
import uuid
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request

from szcore.errors import forbidden, unauthorized
from szcore.settings import Environment, Settings, get_settings

ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "PS256", "EdDSA")


class Role(StrEnum):
    city_admin = "city_admin"
    county_admin = "county_admin"
    enterprise = "enterprise"
    provider = "provider"
    expert = "expert"
    evaluator = "evaluator"
    auditor = "auditor"
    national_platform = "national_platform"
    county_system = "county_system"


# Which scope claim each role must carry.
REQUIRED_SCOPE = {
    Role.county_admin: "county",
    Role.county_system: "county",
    Role.enterprise: "uscc",
    Role.provider: "provider_id",
}


@dataclass(frozen=True)
class Principal:
    subject: str
    role: Role
    county: str | None = None
    uscc: str | None = None
    provider_id: str | None = None
    token: str = ""

    def is_role(self, *roles: Role) -> bool:
        return self.role in roles

    def can_see_county(self, county_code: str) -> bool:
        """City-wide roles see every county; county roles only their own."""
        if self.role in (Role.county_admin, Role.county_system):
            return self.county == county_code
        return True

    def claims(self) -> dict[str, Any]:
        return {
            key: value
            for key, value in {
                "sub": self.subject,
                "role": self.role.value,
                "county": self.county,
                "uscc": self.uscc,
                "provider_id": self.provider_id,
            }.items()
            if value is not None
        }


class TokenLifetimeTooLong(RuntimeError):
    pass


class InvalidToken(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


@lru_cache(maxsize=8)
def _load_jwks(path: str, mtime: float) -> dict[str, Any]:
    keys: dict[str, Any] = {}
    document = json.loads(Path(path).read_text())
    for jwk in document.get("keys", []):
        kid = jwk.get("kid")
        if kid:
            keys[kid] = jwt.PyJWK(jwk)
    return keys


def _public_keys(settings: Settings) -> dict[str, Any]:
    if settings.auth_jwks_file is None or not settings.auth_jwks_file.exists():
        return {}
    path = settings.auth_jwks_file
    return _load_jwks(str(path), path.stat().st_mtime)


def dev_secret_allowed(settings: Settings) -> bool:
    return settings.env in (Environment.dev, Environment.test) and bool(settings.auth_dev_secret)


# Tokens verified before, by their text: a client sends the same token with each request, and checking
# its signature and claims again cost more than the rest of the request's authentication. A hit counts
# only under the same settings and key file (a rotated JWKS misses) and inside the token's own validity
# window, checked on every use; anything else is verified in full (and refused with its reason).
_VERIFIED: dict[str, tuple[tuple[Any, ...], Principal, int, int]] = {}
_VERIFIED_MAX = 4096


def _verification_scope(settings: Settings) -> tuple[Any, ...]:
    jwks = settings.auth_jwks_file
    try:
        mtime = jwks.stat().st_mtime if jwks is not None else None
    except OSError:
        mtime = None
    return (
        settings.env,
        settings.auth_audience,
        settings.auth_issuer,
        settings.auth_leeway_seconds,
        settings.auth_max_token_lifetime_seconds,
        settings.auth_dev_secret,
        str(jwks),
        mtime,
    )


def verify_token(token: str, settings: Settings) -> Principal:
    scope = _verification_scope(settings)
    known = _VERIFIED.get(token)
    if known is not None and known[0] == scope:
        now, leeway = time.time(), settings.auth_leeway_seconds
        if known[2] - leeway <= now < known[3] + leeway:
            return known[1]
    principal, claims = _verify(token, settings)
    if len(_VERIFIED) >= _VERIFIED_MAX:
        _VERIFIED.clear()
    # As PyJWT compares them: whole seconds.
    not_before = max(int(claims.get(name) or 0) for name in ("nbf", "iat"))
    _VERIFIED[token] = (scope, principal, not_before, int(claims["exp"]))
    return principal


def _verify(token: str, settings: Settings) -> tuple[Principal, dict[str, Any]]:
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise InvalidToken("token_malformed", "The bearer token is not a JWT") from exc
    alg = header.get("alg")
    options = {"require": ["exp", "iat", "sub", "iss", "aud"]}
    common: dict[str, Any] = {
        "audience": settings.auth_audience,
        "issuer": settings.auth_issuer,
        "leeway": settings.auth_leeway_seconds,
        "options": options,
    }
    try:
        if alg == "HS256":
            if not dev_secret_allowed(settings):
                raise InvalidToken("token_algorithm_refused", "HS256 tokens are accepted only in development")
            claims = jwt.decode(token, settings.auth_dev_secret, algorithms=["HS256"], **common)
        elif alg in ASYMMETRIC_ALGORITHMS:
            key = _public_keys(settings).get(header.get("kid", ""))
            if key is None:
                raise InvalidToken("token_unknown_key", "The token's key id is not among the configured keys")
            # The algorithm is pinned to the key, so an HS token is never checked against a public key.
            claims = jwt.decode(token, key.key, algorithms=[key.algorithm_name], **common)
        else:
            raise InvalidToken("token_algorithm_refused", f"Algorithm {alg!r} is not accepted")
    except jwt.ExpiredSignatureError as exc:
        raise InvalidToken("token_expired", "The token has expired") from exc
    except jwt.ImmatureSignatureError as exc:
        raise InvalidToken("token_not_yet_valid", "The token is not valid yet") from exc
    except jwt.InvalidAudienceError as exc:
        raise InvalidToken("token_wrong_audience", "The token is for another audience") from exc
    except jwt.InvalidIssuerError as exc:
        raise InvalidToken("token_wrong_issuer", "The token has another issuer") from exc
    except jwt.PyJWTError as exc:
        raise InvalidToken("token_invalid", f"The token is not valid: {exc}") from exc
    check_lifetime(claims, settings)
    return principal_from_claims(claims, token), claims


def check_lifetime(claims: dict[str, Any], settings: Settings) -> None:
    """A stolen token must not stay useful for years even when its signature is genuine."""
    issued, expires = claims.get("iat"), claims.get("exp")
    if not isinstance(issued, int | float) or not isinstance(expires, int | float):
        raise InvalidToken("token_invalid", "The token's iat and exp must be numbers")
    if expires - issued > settings.auth_max_token_lifetime_seconds:
        raise InvalidToken(
            "token_lifetime_too_long",
            f"The token is valid for longer than {settings.auth_max_token_lifetime_seconds} seconds",
        )


def principal_from_claims(claims: dict[str, Any], token: str = "") -> Principal:
    try:
        role = Role(claims.get("role"))
    except ValueError as exc:
        raise InvalidToken("token_unknown_role", f"Unknown role {claims.get('role')!r}") from exc
    scope_claim = REQUIRED_SCOPE.get(role)
    if scope_claim and not claims.get(scope_claim):
        raise InvalidToken(
            "token_missing_scope", f"A {role.value} token must carry the {scope_claim!r} claim"
        )
    return Principal(
        subject=str(claims["sub"]),
        role=role,
        county=claims.get("county"),
        uscc=claims.get("uscc"),
        provider_id=claims.get("provider_id"),
        token=token,
    )


def issue_token(
    settings: Settings,
    role: Role | str,
    *,
    subject: str | None = None,
    county: str | None = None,
    uscc: str | None = None,
    provider_id: str | None = None,
    ttl_seconds: int = 12 * 3600,
    private_key_pem: str | None = None,
    kid: str | None = None,
    algorithm: str = "RS256",
    extra: dict[str, Any] | None = None,
) -> str:
    """Sign a token: with the given private key, else (dev/test only) with the dev secret."""
    if ttl_seconds > settings.auth_max_token_lifetime_seconds:
        raise TokenLifetimeTooLong(
            f"a token may be valid for at most {settings.auth_max_token_lifetime_seconds} seconds "
            "(SZ_AUTH_MAX_TOKEN_LIFETIME_SECONDS)"
        )
    now = int(time.time())
    role = Role(role)
    claims: dict[str, Any] = {
        "sub": subject or f"{role.value}-{uuid.uuid4().hex[:8]}",
        "role": role.value,
        "iss": settings.auth_issuer,
        "aud": settings.auth_audience,
        "iat": now,
        "nbf": now,
        "exp": now + ttl_seconds,
        "jti": uuid.uuid4().hex,
    }
    for key, value in {"county": county, "uscc": uscc, "provider_id": provider_id}.items():
        if value is not None:
            claims[key] = value
    claims.update(extra or {})
    if private_key_pem:
        return jwt.encode(claims, private_key_pem, algorithm=algorithm, headers={"kid": kid} if kid else None)
    if not dev_secret_allowed(settings):
        raise RuntimeError("no private key given and the dev secret is not allowed in this environment")
    return jwt.encode(claims, settings.auth_dev_secret, algorithm="HS256")


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


async def get_principal(request: Request) -> Principal:
    token = bearer_token(request)
    if token is None:
        raise unauthorized("token_missing", "A bearer token is required")
    try:
        principal = verify_token(token, get_settings())
    except InvalidToken as exc:
        raise unauthorized(exc.code, str(exc)) from exc
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(get_principal)]


def require_roles(*roles: Role) -> Any:
    async def dependency(principal: CurrentPrincipal) -> Principal:
        if principal.role not in roles:
            raise forbidden("role_not_allowed", f"Role {principal.role.value} may not do this")
        return principal

    return Depends(dependency)
