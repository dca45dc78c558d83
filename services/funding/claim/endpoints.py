import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.claim import auth, service
from services.funding.claim.models import Claim
from services.funding.claim.repository import (
    BATCH_ORDERS,
    CLAIM_ORDERS,
    PAYMENT_ORDERS,
    RECOVERY_ORDERS,
    ClaimRepository,
)
from services.funding.claim.schemas import (
    AllocationRead,
    AttachmentRead,
    AuditIn,
    BatchCreate,
    BatchDetail,
    BatchList,
    BatchRead,
    ClaimCreate,
    ClaimDetail,
    ClaimPage,
    ClaimRead,
    ClaimsOfEnterprises,
    ClawbackIn,
    ClawbackResult,
    InvoiceRead,
    PaymentList,
    PaymentRead,
    PaymentsOfEnterprises,
    ReconciliationIn,
    ReconciliationLine,
    ReconciliationResult,
    RecoveryList,
    RecoveryRead,
    RepaymentIn,
    ReviewIn,
)
from services.funding.db import audit_log
from services.funding.enterprise.repository import EnterpriseCopyRepository
from services.funding.idempotency import (
    IdempotencyKey,
    check_caller,
    claim_keys,
    request_digest,
    run_once,
    settle_keys,
)
from services.funding.metrics import APPROVAL_BATCH
from services.funding.spreadsheet import XLSX, to_csv, to_xlsx
from szcore.auth import CurrentPrincipal, Principal, Role
from szcore.combining import Combiner
from szcore.errors import FieldError, ProblemError, bad_request
from szcore.readaudit import record_reads
from szcore.service import DbSession, OpenSession
from szcore.settings import get_settings

router = APIRouter(tags=["claim"])
_CLAIM_FIELDS = tuple(ClaimRead.model_fields)


async def detail(session: DbSession, claim: Claim) -> ClaimDetail:
    fresh = await ClaimRepository(session).get(claim.claim_id)
    assert fresh is not None
    payments = await ClaimRepository(session).payments_of_claim(claim.claim_id)
    return ClaimDetail(
        **ClaimRead.model_validate(fresh).model_dump(),
        invoices=[InvoiceRead.model_validate(i) for i in fresh.invoices],
        attachments=[AttachmentRead.model_validate(a) for a in fresh.attachments],
        allocations=[AllocationRead.model_validate(a) for a in fresh.allocations],
        payments=[PaymentRead.model_validate(p) for p in payments],
    )


@router.post(
    "/claims",
    status_code=status.HTTP_201_CREATED,
    response_model=ClaimDetail,
    summary="Submit a claim after acceptance (enterprise, or its county on its behalf; idempotent)",
)
async def submit_claim(
    data: ClaimCreate, session: DbSession, principal: CurrentPrincipal, idempotency_key: IdempotencyKey = None
) -> ClaimDetail:
    async def action() -> ClaimDetail:
        return await detail(session, await service.submit(session, principal, data))

    return ClaimDetail.model_validate(
        await run_once(
            session,
            principal,
            scope="claim.submit",
            roles=(Role.enterprise, Role.county_admin),
            key=idempotency_key,
            request=data.model_dump(mode="json"),
            action=action,
        )
    )


@router.get("/claims", response_model=ClaimPage, summary="Claims in submission order (keyset, filters)")
async def list_claims(
    session: DbSession,
    principal: CurrentPrincipal,
    status_: Annotated[str | None, Query(alias="status")] = None,
    uscc: str | None = None,
    county_code: str | None = None,
    line_code: str | None = None,
    policy_key: str | None = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    order: Annotated[
        Literal["oldest_first", "newest_first", "claimed_highest"],
        Query(description="Sort order; keep it while paging with the cursor"),
    ] = "oldest_first",
) -> ClaimPage:
    auth.require(auth.can_list(principal), "Claims are not visible to this role")
    filters = {
        "status": status_,
        "uscc": uscc.upper() if uscc else None,
        "county_code": county_code,
        "line_code": line_code,
        "policy_key": policy_key,
    }
    sort = CLAIM_ORDERS[order]
    sort.decode(cursor)  # refuse a foreign cursor even when the scope leaves nothing to list
    scoped = auth.scope_filters(principal)
    if any(filters.get(k) not in (None, v) for k, v in scoped.items()):
        return ClaimPage(items=[], total=0, next_cursor=None)
    filters |= scoped
    rows, total, next_cursor = await ClaimRepository(session).page(filters, sort, cursor, limit)
    items = [ClaimRead.model_validate(r) for r in rows]
    await record_reads(session, audit_log, principal, "claim", [c.uscc for c in items])
    return ClaimPage(items=items, total=total, next_cursor=next_cursor)


