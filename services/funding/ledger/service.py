"""Budgets and the ledger: balances are derived from entries; a source never goes below zero."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.db import audit_log
from services.funding.ledger import auth
from services.funding.ledger.chain import (
    GENESIS,
    HASHED_FIELDS,
    POSTING_RULES,
    AccountKind,
    EntryType,
    account,
    entry_hash,
)
from services.funding.ledger.models import FundingSource, LedgerEntry
from services.funding.ledger.repository import LedgerRepository
from services.funding.ledger.schemas import SourceCreate
from services.funding.policy.document import PolicyDocument
from szcore.audit import anchor_problem
from szcore.auth import Principal
from szcore.errors import FieldError, bad_request, conflict, not_found
from szcore.types import utcnow


@dataclass(frozen=True)
class Posting:
    entry_type: EntryType
    source_id: str
    fiscal_year: int
    amount_fen: int
    claim_id: str | None = None
    payment_id: str | None = None
    recovery_id: str | None = None
    uscc: str | None = None
    county_code: str | None = None
    industry_code: str | None = None
    line_code: str | None = None
    memo: str = ""


async def post(
    session: AsyncSession,
    actor_subject: str,
    postings: Sequence[Posting],
    head: tuple[int | None, str | None] | None = None,
) -> list[LedgerEntry]:
    """Append entries to the hash chain. Callers that spend lock their sources first (`lock_and_check`).
    `head`: the chain's last (seq, hash), for a caller that already holds the chain's lock (`CHAIN_LOCK`)
    and read it (`HEAD_COLUMNS`); else the lock is taken and the head read here."""
    (entries,) = await post_many(session, [(actor_subject, postings)], head)
    return entries


async def post_many(
    session: AsyncSession,
    groups: Sequence[tuple[str, Sequence[Posting]]],
    head: tuple[int | None, str | None] | None = None,
) -> list[list[LedgerEntry]]:
    """As `post`, for several (actor, postings) groups in turn, in one statement: each group's entries."""
    repository = LedgerRepository(session)
    if head is None:
        await repository.lock_chain()
        head = await repository.head() or (None, None)
    seq, prev_hash = head[0] or 0, head[1] or GENESIS
    rows: list[dict[str, Any]] = []
    for actor_subject, postings in groups:
        for posting in postings:
            if posting.amount_fen <= 0:
                raise ValueError("ledger amounts are positive; the entry type gives the direction")
            debit, credit = POSTING_RULES[posting.entry_type]
            seq += 1
            values = {
                "seq": seq,
                "entry_type": posting.entry_type.value,
                "source_id": posting.source_id,
                "fiscal_year": posting.fiscal_year,
                "debit_account": account(debit, posting.source_id),
                "credit_account": account(credit, posting.source_id),
                "amount_fen": posting.amount_fen,
                "claim_id": posting.claim_id,
                "payment_id": posting.payment_id,
                "recovery_id": posting.recovery_id,
                "uscc": posting.uscc,
                "county_code": posting.county_code,
                "industry_code": posting.industry_code,
                "line_code": posting.line_code,
                "memo": posting.memo,
                "occurred_at": utcnow(),
                "actor_subject": actor_subject,
                "prev_hash": prev_hash,
            }
            values["hash"] = prev_hash = entry_hash(values)
            rows.append(values)
    entries = iter(await repository.add_entries(rows) if rows else [])
    return [[next(entries) for _ in postings] for _, postings in groups]


async def lock_and_check(session: AsyncSession, needs: dict[str, int]) -> dict[str, FundingSource]:
    """Lock the sources (in id order) and refuse if any lacks the available amount needed."""
    repository = LedgerRepository(session)
    sources = await repository.lock_sources(list(needs))
    missing = sorted(set(needs) - set(sources))
    if missing:
        raise not_found("source_not_found", f"No funding source {', '.join(missing)}")
    check_available(await repository.available(list(needs)), needs)
    return sources


def check_available(available_fen: dict[str, int], needs: dict[str, int]) -> None:
    """Refuse if a source lacks the amount needed (balances read under the sources' lock)."""
    short = [
        FieldError(
            f"sources.{source_id}",
            "source_exhausted",
            f"{source_id} has {available_fen.get(source_id, 0)} fen available, {need} needed",
            "资金来源余额不足",
        )
        for source_id, need in sorted(needs.items())
        if available_fen.get(source_id, 0) < need
    ]
    if short:
        raise conflict("source_exhausted", "A funding source has not enough money available", short)


