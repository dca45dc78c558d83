import functools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, case, func, insert, select, text, update
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import joinedload, selectinload

from services.funding.claim.models import (
    Claim,
    ClaimAllocation,
    ClaimInvoice,
    DisbursementBatch,
    Payment,
    Recovery,
)
from services.funding.claim.states import HOLDS_INVOICES, ClaimStatus
from services.funding.db import audit_log, outbox
from services.funding.ledger.models import LedgerEntry
from services.funding.ledger.repository import HEAD_COLUMNS, available_of
from services.funding.national.feed import feed
from services.funding.policy.repository import digest_of
from szcore.keyset import Order, read_page
from szcore.types import utcnow

# Sorts of the lists; each ends with the primary key so its key is unique (keyset-safe).
CLAIM_ORDERS = {
    "oldest_first": Order("oldest_first", (Claim.submitted_at, Claim.claim_id)),
    "newest_first": Order("newest_first", (Claim.submitted_at, Claim.claim_id), descending=True),
    "claimed_highest": Order("claimed_highest", (Claim.claimed_fen, Claim.claim_id), descending=True),
}
PAYMENT_ORDERS = {
    "queued_oldest": Order("queued_oldest", (Payment.queued_at, Payment.payment_id)),
    "queued_newest": Order("queued_newest", (Payment.queued_at, Payment.payment_id), descending=True),
    "amount_highest": Order("amount_highest", (Payment.amount_fen, Payment.payment_id), descending=True),
}
RECOVERY_ORDERS = {
    "raised_oldest": Order("raised_oldest", (Recovery.raised_at, Recovery.recovery_id)),
    "raised_newest": Order("raised_newest", (Recovery.raised_at, Recovery.recovery_id), descending=True),
    "amount_highest": Order("amount_highest", (Recovery.amount_fen, Recovery.recovery_id), descending=True),
}
BATCH_ORDERS = {
    "newest": Order("newest", (DisbursementBatch.created_at, DisbursementBatch.batch_id), descending=True),
    "oldest": Order("oldest", (DisbursementBatch.created_at, DisbursementBatch.batch_id)),
    "amount_highest": Order(
        "amount_highest", (DisbursementBatch.total_fen, DisbursementBatch.batch_id), descending=True
    ),
}


# In the order given (unnest keeps the array's order): one round trip for several locks.
_ADVISORY_LOCKS = text("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(CAST(:keys AS BIGINT[])) AS k")


@dataclass(frozen=True)
class LockedState:
    """What a batch of approvals reads once it holds its locks: available balances, and the (seq, hash)
    heads of the ledger chain and of the money audit chain ((None, None) when empty)."""

    available: dict[str, int]
    ledger_head: tuple[int | None, str | None]
    audit_head: tuple[int | None, str | None]


@dataclass(frozen=True)
class CapsHeld:
    """What the caps hold: approved to each enterprise on each line (net of recoveries), and committed on
    each source per line (net of releases)."""

    recipient: dict[tuple[str, str], int]
    committed: dict[tuple[str, str | None], int]


@functools.cache
def _locked_state_query(sources: int) -> Any:
    """`LockedState` in one row, built once per number of sources."""
    return select(
        *(available_of(bindparam(f"source_{i}")) for i in range(sources)),
        *HEAD_COLUMNS,
        *audit_log.head_columns("audit_chain"),
    )


_RECIPIENT_HELD = (
    select(Claim.uscc, Claim.line_code, func.sum(Claim.approved_fen - Claim.recovered_fen))
    .where(
        Claim.uscc.in_(bindparam("usccs", expanding=True)),
        Claim.status.in_([ClaimStatus.approved.value, ClaimStatus.paid.value]),
    )
    .group_by(Claim.uscc, Claim.line_code)
)
_COMMITTED_HELD = (
    select(
        LedgerEntry.source_id,
        LedgerEntry.line_code,
        func.sum(
            case(
                (LedgerEntry.entry_type == "commitment", LedgerEntry.amount_fen),
                (LedgerEntry.entry_type == "release", -LedgerEntry.amount_fen),
                else_=0,
            )
        ),
    )
    .where(LedgerEntry.source_id.in_(bindparam("source_ids", expanding=True)))
    .group_by(LedgerEntry.source_id, LedgerEntry.line_code)
)