@router.get(
    "/claims/by-enterprise",
    response_model=ClaimsOfEnterprises,
    summary="Claims of several enterprises (batch read by USCC)",
)
async def claims_of_enterprises(
    session: DbSession, principal: CurrentPrincipal, uscc: Annotated[list[str], Query(max_length=500)]
) -> ClaimsOfEnterprises:
    auth.require(auth.can_list(principal), "Claims are not visible to this role")
    wanted = list(dict.fromkeys(u.upper() for u in uscc))
    rows = await ClaimRepository(session).of_usccs(wanted, auth.scope_filters(principal)) if wanted else []
    await record_reads(session, audit_log, principal, "claim", [r.uscc for r in rows])
    return ClaimsOfEnterprises(items=[ClaimRead.model_validate(r) for r in rows])


@router.get("/claims/{claim_id}", response_model=ClaimDetail, summary="One claim with invoices and payments")
async def get_claim(claim_id: str, session: DbSession, principal: CurrentPrincipal) -> ClaimDetail:
    auth.require(auth.can_list(principal), "Claims are not visible to this role")
    claim = await service.visible_claim(session, principal, claim_id)
    await record_reads(session, audit_log, principal, "claim", [claim.uscc])
    return await detail(session, claim)


@router.post(
    "/claims/{claim_id}/reviews", response_model=ClaimDetail, summary="County (初审) or city (复审) review"
)
async def review_claim(
    claim_id: str, data: ReviewIn, session: DbSession, principal: CurrentPrincipal
) -> ClaimDetail:
    return await detail(session, await service.review(session, principal, claim_id, data))


@router.post(
    "/claims/{claim_id}/audit", response_model=ClaimDetail, summary="Record the special audit (专项审计)"
)
async def audit_claim(
    claim_id: str, data: AuditIn, session: DbSession, principal: CurrentPrincipal
) -> ClaimDetail:
    return await detail(session, await service.record_audit(session, principal, claim_id, data))


