"""Reads of an enterprise's confidential data (assessment answers and scores, claims, payments, financial
figures) by anyone but the enterprise itself, recorded in the service's audit log on a chain of their own.

Own chains, same table: reads are tamper-evident like every audited write (`verify` walks every chain) and
need no schema of their own, while a busy read path never waits on the write chain's lock. One request
appends all its rows to one chain with one lock, one head lookup and one multi-row insert, so a list read
costs the same three statements as a single read.

Reads are spread over LANES parallel chains (`reads`, `reads-1` … `reads-7`): a request takes the first lane
nobody else holds (try-lock, from a random start), so concurrent confidential reads do not queue behind one
lock. Each lane is an ordinary hash chain (an edited, deleted or reordered record is found by `verify` and
`ops audit verify`, which walk every chain; the head of each lane is anchored like any other chain). Which
lane a read went to carries no meaning: `list_reads` reads them all.
"""

import json
import random
import zlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from szcore.audit import GENESIS, AuditLog, VerifyResult, canonical_json, record_hash
from szcore.auth import Principal, Role
from szcore.context import request_id_var
from szcore.errors import forbidden
from szcore.types import utcnow

CHAIN = "reads"  # lane 0 keeps the original name: heads anchored before the lanes stay valid
LANES = 8
ENTITY = "enterprise"


def lane_chain(lane: int) -> str:
    return CHAIN if lane == 0 else f"{CHAIN}-{lane}"


READ_CHAINS = tuple(lane_chain(lane) for lane in range(LANES))


def _lock_key(log: AuditLog, chain: str) -> int:
    # The same key AuditLog uses for the chain, so that any appender of this chain excludes the others.
    return zlib.crc32(f"audit:{log.table.name}:{chain}".encode())


async def _take_lane(session: AsyncSession, log: AuditLog) -> str:
    """A lane whose lock this transaction holds: the one it already took, else the first free one."""
    transaction = session.sync_session.get_transaction()
    held = session.info.get("read_lane")
    if transaction is not None and held is not None and held[0] is transaction:
        return str(held[1])
    if session.bind.dialect.name != "postgresql":
        chain = CHAIN  # SQLite serialises writers anyway
    else:
        start = random.randrange(LANES)
        for step in range(LANES):
            candidate = lane_chain((start + step) % LANES)
            statement = text("SELECT pg_try_advisory_xact_lock(:key)")
            if (await session.execute(statement, {"key": _lock_key(log, candidate)})).scalar():
                chain = candidate
                break
        else:  # every lane busy: wait for one (this transaction holds no other lane, so no deadlock)
            chain = lane_chain(start)
            await log._lock_chain(session, chain)
    session.info["read_lane"] = (session.sync_session.get_transaction(), chain)
    return chain


def recorded_for(principal: Principal, uscc: str) -> bool:
    """The enterprise reading its own data is not recorded; everyone else is."""
    return not (principal.role == Role.enterprise and principal.uscc == uscc)


async def record_reads(
    session: AsyncSession, log: AuditLog, principal: Principal, what: str, usccs: Iterable[str]
) -> int:
    """Append one record per enterprise read (who, role, what, which enterprise, when, request id)."""
    targets = sorted({u for u in usccs if u and recorded_for(principal, u)})
    if not targets:
        return 0
    chain = await _take_lane(session, log)
    table = log.table
    last = (
        await session.execute(
            select(table.c.seq, table.c.hash)
            .where(table.c.chain == chain)
            .order_by(table.c.seq.desc())
            .limit(1)
        )
    ).first()
    seq, prev_hash = (last.seq, last.hash) if last else (0, GENESIS)
    now = utcnow()
    data = canonical_json({"what": what, "request_id": request_id_var.get() or None})
    rows: list[dict[str, Any]] = []
    for uscc in targets:
        seq += 1
        values = {
            "chain": chain,
            "seq": seq,
            "occurred_at": now,
            "actor_subject": principal.subject,
            "actor_role": principal.role.value,
            "action": f"read.{what}",
            "entity_type": ENTITY,
            "entity_id": uscc,
            "data": data,
            "prev_hash": prev_hash,
        }
        values["hash"] = prev_hash = record_hash(**values)
        rows.append(values)
    await session.execute(table.insert(), rows)
    return len(rows)


async def verify_reads(session: AsyncSession, log: AuditLog) -> list[VerifyResult]:
    """Every read lane that holds records, verified like any chain."""
    present = set(await log.chains(session))
    return [await log.verify(session, chain) for chain in READ_CHAINS if chain in present]


class ReadRecord(BaseModel):
    occurred_at: datetime
    actor_subject: str
    actor_role: str
    what: str
    request_id: str | None = None


class ReadList(BaseModel):
    uscc: str
    items: list[ReadRecord] = Field(description="Newest first")


def authorize_read_list(principal: Principal, uscc: str) -> None:
    """The city (and its auditors) see who read any enterprise's data; an enterprise sees its own."""
    if principal.role in (Role.city_admin, Role.auditor):
        return
    if principal.role == Role.enterprise and principal.uscc == uscc:
        return
    raise forbidden("role_not_allowed", f"Role {principal.role.value} may not list who read {uscc}'s data")


async def list_reads(
    session: AsyncSession, log: AuditLog, principal: Principal, uscc: str, limit: int = 200
) -> ReadList:
    uscc = uscc.strip().upper()
    authorize_read_list(principal, uscc)
    table = log.table
    rows: Sequence[Any] = (
        await session.execute(
            select(table)
            .where(table.c.chain.in_(READ_CHAINS), table.c.entity_type == ENTITY, table.c.entity_id == uscc)
            .order_by(table.c.occurred_at.desc(), table.c.id.desc())
            .limit(limit)
        )
    ).all()
    items = []
    for row in rows:
        data = json.loads(row.data)
        items.append(
            ReadRecord(
                occurred_at=row.occurred_at,
                actor_subject=row.actor_subject,
                actor_role=row.actor_role,
                what=data.get("what", row.action.removeprefix("read.")),
                request_id=data.get("request_id"),
            )
        )
    return ReadList(uscc=uscc, items=items)
