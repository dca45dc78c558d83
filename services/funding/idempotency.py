"""Idempotency keys for every money-moving request: the same key gives the same answer and acts once."""

import hashlib
import json
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import Header
from pydantic import BaseModel
from sqlalchemy import bindparam, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
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


RECORD = IdempotencyRecord.__table__
# Built once: these run on every money-moving request.
_CLAIM = {
    name: insert(RECORD)
    .on_conflict_do_nothing(index_elements=[RECORD.c.scope, RECORD.c.key])
    .returning(RECORD.c.key)
    for name, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}
_EXISTING = select(RECORD.c.actor_subject, RECORD.c.request_sha256, RECORD.c.response).where(
    RECORD.c.scope == bindparam("s"), RECORD.c.key == bindparam("k")
)
_ANSWERED = (
    update(RECORD)
    .where(RECORD.c.scope == bindparam("s"), RECORD.c.key == bindparam("k"))
    .values(status_code=200, response=bindparam("answer"))
)


async def answer_early(session: AsyncSession, *, scope: str, key: str | None, answer: BaseModel) -> None:
    """Stores the answer of a `run_once_json` action before the action ends (the same transaction, so it
    still stands or falls with the action), to keep the statement out of the action's lock-holding end;
    `run_once_json` then stores it again only if the action returns another one."""
    response = answer.model_dump_json()
    await session.execute(_ANSWERED, {"s": scope, "k": key, "answer": response})
    session.info[("idempotency", scope, key)] = (answer, response)


def _replay(record: Any, digest: str, principal: Principal) -> str:
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
    return str(record.response)


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
    return dict(
        json.loads(
            await run_once_json(
                session, principal, scope=scope, key=key, request=request, action=action, roles=roles
            )
        )
    )


async def run_once_json(
    session: AsyncSession,
    principal: Principal,
    *,
    scope: str,
    key: str | None,
    request: dict[str, Any],
    action: Callable[[], Awaitable[BaseModel]],
    roles: tuple[Role, ...],
) -> str:
    """The answer as JSON text: the first request's, stored with the key, for every retry alike."""
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
    # The key is claimed first, in one statement: a concurrent duplicate waits on the row, then finds it
    # (its action committed) or claims it itself (the first rolled back, e.g. refused).
    claimed = await session.execute(
        _CLAIM[session.bind.dialect.name],
        {
            "scope": scope,
            "key": key,
            "actor_subject": principal.subject,
            "request_sha256": digest,
            "status_code": 0,
            "response": "",
            "created_at": utcnow(),
        },
    )
    if claimed.first() is None:
        existing = (await session.execute(_EXISTING, {"s": scope, "k": key})).first()
        assert existing is not None  # rows are never deleted
        return _replay(existing, digest, principal)
    result = await action()
    early, response = session.info.pop(("idempotency", scope, key), (None, ""))
    if result is not early:
        response = result.model_dump_json()
        await session.execute(_ANSWERED, {"s": scope, "k": key, "answer": response})
    return response