@router.post(
    "/claims/{claim_id}/approve",
    response_model=ClaimDetail,
    summary="Approve: commit the amount on the funding sources (city; idempotent)",
)
async def approve_claim(
    claim_id: str,
    open_session: OpenSession,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> ClaimDetail:
    key = check_caller(principal, (Role.city_admin,), idempotency_key)
    # The stored JSON is the answer (first time and on retries): not validated and serialised once more.
    answer = await _APPROVALS.submit(open_session, _ApprovalAsk(principal, claim_id, key))
    return Response(answer, media_type="application/json")  # type: ignore[return-value]


@dataclass(frozen=True)
class _ApprovalAsk:
    principal: Principal
    claim_id: str
    key: str

    @property
    def scope(self) -> tuple[str, str]:
        return f"claim.approve:{self.claim_id}", self.key


_NO_BODY = request_digest({})


async def _decide_approvals(session: AsyncSession, asks: Sequence[_ApprovalAsk]) -> list[str | ProblemError]:
    """A batch of approval requests in one transaction (`service.approve_many`): each one's answer as
    stored with its key, or its refusal."""
    outcomes = await claim_keys(session, [(*a.scope, a.principal, _NO_BODY) for a in asks])
    go = [i for i, outcome in enumerate(outcomes) if outcome is None]
    decided = await service.approve_many(session, [(asks[i].principal, asks[i].claim_id) for i in go])
    answered, refused = [], []
    for i, approval in zip(go, decided, strict=True):
        if isinstance(approval, ProblemError):
            outcomes[i] = approval
            refused.append(asks[i].scope)
        else:
            answer = outcomes[i] = _approval_answer(approval).model_dump_json()
            answered.append((*asks[i].scope, answer))
    await settle_keys(session, answered, refused)
    return outcomes  # type: ignore[return-value]


def _approval_answer(approval: service.Approval) -> ClaimDetail:
    """From what the approval loaded and wrote: no re-reads, and validated once (nested parts from the ORM
    objects and rows as they are)."""
    claim = approval.claim
    return ClaimDetail.model_validate(
        {name: getattr(claim, name) for name in _CLAIM_FIELDS}
        | {
            "invoices": claim.invoices,
            "attachments": claim.attachments,
            "allocations": approval.allocations,
            "payments": sorted(approval.payments, key=lambda p: (p["queued_at"], p["payment_id"])),
        },
        from_attributes=True,
    )


# Approvals of a process queue while a batch is decided, and go in the next batch (group commit): every
# approval of a source waits on its lock, so deciding them together is what lets approvals scale.
_APPROVALS: Combiner[_ApprovalAsk, str] = Combiner(
    _decide_approvals,
    key=lambda ask: ask.scope,
    most=lambda: get_settings().approval_batch_max,
    observe=APPROVAL_BATCH.observe,
)


@router.post(
    "/claims/{claim_id}/clawback",
    response_model=ClawbackResult,
    summary="Claw back a claim (fraud, revocation): cancel unpaid, raise recoveries (city; idempotent)",
)
async def claw_back_claim(
    claim_id: str,
    data: ClawbackIn,
    session: DbSession,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> ClawbackResult:
    async def action() -> ClawbackResult:
        claim, released, recoveries = await service.claw_back_claim(
            session, principal, claim_id, data.reason, data.note
        )
        return ClawbackResult(
            claim=ClaimRead.model_validate(claim),
            released_fen=released,
            recoveries=[RecoveryRead.model_validate(r) for r in recoveries],
        )

    return ClawbackResult.model_validate(
        await run_once(
            session,
            principal,
            scope=f"claim.clawback:{claim_id}",
            roles=(Role.city_admin,),
            key=idempotency_key,
            request=data.model_dump(),
            action=action,
        )
    )


@router.get(
    "/payments/by-enterprise",
    response_model=PaymentsOfEnterprises,
    summary="Payments to several enterprises (batch read by USCC)",
)
async def payments_of_enterprises(
    session: DbSession, principal: CurrentPrincipal, uscc: Annotated[list[str], Query(max_length=500)]
) -> PaymentsOfEnterprises:
    wanted = list(dict.fromkeys(u.upper() for u in uscc))
    if principal.role is Role.enterprise:
        wanted = [u for u in wanted if u == principal.uscc]
    else:
        auth.require(
            principal.role in (Role.city_admin, Role.auditor), "Payments are for the city and auditors"
        )
    rows = await ClaimRepository(session).payments_of_usccs(wanted) if wanted else []
    await record_reads(session, audit_log, principal, "payment", [p.uscc for p in rows])
    return PaymentsOfEnterprises(items=[PaymentRead.model_validate(p) for p in rows])


@router.get(
    "/payments",
    response_model=PaymentList,
    summary="Payments by status and source (the queue); keyset pages when `limit` is given",
)
async def list_payments(
    session: DbSession,
    principal: CurrentPrincipal,
    status_: Annotated[str | None, Query(alias="status")] = None,
    source_id: str | None = None,
    uscc: str | None = None,
    cursor: str | None = None,
    limit: Annotated[
        int | None, Query(ge=1, le=200, description="Page size; without it every payment (legacy)")
    ] = None,
    order: Annotated[
        Literal["queued_oldest", "queued_newest", "amount_highest"],
        Query(description="Sort order of a page; keep it while paging with the cursor"),
    ] = "queued_oldest",
) -> PaymentList:
    if principal.role is Role.enterprise:
        uscc = principal.uscc
    else:
        auth.require(
            principal.role in (Role.city_admin, Role.auditor), "Payments are for the city and auditors"
        )
    repository = ClaimRepository(session)
    filters = {"status": status_, "source_id": source_id, "uscc": uscc}
    if limit is None and cursor is None:
        rows = list(await repository.payments(**filters))
        total, next_cursor = None, None
    else:
        rows, total, next_cursor = await repository.payment_page(
            PAYMENT_ORDERS[order], cursor, limit or 50, **filters
        )
    await record_reads(session, audit_log, principal, "payment", [p.uscc for p in rows])
    return PaymentList(
        items=[PaymentRead.model_validate(p) for p in rows], total=total, next_cursor=next_cursor
    )


def _batch_detail(batch: object, payments: list) -> BatchDetail:  # type: ignore[type-arg]
    return BatchDetail(
        **BatchRead.model_validate(batch).model_dump(),
        payments=[PaymentRead.model_validate(p) for p in payments],
    )


@router.post(
    "/disbursement-batches",
    status_code=status.HTTP_201_CREATED,
    response_model=BatchDetail,
    summary="Put a source's queued payments into a bank batch, earliest acceptance first (idempotent)",
)
async def create_batch(
    data: BatchCreate, session: DbSession, principal: CurrentPrincipal, idempotency_key: IdempotencyKey = None
) -> BatchDetail:
    async def action() -> BatchDetail:
        return _batch_detail(*await service.create_batch(session, principal, data))

    return BatchDetail.model_validate(
        await run_once(
            session,
            principal,
            scope="batch.create",
            roles=(Role.city_admin,),
            key=idempotency_key,
            request=data.model_dump(),
            action=action,
        )
    )


@router.get(
    "/disbursement-batches",
    response_model=BatchList,
    summary="Disbursement batches, newest first; keyset pages when `limit` is given",
)
async def list_batches(
    session: DbSession,
    principal: CurrentPrincipal,
    source_id: str | None = None,
    cursor: str | None = None,
    limit: Annotated[
        int | None, Query(ge=1, le=200, description="Page size; without it every batch (legacy)")
    ] = None,
    order: Annotated[
        Literal["newest", "oldest", "amount_highest"],
        Query(description="Sort order of a page; keep it while paging with the cursor"),
    ] = "newest",
) -> BatchList:
    auth.require(principal.role in (Role.city_admin, Role.auditor), "Batches are for the city and auditors")
    repository = ClaimRepository(session)
    if limit is None and cursor is None:
        return BatchList(items=[BatchRead.model_validate(b) for b in await repository.batches(source_id)])
    rows, total, next_cursor = await repository.batch_page(
        source_id, BATCH_ORDERS[order], cursor, limit or 50
    )
    return BatchList(items=[BatchRead.model_validate(b) for b in rows], total=total, next_cursor=next_cursor)


@router.get(
    "/disbursement-batches/{batch_id}", response_model=BatchDetail, summary="One batch with its payments"
)
async def get_batch(batch_id: str, session: DbSession, principal: CurrentPrincipal) -> BatchDetail:
    return _batch_detail(*await service.batch_with_payments(session, principal, batch_id))


BANK_HEADER = ["payment_id", "payee_uscc", "payee_name", "amount_yuan", "amount_fen", "claim_id", "memo"]


@router.get(
    "/disbursement-batches/{batch_id}/bank-file",
    summary="The bank file of a batch (CSV or XLSX)",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}, XLSX: {}}}},
)
async def bank_file(
    batch_id: str,
    session: DbSession,
    principal: CurrentPrincipal,
    format: Annotated[str, Query(pattern="^(csv|xlsx)$")] = "csv",
) -> Response:
    batch, payments = await service.batch_with_payments(session, principal, batch_id)
    copies = EnterpriseCopyRepository(session)
    names = {e.uscc: e.name for e in await copies.list_by_uscc([p.uscc for p in payments], None)}
    rows = [
        [
            p.payment_id,
            p.uscc,
            names.get(p.uscc, ""),
            f"{p.amount_fen // 100}.{p.amount_fen % 100:02d}",
            p.amount_fen,
            p.claim_id,
            f"数字化转型奖补 {p.claim_id[:8]}",
        ]
        for p in payments
    ]
    name = f"batch-{batch.batch_id[:8]}"
    if format == "xlsx":
        return Response(
            to_xlsx({"payments": (BANK_HEADER, rows)}),
            media_type=XLSX,
            headers={"content-disposition": f'attachment; filename="{name}.xlsx"'},
        )
    return Response(
        to_csv(BANK_HEADER, rows),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}.csv"'},
    )


