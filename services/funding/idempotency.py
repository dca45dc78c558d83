"""Idempotency keys for every money-moving request: the same key gives the same answer and acts once."""

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Header
from pydantic import BaseModel
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.claim.models import IdempotencyRecord
from szcore.audit import canonical_json
from szcore.auth import Principal, Role
from szcore.errors import FieldError, bad_request, conflict, forbidden
from szcore.types import utcnow

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=100,
        description="Required on money-moving requests; a retry with the same key never acts twice",
    ),
]


def _replay(record: IdempotencyRecord, digest: str, principal: Principal) -> dict[str, Any]:
    if record.request_sha256 != digest or record.actor_subject != principal.subject:
        raise conflict(
            "idempotency_key_reused",
            "This Idempotency-Key was used for a different request",
            [
                FieldError(
                    "Idempotency-Key", "reused", "Use a new key for a new request", "幂等键已被其他请求使用"
                )
            ],
        )
    return dict(json.loads(record.response))


async def run_once(
    session: AsyncSession,
    principal: Principal,
    *,
    scope: str,
    key: str | None,
    request: dict[str, Any],
    action: Callable[[], Awaitable[BaseModel]],
    roles: tuple[Role, ...],
) -> dict[str, Any]:
    # The role first: a refused role learns nothing about keys (nor records) and claims no key.
    if principal.role not in roles:
        raise forbidden(
            "role_not_allowed", f"This needs one of the roles {', '.join(r.value for r in roles)}"
        )
    if not key or not key.strip():
        raise bad_request(
            "idempotency_key_required",
            "Money-moving requests need an Idempotency-Key header",
            [FieldError("Idempotency-Key", "required", "Send a unique key per request", "请提供幂等键")],
        )
    digest = hashlib.sha256(canonical_json(request).encode()).hexdigest()
    existing = await session.get(IdempotencyRecord, (scope, key))
    if existing is not None:
        return _replay(existing, digest, principal)
    record = IdempotencyRecord(
        scope=scope,
        key=key,
        actor_subject=principal.subject,
        request_sha256=digest,
        status_code=0,
        response="",
        created_at=utcnow(),
    )
    try:
        # The key is claimed first: a concurrent duplicate waits on it and then replays the outcome.
        async with session.begin_nested():
            session.add(record)
            await session.flush()
    except IntegrityError:
        existing = await session.get(IdempotencyRecord, (scope, key), populate_existing=True)
        if existing is None:
            raise
        return _replay(existing, digest, principal)
    result = await action()
    record.status_code = 200
    record.response = result.model_dump_json()
    await session.flush()
    return result.model_dump(mode="json")
