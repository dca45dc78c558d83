"""Append-only, hash-chained audit log: each record carries the hash of the one before it, so that
`verify` finds any edited, deleted or reordered row. Used for reviews and money moves."""

import hashlib
import json
import zlib
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from szcore.auth import Principal
from szcore.types import utcnow

GENESIS = "0" * 64


def canonical_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def record_hash(
    *,
    chain: str,
    seq: int,
    occurred_at: datetime,
    actor_subject: str,
    actor_role: str,
    action: str,
    entity_type: str,
    entity_id: str,
    data: str,
    prev_hash: str,
) -> str:
    material = canonical_json(
        [
            chain,
            seq,
            occurred_at.isoformat(),
            actor_subject,
            actor_role,
            action,
            entity_type,
            entity_id,
            data,
            prev_hash,
        ]
    )
    return hashlib.sha256(material.encode()).hexdigest()


@dataclass(frozen=True)
class VerifyResult:
    chain: str
    ok: bool
    checked: int
    first_broken_id: int | None = None
    first_broken_seq: int | None = None
    reason: str | None = None


class AuditLog:
    def __init__(self, table: Table) -> None:
        self.table = table

    async def append(
        self,
        session: AsyncSession,
        *,
        actor: Principal,
        action: str,
        entity_type: str,
        entity_id: str,
        data: dict[str, Any],
        chain: str = "default",
    ) -> str:
        await self._lock_chain(session, chain)
        last = (
            await session.execute(
                select(self.table.c.seq, self.table.c.hash)
                .where(self.table.c.chain == chain)
                .order_by(self.table.c.seq.desc())
                .limit(1)
            )
        ).first()
        seq = (last.seq + 1) if last else 1
        prev_hash = last.hash if last else GENESIS
        values = {
            "chain": chain,
            "seq": seq,
            "occurred_at": utcnow(),
            "actor_subject": actor.subject,
            "actor_role": actor.role.value,
            "action": action,
            "entity_type": entity_type,
            "entity_id": entity_id,
            "data": canonical_json(data),
            "prev_hash": prev_hash,
        }
        values["hash"] = record_hash(**values)
        await session.execute(self.table.insert().values(**values))
        return str(values["hash"])

    async def _lock_chain(self, session: AsyncSession, chain: str) -> None:
        # SQLite transactions already hold the write lock (BEGIN IMMEDIATE); PostgreSQL needs one per chain.
        if session.bind.dialect.name == "postgresql":
            key = zlib.crc32(f"audit:{self.table.name}:{chain}".encode())
            await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})

    async def chains(self, session: AsyncSession) -> list[str]:
        return list((await session.execute(select(self.table.c.chain).distinct())).scalars())

    async def verify(self, session: AsyncSession, chain: str = "default", chunk: int = 5000) -> VerifyResult:
        expected_seq, prev_hash, checked = 1, GENESIS, 0
        last_id = 0
        while True:
            rows = (
                await session.execute(
                    select(self.table)
                    .where(self.table.c.chain == chain, self.table.c.seq >= expected_seq)
                    .order_by(self.table.c.seq)
                    .limit(chunk)
                )
            ).all()
            if not rows:
                break
            for row in rows:
                if row.seq != expected_seq or row.prev_hash != prev_hash:
                    return VerifyResult(
                        chain,
                        False,
                        checked,
                        row.id,
                        row.seq,
                        f"chain broken before seq {row.seq}: a record was deleted or reordered",
                    )
                recomputed = record_hash(
                    chain=row.chain,
                    seq=row.seq,
                    occurred_at=row.occurred_at,
                    actor_subject=row.actor_subject,
                    actor_role=row.actor_role,
                    action=row.action,
                    entity_type=row.entity_type,
                    entity_id=row.entity_id,
                    data=row.data,
                    prev_hash=row.prev_hash,
                )
                if recomputed != row.hash:
                    return VerifyResult(
                        chain, False, checked, row.id, row.seq, f"record seq {row.seq} was edited"
                    )
                prev_hash, expected_seq, last_id = row.hash, row.seq + 1, row.id
                checked += 1
        total = (await session.execute(select(func.count()).where(self.table.c.chain == chain))).scalar_one()
        if total != checked:
            return VerifyResult(
                chain,
                False,
                checked,
                last_id or None,
                expected_seq,
                "records with sequence numbers out of order were found",
            )
        return VerifyResult(chain, True, checked)