# Approvals lock their claims in id order, so that two batches never wait on each other crosswise.
_APPROVALS = (
    select(Claim, digest_of(Claim.policy_key, Claim.policy_version))
    .where(Claim.claim_id.in_(bindparam("claim_ids", expanding=True)))
    .options(joinedload(Claim.invoices), joinedload(Claim.attachments))
    .order_by(Claim.claim_id)
    .with_for_update(of=Claim)
    .execution_options(populate_existing=True)
)

# The approvals' writes, in Core (built once): the unit of work cost more CPU than the statements. The
# change feed is recorded here (`feed.track` covers ORM writes only).
_CLAIMS, _ALLOCATIONS, _PAYMENTS = Claim.__table__, ClaimAllocation.__table__, Payment.__table__
_DECISION = (
    update(_CLAIMS)
    .where(_CLAIMS.c.claim_id == bindparam("d_claim_id"))
    .values(
        status=bindparam("d_status"),
        approved_fen=bindparam("d_approved_fen"),
        updated_at=bindparam("d_updated_at"),
    )
)
_DECIDED = ("claim_id", "status", "approved_fen", "updated_at")
_INSERT_ALLOCATIONS = insert(_ALLOCATIONS)
_INSERT_PAYMENTS = insert(_PAYMENTS)
_INSERT_CHANGES = insert(feed.table)
_INSERT_EVENTS = insert(outbox.table)
_WRITTEN = ((_ALLOCATIONS, "a"), (_PAYMENTS, "p"), (outbox.table, "e"), (feed.table, "c"))


def _arrays(table: Table, columns: Sequence[str], prefix: str) -> str:
    """PostgreSQL: one array parameter per column (`:{prefix}_{column}`), typed as the column."""
    dialect = postgresql.dialect()
    return ", ".join(
        f"CAST(:{prefix}_{name} AS {table.c[name].type.compile(dialect=dialect)}[])" for name in columns
    )


@functools.cache
def _decision_statement(*shapes: tuple[str, ...]) -> Any:
    """PostgreSQL: the claims' UPDATE and the inserts of their rows, events and changes in one statement
    (data-modifying CTEs over arrays, `unnest`), built once per set of columns."""
    *parts, changes = [
        f"INSERT INTO {table.name} ({', '.join(columns)}) "
        f"SELECT * FROM unnest({_arrays(table, columns, prefix)})"
        for (table, prefix), columns in zip(_WRITTEN, shapes, strict=True)
    ]
    ctes = ", ".join(f"w{i} AS ({sql})" for i, sql in enumerate(parts))
    assignments = ", ".join(f"{name} = d.{name}" for name in _DECIDED[1:])
    return text(
        f"WITH decided AS (UPDATE claim SET {assignments} FROM unnest({_arrays(_CLAIMS, _DECIDED, 'd')}) "
        f"AS d({', '.join(_DECIDED)}) WHERE claim.claim_id = d.claim_id), {ctes} {changes}"
    )


class ClaimRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def add(self, *rows: Any) -> None:
        self.session.add_all(rows)
        await self.session.flush()

    async def get(self, claim_id: str, *, for_update: bool = False) -> Claim | None:
        query = (
            select(Claim)
            .where(Claim.claim_id == claim_id)
            .options(
                selectinload(Claim.invoices), selectinload(Claim.attachments), selectinload(Claim.allocations)
            )
            .execution_options(populate_existing=True)
        )
        if for_update:
            query = query.with_for_update(of=Claim)
        return (await self.session.execute(query)).scalars().first()

    async def get_for_approval(self, claim_ids: Sequence[str]) -> dict[str, tuple[Claim, str | None]]:
        """The claims locked (in id order), with their invoices and attachments (their answers' parts) and
        their pinned policy versions' digests (None: no such version) in the same statement; an approvable
        claim has no allocations yet, so they are not loaded."""
        rows = await self.session.execute(_APPROVALS, {"claim_ids": list(claim_ids)})
        return {claim.claim_id: (claim, digest) for claim, digest in rows.unique().all()}

    async def write_decisions(
        self,
        decisions: Sequence[tuple[str, tuple[str, int, datetime]]],
        allocations: Sequence[dict[str, Any]] = (),
        payments: Sequence[dict[str, Any]] = (),
        events: Sequence[dict[str, Any]] = (),
    ) -> None:
        """Each claim's (status, approved_fen, updated_at) and what the decisions add (allocation, payment and
        outbox rows), with their changes in the change feed, in Core: one statement on PostgreSQL. The claims'
        ORM objects are the caller's to keep in step."""
        now = utcnow()
        changes = [
            {"entity_type": "claim", "entity_id": claim_id, "recorded_at": now} for claim_id, _ in decisions
        ]
        changes += [
            {"entity_type": "payment", "entity_id": p["payment_id"], "recorded_at": now}
            for p in sorted(payments, key=lambda p: p["payment_id"])
        ]
        if self.session.bind.dialect.name == "postgresql":
            params: dict[str, Any] = {
                f"d_{name}": [decision[i] for _, decision in decisions] for i, name in enumerate(_DECIDED[1:])
            }
            params["d_claim_id"] = [claim_id for claim_id, _ in decisions]
            written = [allocations, payments, events, changes]
            # The columns of the rows given (any one column where none are: nothing is inserted).
            shapes = [
                tuple(rows[0]) if rows else (table.c[0].name,)
                for (table, _), rows in zip(_WRITTEN, written, strict=True)
            ]
            for (_, prefix), columns, rows in zip(_WRITTEN, shapes, written, strict=True):
                params |= {f"{prefix}_{name}": [row[name] for row in rows] for name in columns}
            await self.session.execute(_decision_statement(*shapes), params)
        else:
            await self.session.execute(
                _DECISION,
                [
                    {"d_claim_id": claim_id}
                    | {f"d_{name}": value for name, value in zip(_DECIDED[1:], decision, strict=True)}
                    for claim_id, decision in decisions
                ],
            )
            for statement, rows in (
                (_INSERT_ALLOCATIONS, allocations),
                (_INSERT_PAYMENTS, payments),
                (_INSERT_EVENTS, events),
                (_INSERT_CHANGES, changes),
            ):
                if rows:
                    await self.session.execute(statement, list(rows))
        feed.written(self.session, changes)
        outbox.written(self.session, events)

    async def taken_invoices(self, numbers: Sequence[str]) -> Sequence[tuple[str, str, str]]:
        """(number, claim id, uscc) of invoices already held by a live claim."""
        query = (
            select(ClaimInvoice.number, Claim.claim_id, Claim.uscc)
            .join(Claim, Claim.claim_id == ClaimInvoice.claim_id)
            .where(ClaimInvoice.number.in_(numbers), Claim.status.in_([s.value for s in HOLDS_INVOICES]))
        )
        return [tuple(row) for row in (await self.session.execute(query)).all()]  # type: ignore[misc]

    async def open_claim(self, uscc: str, line_code: str, project_id: str) -> Claim | None:
        query = select(Claim).where(
            Claim.uscc == uscc,
            Claim.line_code == line_code,
            Claim.project_id == project_id,
            Claim.status.not_in([ClaimStatus.rejected.value, ClaimStatus.clawed_back.value]),
        )
        return (await self.session.execute(query)).scalars().first()

    async def approved_on_line(self, uscc: str, line_code: str) -> int:
        query = select(func.coalesce(func.sum(Claim.approved_fen - Claim.recovered_fen), 0)).where(
            Claim.uscc == uscc,
            Claim.line_code == line_code,
            Claim.status.in_([ClaimStatus.approved.value, ClaimStatus.paid.value]),
        )
        return int((await self.session.execute(query)).scalar_one())

    async def lock_caps(self, keys: Sequence[int]) -> None:
        """Transaction-scoped advisory locks (one per cap), in key order so that two approvers never wait
        on each other crosswise."""
        await self.lock_keys(sorted(set(keys)))

    async def lock_keys(self, keys: Sequence[int]) -> None:
        """Transaction-scoped advisory locks in the order given, in one statement; SQLite serialises its
        writers anyway (BEGIN IMMEDIATE)."""
        if keys and self.session.bind.dialect.name == "postgresql":
            await self.session.execute(_ADVISORY_LOCKS, {"keys": list(keys)})

    async def locked_state(self, source_ids: Sequence[str], *, audit_chain: str) -> LockedState:
        """Read under the approvals' locks, in one statement: the balances of `source_ids` and the heads of
        both chains."""
        query = _locked_state_query(len(source_ids))
        params: dict[str, Any] = {f"source_{i}": source_id for i, source_id in enumerate(source_ids)}
        row = tuple((await self.session.execute(query, params | {"audit_chain": audit_chain})).one())
        n = len(source_ids)
        return LockedState(
            available={source_id: int(row[i]) for i, source_id in enumerate(source_ids)},
            ledger_head=(row[n], row[n + 1]),
            audit_head=(row[n + 2], row[n + 3]),
        )

    async def caps_held(self, usccs: Sequence[str], source_ids: Sequence[str]) -> CapsHeld:
        """Read under the caps' locks: what the enterprises `usccs` were approved on each line, and what
        the sources `source_ids` committed on each line (a statement each, only where asked)."""
        recipient: dict[tuple[str, str], int] = {}
        committed: dict[tuple[str, str | None], int] = {}
        if usccs:
            rows = await self.session.execute(_RECIPIENT_HELD, {"usccs": sorted(set(usccs))})
            recipient = {(uscc, line): int(fen) for uscc, line, fen in rows.all()}
        if source_ids:
            rows = await self.session.execute(_COMMITTED_HELD, {"source_ids": sorted(set(source_ids))})
            committed = {(source_id, line): int(fen) for source_id, line, fen in rows.all()}
        return CapsHeld(recipient, committed)

    async def page(
        self, filters: dict[str, Any], order: Order, cursor: str | None, limit: int
    ) -> tuple[list[Claim], int, str | None]:
        query = select(Claim)
        for name, value in filters.items():
            if value is not None:
                query = query.where(getattr(Claim, name) == value)
        return await read_page(self.session, query, order, cursor, limit)

    async def of_usccs(self, usccs: Sequence[str], filters: dict[str, Any]) -> Sequence[Claim]:
        """Every claim of the given enterprises (one query, `IN`), within the caller's scope filters."""
        query = select(Claim).where(Claim.uscc.in_(usccs))
        for name, value in filters.items():
            if value is not None:
                query = query.where(getattr(Claim, name) == value)
        rows = await self.session.execute(query.order_by(Claim.uscc, Claim.submitted_at, Claim.claim_id))
        return rows.scalars().all()

    async def payments_of_usccs(self, usccs: Sequence[str]) -> Sequence[Payment]:
        """Every payment to the given enterprises (one query, `IN`)."""
        query = (
            select(Payment)
            .where(Payment.uscc.in_(usccs))
            .order_by(Payment.uscc, Payment.queued_at, Payment.payment_id)
            .execution_options(populate_existing=True)
        )
        return (await self.session.execute(query)).scalars().all()

    async def claims_of(self, uscc: str) -> Sequence[Claim]:
        query = (
            select(Claim)
            .where(Claim.uscc == uscc)
            .options(selectinload(Claim.allocations))
            .order_by(Claim.submitted_at)
            .execution_options(populate_existing=True)
        )
        return (await self.session.execute(query)).scalars().all()

    async def allocations_for_update(self, claim_id: str) -> Sequence[ClaimAllocation]:
        query = (
            select(ClaimAllocation)
            .where(ClaimAllocation.claim_id == claim_id)
            .order_by(ClaimAllocation.source_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
        return (await self.session.execute(query)).scalars().all()

    async def allocation(self, claim_id: str, source_id: str) -> ClaimAllocation | None:
        return await self.session.get(ClaimAllocation, (claim_id, source_id))

    # --- payments and batches ---

    async def payments_of_claim(self, claim_id: str) -> Sequence[Payment]:
        query = (
            select(Payment)
            .where(Payment.claim_id == claim_id)
            .order_by(Payment.queued_at, Payment.payment_id)
        )
        return (await self.session.execute(query)).scalars().all()

    def _payments(self, filters: dict[str, Any]) -> Any:
        query = select(Payment)
        for name, value in filters.items():
            if value is not None:
                query = query.where(getattr(Payment, name) == value)
        return query.execution_options(populate_existing=True)

    async def payments(self, **filters: Any) -> Sequence[Payment]:
        query = self._payments(filters).order_by(Payment.queued_at, Payment.payment_id)
        return (await self.session.execute(query)).scalars().all()

    async def payment_page(
        self, order: Order, cursor: str | None, limit: int, **filters: Any
    ) -> tuple[list[Payment], int, str | None]:
        return await read_page(self.session, self._payments(filters), order, cursor, limit)

    async def queue(self, source_id: str, limit: int) -> Sequence[Payment]:
        """Queued payments of a source, earliest acceptance first (先验收先得), then by queueing time."""
        query = (
            select(Payment)
            .join(Claim, Claim.claim_id == Payment.claim_id)
            .where(Payment.source_id == source_id, Payment.status == "queued")
            .order_by(Claim.accepted_at, Payment.queued_at, Payment.payment_id)
            .limit(limit)
            .with_for_update(of=Payment)
        )
        return (await self.session.execute(query)).scalars().all()

    async def batch(self, batch_id: str, *, for_update: bool = False) -> DisbursementBatch | None:
        query = select(DisbursementBatch).where(DisbursementBatch.batch_id == batch_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query.execution_options(populate_existing=True))).scalars().first()

    async def batches(self, source_id: str | None) -> Sequence[DisbursementBatch]:
        query = select(DisbursementBatch).order_by(DisbursementBatch.created_at.desc())
        if source_id:
            query = query.where(DisbursementBatch.source_id == source_id)
        return (await self.session.execute(query)).scalars().all()

    async def batch_page(
        self, source_id: str | None, order: Order, cursor: str | None, limit: int
    ) -> tuple[list[DisbursementBatch], int, str | None]:
        query = select(DisbursementBatch)
        if source_id:
            query = query.where(DisbursementBatch.source_id == source_id)
        return await read_page(self.session, query, order, cursor, limit)

    # --- recoveries ---

    async def recovery(self, recovery_id: str, *, for_update: bool = False) -> Recovery | None:
        query = select(Recovery).where(Recovery.recovery_id == recovery_id)
        if for_update:
            query = query.with_for_update()
        return (await self.session.execute(query.execution_options(populate_existing=True))).scalars().first()

    def _recoveries(self, filters: dict[str, Any]) -> Any:
        query = select(Recovery)
        for name, value in filters.items():
            if value is not None:
                query = query.where(getattr(Recovery, name) == value)
        return query

    async def recoveries(self, **filters: Any) -> Sequence[Recovery]:
        query = self._recoveries(filters).order_by(Recovery.raised_at)
        return (await self.session.execute(query)).scalars().all()

    async def recovery_page(
        self, order: Order, cursor: str | None, limit: int, **filters: Any
    ) -> tuple[list[Recovery], int, str | None]:
        return await read_page(self.session, self._recoveries(filters), order, cursor, limit)