def _parse_bank_csv(text: str) -> list[ReconciliationLine]:
    lines = []
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    for i, row in enumerate(reader):
        try:
            lines.append(
                ReconciliationLine(
                    payment_id=(row.get("payment_id") or "").strip(),
                    status=(row.get("status") or "").strip().lower(),
                    bank_reference=(row.get("bank_reference") or "").strip(),
                    reason=(row.get("reason") or "").strip(),
                )
            )
        except ValueError as exc:
            raise bad_request(
                "reconciliation_invalid",
                "A CSV line is not valid",
                [FieldError(f"csv.{i + 1}", "invalid", str(exc).splitlines()[0])],
            ) from exc
    return lines


@router.post(
    "/disbursement-batches/{batch_id}/reconciliation",
    response_model=ReconciliationResult,
    summary="Import the bank's result (paid/failed per payment); failed ones are queued again (idempotent)",
)
async def reconcile(
    batch_id: str,
    data: ReconciliationIn,
    session: DbSession,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> ReconciliationResult:
    lines = list(data.lines) + (_parse_bank_csv(data.csv) if data.csv else [])

    async def action() -> ReconciliationResult:
        batch, paid, failed, requeued = await service.reconcile(session, principal, batch_id, lines)
        return ReconciliationResult(
            batch=BatchRead.model_validate(batch), paid=paid, failed=failed, requeued_payment_ids=requeued
        )

    return ReconciliationResult.model_validate(
        await run_once(
            session,
            principal,
            scope=f"batch.reconcile:{batch_id}",
            roles=(Role.city_admin,),
            key=idempotency_key,
            request=data.model_dump(),
            action=action,
        )
    )


@router.get(
    "/recoveries",
    response_model=RecoveryList,
    summary="Recoveries (收回) raised; keyset pages when `limit` is given",
)
async def list_recoveries(
    session: DbSession,
    principal: CurrentPrincipal,
    uscc: str | None = None,
    claim_id: str | None = None,
    cursor: str | None = None,
    limit: Annotated[
        int | None, Query(ge=1, le=200, description="Page size; without it every recovery (legacy)")
    ] = None,
    order: Annotated[
        Literal["raised_oldest", "raised_newest", "amount_highest"],
        Query(description="Sort order of a page; keep it while paging with the cursor"),
    ] = "raised_oldest",
) -> RecoveryList:
    if principal.role is Role.enterprise:
        uscc = principal.uscc
    else:
        auth.require(
            principal.role in (Role.city_admin, Role.auditor), "Recoveries are for the city and auditors"
        )
    repository = ClaimRepository(session)
    if limit is None and cursor is None:
        rows = await repository.recoveries(uscc=uscc, claim_id=claim_id)
        return RecoveryList(items=[RecoveryRead.model_validate(r) for r in rows])
    page, total, next_cursor = await repository.recovery_page(
        RECOVERY_ORDERS[order], cursor, limit or 50, uscc=uscc, claim_id=claim_id
    )
    return RecoveryList(
        items=[RecoveryRead.model_validate(r) for r in page], total=total, next_cursor=next_cursor
    )


@router.post(
    "/recoveries/{recovery_id}/repayments",
    response_model=RecoveryRead,
    summary="Record money repaid on a recovery (city; idempotent)",
)
async def repay(
    recovery_id: str,
    data: RepaymentIn,
    session: DbSession,
    principal: CurrentPrincipal,
    idempotency_key: IdempotencyKey = None,
) -> RecoveryRead:
    async def action() -> RecoveryRead:
        return RecoveryRead.model_validate(
            await service.repay(session, principal, recovery_id, data.amount_fen)
        )

    return RecoveryRead.model_validate(
        await run_once(
            session,
            principal,
            scope=f"recovery.repay:{recovery_id}",
            roles=(Role.city_admin,),
            key=idempotency_key,
            request=data.model_dump(),
            action=action,
        )
    )
