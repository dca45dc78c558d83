from typing import Annotated, Literal

from fastapi import APIRouter, Query, status

from services.funding.idempotency import IdempotencyKey, run_once
from services.funding.ledger import auth, service
from services.funding.ledger.chain import AccountKind
from services.funding.ledger.repository import ENTRY_ORDERS, LedgerRepository
from services.funding.ledger.schemas import (
    AllocationCreate,
    Balances,
    ChainCheckRead,
    EntryPage,
    EntryRead,
    MatchingRead,
    SourceCreate,
    SourceList,
    SourceRead,
)
from services.funding.policy import service as policy_service
from szcore.auth import CurrentPrincipal
from szcore.errors import FieldError, bad_request, not_found
from szcore.service import DbSession

router = APIRouter(tags=["ledger"])


def balances_of(per_source: dict[str, int]) -> Balances:
    return Balances(
        allocated_fen=-per_source.get(AccountKind.budget.value, 0),
        available_fen=per_source.get(AccountKind.available.value, 0),
        committed_fen=per_source.get(AccountKind.committed.value, 0),
        paid_fen=per_source.get(AccountKind.paid.value, 0),
        receivable_fen=per_source.get(AccountKind.receivable.value, 0),
    )


async def source_read(session: DbSession, source_id: str) -> SourceRead:
    repository = LedgerRepository(session)
    source = await repository.get_source(source_id)
    balances = await repository.balances([source_id])
    read = SourceRead.model_validate(source)
    read.balances = balances_of(balances.get(source_id, {}))
    return read


@router.post(
    "/funding-sources",
    status_code=status.HTTP_201_CREATED,
    response_model=SourceRead,
    summary="Create a funding source (central, provincial, city, county budget)",
)
async def create_source(data: SourceCreate, session: DbSession, principal: CurrentPrincipal) -> SourceRead:
    source = await service.create_source(session, principal, data)
    return await source_read(session, source.source_id)


@router.get("/funding-sources", response_model=SourceList, summary="Funding sources with derived balances")
async def list_sources(
    session: DbSession, principal: CurrentPrincipal, policy_key: str | None = None
) -> SourceList:
    auth.require_read(principal)
    repository = LedgerRepository(session)
    sources = await repository.list_sources(policy_key)
    balances = await repository.balances([s.source_id for s in sources])
    items = []
    for source in sources:
        read = SourceRead.model_validate(source)
        read.balances = balances_of(balances.get(source.source_id, {}))
        items.append(read)
    return SourceList(items=items)


@router.get("/funding-sources/{source_id}", response_model=SourceRead, summary="One funding source")
async def get_source(source_id: str, session: DbSession, principal: CurrentPrincipal) -> SourceRead:
    auth.require_read(principal)
    if await LedgerRepository(session).get_source(source_id) is None:
        raise not_found("source_not_found", f"No funding source {source_id}")
    return await source_read(session, source_id)


@router.post(
    "/funding-sources/{source_id}/allocations",
    response_model=EntryRead,
    summary="Allocate a year's budget to a source (idempotent)",
)
async def allocate(
    source_id: str,
    data: AllocationCreate,
    session: DbSession,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> EntryRead:
    async def action() -> EntryRead:
        entry = await service.allocate(
            session, principal, source_id, data.fiscal_year, data.amount_fen, data.memo
        )
        return EntryRead.model_validate(entry)

    return EntryRead.model_validate(
        await run_once(
            session,
            principal,
            scope=f"allocate:{source_id}",
            roles=auth.MANAGERS,
            key=idempotency_key,
            request=data.model_dump(),
            action=action,
        )
    )


@router.get("/ledger/entries", response_model=EntryPage, summary="Ledger entries in chain order (keyset)")
async def list_entries(
    session: DbSession,
    principal: CurrentPrincipal,
    source_id: str | None = None,
    claim_id: str | None = None,
    uscc: str | None = None,
    entry_type: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    order: Annotated[
        Literal["chain", "newest", "amount_highest"],
        Query(description="Sort order; keep it while paging with the cursor"),
    ] = "chain",
) -> EntryPage:
    auth.require_read(principal)
    rows, total, next_cursor = await LedgerRepository(session).entries(
        order=ENTRY_ORDERS[order],
        cursor=cursor,
        limit=limit,
        source_id=source_id,
        claim_id=claim_id,
        uscc=uscc,
        entry_type=entry_type,
    )
    return EntryPage(items=[EntryRead.model_validate(r) for r in rows], total=total, next_cursor=next_cursor)


@router.get(
    "/ledger/verify", response_model=ChainCheckRead, summary="Verify the hash chain and the trial balance"
)
async def verify(session: DbSession, principal: CurrentPrincipal) -> ChainCheckRead:
    auth.require_read(principal)
    check = await service.verify_chain(session)
    balances = await LedgerRepository(session).balances()
    trial = sum(sum(per.values()) for per in balances.values())
    return ChainCheckRead(
        ok=check.ok and trial == 0,
        checked=check.checked,
        first_broken_seq=check.first_broken_seq,
        reason=check.reason,
        trial_balance_fen=trial,
    )


@router.get(
    "/policies/{key}/matching",
    response_model=MatchingRead,
    summary="Local matching money against central (1:1.5)",
)
async def matching(key: str, session: DbSession, principal: CurrentPrincipal) -> MatchingRead:
    auth.require_read(principal)
    _, document = await policy_service.load(session, key)
    repository = LedgerRepository(session)
    sources = await repository.list_sources(key)
    if not sources:
        raise bad_request(
            "no_sources", "The policy has no funding sources", [FieldError("key", "no_sources", key)]
        )
    balances = await repository.balances([s.source_id for s in sources])
    allocated: dict[str, int] = {}
    for source in sources:
        allocated[source.level] = (
            allocated.get(source.level, 0) + balances_of(balances.get(source.source_id, {})).allocated_fen
        )
    return MatchingRead(policy_key=key, **service.matching_status(document, allocated))
