"""Append-only, hash-chained audit log: each record carries the hash of the one before it, so that
`verify` finds any edited, deleted or reordered row. Used for reviews and money moves."""

import hashlib
import json
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ScalarSelect, Table, bindparam, func, select, text
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
    # The last good record: publish it (an anchor) so that a later verify notices records cut off the end.
    head_seq: int | None = None
    head_hash: str | None = None


def parse_anchor(text: str) -> tuple[int, str]:
    """'SEQ:HASH' as printed by a verify (head_seq, head_hash)."""
    seq, _, digest = text.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise ValueError(f"an anchor is SEQ:HASH (sha-256 hex), not {text!r}")
    return int(seq), digest.lower()


def anchor_problem(anchor: tuple[int, str] | None, head_seq: int, hash_at_anchor: str | None) -> str | None:
    """Why the chain does not reach, or does not match, a head published earlier; None if it does.
    The chain alone cannot show that its last records were deleted: only an anchor kept elsewhere can."""
    if anchor is None:
        return None
    seq, digest = anchor
    if head_seq < seq:
        return (
            f"the chain ends at seq {head_seq} but seq {seq} was anchored: records were deleted from the end"
        )
    if hash_at_anchor != digest:
        return f"record seq {seq} does not match its anchored hash"
    return None


_ADVISORY_LOCK = text("SELECT pg_advisory_xact_lock(:key)")


@dataclass(frozen=True)
class AuditRecord:
    actor: Principal
    action: str
    entity_type: str
    entity_id: str
    data: dict[str, Any]


class AuditLog:
    def __init__(self, table: Table) -> None:
        self.table = table
        # Built once: every append runs them.
        self._head = (
            select(table.c.seq, table.c.hash)
            .where(table.c.chain == bindparam("chain"))
            .order_by(table.c.seq.desc())
            .limit(1)
        )
        self._insert = table.insert()

    def lock_key(self, chain: str) -> int:
        """The chain's transaction-scoped advisory lock on PostgreSQL (SQLite has one writer anyway)."""
        return zlib.crc32(f"audit:{self.table.name}:{chain}".encode())

    def head_columns(self, chain_param: str) -> tuple[ScalarSelect[Any], ScalarSelect[Any]]:
        """The last record's seq and hash (NULL on an empty chain) as scalar subqueries, for a caller that
        reads several heads in one statement once it holds their locks; the chain is `chain_param`."""
        last = self.table.c.chain == bindparam(chain_param)
        newest = self.table.c.seq.desc()
        return (
            select(self.table.c.seq).where(last).order_by(newest).limit(1).scalar_subquery(),
            select(self.table.c.hash).where(last).order_by(newest).limit(1).scalar_subquery(),
        )

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
        head: tuple[int | None, str | None] | None = None,
    ) -> str:
        """`head`: the chain's last (seq, hash), for a caller that already holds the chain's lock
        (`lock_key`) and read it (`head_columns`); else the lock is taken and the head read here."""
        record = AuditRecord(actor, action, entity_type, entity_id, data)
        (digest,) = await self.append_many(session, [record], chain=chain, head=head)
        return digest

    async def append_many(
        self,
        session: AsyncSession,
        records: Sequence["AuditRecord"],
        *,
        chain: str = "default",
        head: tuple[int | None, str | None] | None = None,
    ) -> list[str]:
        """As `append`, for several records in turn, in one statement: their hashes."""
        if head is None:
            await self._lock_chain(session, chain)
            last = (await session.execute(self._head, {"chain": chain})).first()
            head = (last.seq, last.hash) if last else (None, None)
        seq = head[0] or 0
        prev_hash = head[1] or GENESIS
        rows = []
        for record in records:
            seq += 1
            values = {
                "chain": chain,
                "seq": seq,
                "occurred_at": utcnow(),
                "actor_subject": record.actor.subject,
                "actor_role": record.actor.role.value,
                "action": record.action,
                "entity_type": record.entity_type,
                "entity_id": record.entity_id,
                "data": canonical_json(record.data),
                "prev_hash": prev_hash,
            }
            values["hash"] = prev_hash = record_hash(**values)
            rows.append(values)
        if rows:
            await session.execute(self._insert, rows)
        return [str(row["hash"]) for row in rows]

    async def _lock_chain(self, session: AsyncSession, chain: str) -> None:
        # SQLite transactions already hold the write lock (BEGIN IMMEDIATE); PostgreSQL needs one per chain.
        if session.bind.dialect.name == "postgresql":
            await session.execute(_ADVISORY_LOCK, {"key": self.lock_key(chain)})

    async def chains(self, session: AsyncSession) -> list[str]:
        return list((await session.execute(select(self.table.c.chain).distinct())).scalars())

    async def verify(
        self,
        session: AsyncSession,
        chain: str = "default",
        chunk: int = 5000,
        anchor: tuple[int, str] | None = None,
    ) -> VerifyResult:
        expected_seq, prev_hash, checked = 1, GENESIS, 0
        last_id = 0
        hash_at_anchor: str | None = None
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
                if anchor is not None and row.seq == anchor[0]:
                    hash_at_anchor = row.hash
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
        head_seq, head_hash = expected_seq - 1, (prev_hash if checked else None)
        problem = anchor_problem(anchor, head_seq, hash_at_anchor)
        if problem:
            return VerifyResult(
                chain,
                False,
                checked,
                last_id or None,
                min(head_seq + 1, anchor[0]) if anchor else None,
                problem,
                head_seq or None,
                head_hash,
            )
        return VerifyResult(chain, True, checked, head_seq=head_seq or None, head_hash=head_hash)