def available(balances: dict[str, dict[str, int]], source_id: str) -> int:
    return balances.get(source_id, {}).get(AccountKind.available.value, 0)


async def create_source(session: AsyncSession, principal: Principal, data: SourceCreate) -> FundingSource:
    auth.require_manage(principal)
    repository = LedgerRepository(session)
    if await repository.get_source(data.source_id):
        raise conflict("source_exists", f"Funding source {data.source_id} exists")
    if data.level == "county" and not data.county_code:
        raise bad_request(
            "county_required",
            "A county source names its county",
            [FieldError("county_code", "required", "county_code is required for a county source")],
        )
    source = FundingSource(**data.model_dump(), created_at=utcnow())
    await repository.add_source(source)
    await audit_log.append(
        session,
        actor=principal,
        action="funding_source.created",
        entity_type="funding_source",
        entity_id=source.source_id,
        data=data.model_dump(),
    )
    return source


async def allocate(
    session: AsyncSession, principal: Principal, source_id: str, fiscal_year: int, amount_fen: int, memo: str
) -> LedgerEntry:
    auth.require_manage(principal)
    repository = LedgerRepository(session)
    sources = await repository.lock_sources([source_id])
    if source_id not in sources:
        raise not_found("source_not_found", f"No funding source {source_id}")
    (entry,) = await post(
        session,
        principal.subject,
        [Posting(EntryType.allocation, source_id, fiscal_year, amount_fen, memo=memo)],
    )
    await audit_log.append(
        session,
        actor=principal,
        action="funding_source.allocated",
        entity_type="funding_source",
        entity_id=source_id,
        data={"fiscal_year": fiscal_year, "amount_fen": amount_fen, "ledger_seq": entry.seq},
        chain="money",
    )
    return entry


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    first_broken_seq: int | None = None
    reason: str | None = None
    head_seq: int | None = None
    head_hash: str | None = None


async def verify_chain(
    session: AsyncSession, chunk: int = 2000, anchor: tuple[int, str] | None = None
) -> ChainCheck:
    """Walk the chain from seq 1. `anchor` (seq, hash), a head published earlier, also catches entries
    deleted from the end, which the chain alone cannot show."""
    repository = LedgerRepository(session)
    expected_seq, prev_hash, checked = 1, GENESIS, 0
    hash_at_anchor: str | None = None
    while True:
        rows = await repository.chain_chunk(expected_seq - 1, chunk)
        if not rows:
            break
        for row in rows:
            if row.seq != expected_seq or row.prev_hash != prev_hash:
                return ChainCheck(False, checked, row.seq, "an entry was deleted or reordered")
            values = {name: getattr(row, name) for name in HASHED_FIELDS}
            if entry_hash(values) != row.hash:
                return ChainCheck(False, checked, row.seq, "an entry was edited")
            debit, credit = POSTING_RULES[EntryType(row.entry_type)]
            if (row.debit_account, row.credit_account) != (
                account(debit, row.source_id),
                account(credit, row.source_id),
            ):
                return ChainCheck(False, checked, row.seq, "accounts do not match the entry type")
            if anchor is not None and row.seq == anchor[0]:
                hash_at_anchor = row.hash
            prev_hash, expected_seq = row.hash, row.seq + 1
            checked += 1
    head_seq, head_hash = expected_seq - 1, (prev_hash if checked else None)
    if await repository.entry_count() != checked:
        # Rows renumbered below 1 are outside the walk but still counted.
        return ChainCheck(
            False, checked, expected_seq, "entries with sequence numbers out of order were found"
        )
    problem = anchor_problem(anchor, head_seq, hash_at_anchor)
    if problem and anchor is not None:
        return ChainCheck(False, checked, min(head_seq + 1, anchor[0]), problem, head_seq or None, head_hash)
    return ChainCheck(True, checked, head_seq=head_seq or None, head_hash=head_hash)


def matching_status(policy: PolicyDocument, allocated_by_level: dict[str, int]) -> dict[str, int]:
    """Jinhua's rule as data: local money (city + county) must be at least central × num / den."""
    central = allocated_by_level.get("central", 0)
    local = sum(v for level, v in allocated_by_level.items() if level in ("city", "county"))
    required = -(-central * policy.funding.local_per_central_num // policy.funding.local_per_central_den)
    return {
        "central_fen": central,
        "local_fen": local,
        "local_required_fen": required,
        "local_shortfall_fen": max(required - local, 0),
    }
