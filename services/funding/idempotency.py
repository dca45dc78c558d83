"""Idempotency keys for every money-moving request: the same key gives the same answer and acts once."""

import hashlib
import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Annotated, Any

from fastapi import Header
from pydantic import BaseModel
from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.claim.models import IdempotencyRecord
from szcore.audit import canonical_json
from szcore.auth import Principal, Role
from szcore.errors import FieldError, ProblemError, bad_request, conflict, forbidden
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
    .returning(RECORD.c.scope, RECORD.c.key)
    for name, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))
}
_EXISTING = select(RECORD.c.actor_subject, RECORD.c.request_sha256, RECORD.c.response).where(
    RECORD.c.scope == bindparam("s"), RECORD.c.key == bindparam("k")
)
_RELEASE = delete(RECORD).where(RECORD.c.scope == bindparam("s"), RECORD.c.key == bindparam("k"))
_ANSWERED = (
    update(RECORD)
    .where(RECORD.c.scope == bindparam("s"), RECORD.c.key == bindparam("k"))
    .values(status_code=200, response=bindparam("answer"))
)


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


def check_caller(principal: Principal, roles: tuple[Role, ...], key: str | None) -> str:
    """The role first: a refused role learns nothing about keys (nor records) and claims no key."""
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
    return key


def request_digest(request: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(request).encode()).hexdigest()


async def claim_keys(
    session: AsyncSession, asks: Sequence[tuple[str, str, Principal, str]]
) -> list[str | ProblemError | None]:
    """Claims the (scope, key, caller, request digest) of several requests (no two of one scope and key)
    in one statement: None where claimed (the action goes ahead), else the first request's answer to
    replay, or the refusal of a key used for another request. A concurrent duplicate waits on the row,
    then finds it (its action committed) or claims it itself (the first was refused or rolled back)."""
    now = utcnow()
    claimed = await session.execute(
        _CLAIM[session.bind.dialect.name],
        [
            {
                "scope": scope,
                "key": key,
                "actor_subject": principal.subject,
                "request_sha256": digest,
                "status_code": 0,
                "response": "",
                "created_at": now,
            }
            for scope, key, principal, digest in asks
        ],
    )
    mine = {tuple(row) for row in claimed.all()}
    outcomes: list[str | ProblemError | None] = []
    for scope, key, principal, digest in asks:
        if (scope, key) in mine:
            outcomes.append(None)
            continue
        existing = (await session.execute(_EXISTING, {"s": scope, "k": key})).first()
        assert existing is not None  # answered rows are never deleted
        try:
            outcomes.append(_replay(existing, digest, principal))
        except ProblemError as error:
            outcomes.append(error)
    return outcomes


async def settle_keys(
    session: AsyncSession, answered: Sequence[tuple[str, str, str]], refused: Sequence[tuple[str, str]]
) -> None:
    """Stores the answers (scope, key, JSON) of claimed keys, and gives back the keys of refused requests,
    as if their transactions had rolled back (a retry decides again)."""
    if answered:
        await session.execute(_ANSWERED, [{"s": s, "k": k, "answer": answer} for s, k, answer in answered])
    if refused:
        await session.execute(_RELEASE, [{"s": s, "k": k} for s, k in refused])


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
    key = check_caller(principal, roles, key)
    (claimed,) = await claim_keys(session, [(scope, key, principal, request_digest(request))])
    if isinstance(claimed, ProblemError):
        raise claimed
    if claimed is not None:
        return claimed
    response = (await action()).model_dump_json()
    await settle_keys(session, [(scope, key, response)], [])
    return response
