"""Tokens for people. In production people sign in through the city's identity provider (SSO), whose
keys are in the JWKS every process reads, and this command is for the cases without one: the first city
administrator, an auditor's temporary access, a pilot. Machine clients (county systems, the national
platform) are `ops clients`. Each issued token is recorded (never the token itself) so that an operator
can list what is out there; a token cannot be recalled before it expires except by rotating the key."""

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import jwt

from szcore.auth import REQUIRED_SCOPE, Role, issue_token
from szcore.settings import Settings

MACHINE_ROLES = (Role.county_system, Role.national_platform)
PERSON_ROLES = tuple(role for role in Role if role not in MACHINE_ROLES)
SCOPE_FLAGS = {"county": "--county", "uscc": "--uscc", "provider_id": "--provider-id"}


class UserError(ValueError):
    pass


@dataclass(frozen=True)
class IssuedToken:
    jti: str
    subject: str
    role: str
    scope: dict[str, str]
    issued_at: str
    expires_at: str
    kid: str | None


def register_path(settings: Settings) -> Path:
    return settings.data_dir / "issued-tokens.jsonl"


def create_user(
    settings: Settings,
    role: Role,
    subject: str,
    scope: dict[str, str | None],
    ttl_seconds: int,
    private_key_pem: str | None = None,
    kid: str | None = None,
    register: Path | None = None,
) -> tuple[str, IssuedToken]:
    if role in MACHINE_ROLES:
        raise UserError(f"{role.value} is a machine role: create a client with `ops clients create`")
    given = {claim: value for claim, value in scope.items() if value}
    required = REQUIRED_SCOPE.get(role)
    if required and required not in given:
        raise UserError(f"role {role.value} needs {SCOPE_FLAGS[required]}")
    extra = sorted(set(given) - {required})
    if extra:
        raise UserError(f"role {role.value} takes no {', '.join(SCOPE_FLAGS[c] for c in extra)}")
    token = issue_token(
        settings,
        role,
        subject=subject,
        ttl_seconds=ttl_seconds,
        private_key_pem=private_key_pem,
        kid=kid,
        **given,  # type: ignore[arg-type]
    )
    claims = jwt.decode(token, options={"verify_signature": False})
    record = IssuedToken(
        jti=claims["jti"],
        subject=subject,
        role=role.value,
        scope=given,  # type: ignore[arg-type]
        issued_at=datetime.fromtimestamp(claims["iat"], UTC).isoformat(),
        expires_at=datetime.fromtimestamp(claims["exp"], UTC).isoformat(),
        kid=kid,
    )
    path = register or register_path(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(json.dumps(asdict(record), ensure_ascii=False) + "\n")
    return token, record


def list_users(
    settings: Settings, register: Path | None = None, include_expired: bool = False
) -> list[dict[str, object]]:
    path = register or register_path(settings)
    if not path.exists():
        return []
    now = datetime.now(UTC)
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    for record in records:
        record["expired"] = datetime.fromisoformat(record["expires_at"]) <= now
    return [r for r in records if include_expired or not r["expired"]]
