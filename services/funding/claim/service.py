"""Claims after acceptance: checks, reviews, audit, approval (commits the money), disbursement batches,
reconciliation, clawback and repayment. Every money move posts ledger entries and an audit record in the
same transaction."""

import hashlib
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from shuzhuan.events.v1.assessment_pb2 import PilotStatusRevoked
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from services.funding.calculation.engine import Facts, quote_line, source_levels, split_by_source
from services.funding.claim import auth
from services.funding.claim import events as claim_events
from services.funding.claim.models import (
    Claim,
    ClaimAttachment,
    ClaimInvoice,
    DisbursementBatch,
    Payment,
    Recovery,
)
from services.funding.claim.repository import ClaimRepository, LockedState
from services.funding.claim.schemas import AuditIn, BatchCreate, ClaimCreate, ReconciliationLine, ReviewIn
from services.funding.claim.states import Action, ClaimStatus, next_status
from services.funding.db import audit_log, outbox
from services.funding.enterprise.models import AcceptanceCopy, ContractCopy, EnterpriseCopy
from services.funding.enterprise.repository import EnterpriseCopyRepository
from services.funding.ledger import service as ledger
from services.funding.ledger.chain import EntryType
from services.funding.ledger.models import FundingSource
from services.funding.ledger.repository import CHAIN_LOCK, LedgerRepository
from services.funding.policy import service as policy_service
from services.funding.policy.document import BaseKind, BenefitLine, PolicyDocument, Recipient
from szcore.audit import AuditRecord
from szcore.auth import Principal, Role
from szcore.errors import FieldError, ProblemError, bad_request, conflict, not_found
from szcore.events import Event
from szcore.outbox import uuid4_strings
from szcore.types import utcnow

MONEY_CHAIN = "money"
# The actor of changes made by consumed events (revocations).
SYSTEM = Principal(subject="system:funding", role=Role.city_admin)


def _transition(claim: Claim, action: Action) -> None:
    new = next_status(ClaimStatus(claim.status), action)
    if new is None:
        raise conflict("claim_wrong_state", f"A claim in state {claim.status} does not allow {action.value}")
    claim.status = new.value
    claim.updated_at = utcnow()


async def visible_claim(
    session: AsyncSession, principal: Principal, claim_id: str, *, for_update: bool = False
) -> Claim:
    claim = await ClaimRepository(session).get(claim_id, for_update=for_update)
    if claim is None or not auth.can_read(principal, claim.county_code, claim.uscc):
        raise not_found("claim_not_found", f"No claim {claim_id} visible to you")
    return claim


def claim_facts(
    enterprise: EnterpriseCopy,
    acceptance: AcceptanceCopy | None,
    designations: set[str],
    invoices: list[tuple[str, int]],
    loan_interest_fen: dict[int, int],
) -> Facts:
    spending: dict[str, int] = defaultdict(int)
    for category, amount in invoices:
        spending[category] += amount
    return Facts(
        recipient_id=enterprise.uscc,
        admitted=enterprise.admitted_at is not None,
        level=acceptance.level if acceptance else 0,
        accepted_on=acceptance.evaluated_at.date() if acceptance else None,
        attributes={
            "size_class": enterprise.size_class,
            "srdi_status": enterprise.srdi_status,
            "pilot_industry": enterprise.pilot_industry,
            "county_code": enterprise.county_code,
        },
        designations=frozenset(designations),
        spending_fen=dict(spending),
        actual_investment_fen=sum(amount for _, amount in invoices),
        loan_interest_fen=loan_interest_fen,
    )


def _invoice_errors(
    data: ClaimCreate,
    line: BenefitLine,
    policy: PolicyDocument,
    contract: ContractCopy | None,
    provider_uscc: str | None,
    accepted_on: date | None,
) -> list[FieldError]:
    errors: list[FieldError] = []
    seen: set[str] = set()
    start = contract.starts_on.date() if contract and contract.starts_on else policy.approved_on
    end = contract.ends_on.date() if contract and contract.ends_on else (accepted_on or utcnow().date())
    for i, invoice in enumerate(data.invoices):
        number = invoice.number.strip().upper()
        if number in seen:
            errors.append(FieldError(f"invoices.{i}.number", "duplicate", "Listed twice", "发票重复"))
        seen.add(number)
        if (
            line.base.kind is BaseKind.eligible_spending
            and invoice.category.value not in line.base.categories
        ):
            errors.append(
                FieldError(
                    f"invoices.{i}.category",
                    "category_not_eligible",
                    f"{invoice.category.value} is not eligible on {line.code}",
                    "支出类别不在补助范围",
                )
            )
        if not start <= invoice.issued_on <= end:
            errors.append(
                FieldError(
                    f"invoices.{i}.issued_on",
                    "invoice_outside_project",
                    f"Dated outside the project ({start} – {end})",
                    "发票日期不在项目期内",
                )
            )
        if line.payee_must_be_contracted and provider_uscc and invoice.payee_uscc.upper() != provider_uscc:
            errors.append(
                FieldError(
                    f"invoices.{i}.payee_uscc",
                    "payee_not_contracted",
                    "The payee is not the contracted provider",
                    "收款方不是签约服务商",
                )
            )
    return errors


async def submit(session: AsyncSession, principal: Principal, data: ClaimCreate) -> Claim:
    uscc = data.uscc.upper()
    copies = EnterpriseCopyRepository(session)
    enterprise = await copies.get(uscc)
    if enterprise is None or not auth.can_read(principal, enterprise.county_code, uscc):
        raise not_found("enterprise_not_found", f"No enterprise {uscc} visible to you")
    auth.require(
        auth.can_submit(principal, enterprise.county_code, uscc), "Only the enterprise or its county claims"
    )
    if enterprise.revoked_at is not None:
        raise conflict("pilot_status_revoked", "The enterprise's pilot status was revoked")
    version, policy = await policy_service.load(session, data.policy_key, data.policy_version)
    line = policy.line(data.line_code)
    if line is None or line.recipient is not Recipient.enterprise:
        raise bad_request(
            "line_not_claimable",
            f"{data.line_code} is not an enterprise benefit of {policy.key}",
            [FieldError("line_code", "unknown", "Not an enterprise benefit line of this policy")],
        )
    acceptance = (
        await copies.acceptance(data.assessment_id)
        if data.assessment_id
        else await copies.latest_acceptance(uscc, data.project_id or None)
    )
    if acceptance is not None and acceptance.uscc != uscc:
        acceptance = None
    if line.eligibility.min_level > 0 and acceptance is None:
        raise conflict("acceptance_missing", "No certified acceptance evaluation for this enterprise yet")
    contract = await copies.contract(data.contract_id) if data.contract_id else None
    if data.contract_id and (contract is None or contract.uscc != uscc):
        raise bad_request(
            "contract_not_found",
            "No such contract of this enterprise",
            [FieldError("contract_id", "not_found", "Unknown contract")],
        )
    provider_uscc = None
    if line.payee_must_be_contracted and data.invoices:
        if contract is None:
            raise bad_request(
                "contract_required",
                "This benefit pays only for the contracted provider's invoices",
                [FieldError("contract_id", "required", "Name the transformation contract")],
            )
        provider = await copies.provider(contract.provider_id)
        if provider is None:
            raise conflict("contract_provider_unknown", "The contracted provider's USCC is not known yet")
        provider_uscc = provider.uscc.upper()
    accepted_on = acceptance.evaluated_at.date() if acceptance else None
    errors = _invoice_errors(data, line, policy, contract, provider_uscc, accepted_on)
    if errors:
        raise bad_request("claim_invalid", "Some invoices cannot be claimed", errors)
    repository = ClaimRepository(session)
    numbers = [invoice.number.strip().upper() for invoice in data.invoices]
    taken = await repository.taken_invoices(numbers) if numbers else []
    if taken:
        taken_numbers = {number for number, _, _ in taken}
        raise conflict(
            "invoice_reused",
            "Some invoices are already claimed",
            [
                FieldError(
                    f"invoices.{i}.number", "invoice_reused", "Already in another claim", "发票已被申报"
                )
                for i, number in enumerate(numbers)
                if number in taken_numbers
            ],
        )
    project_id = data.project_id or (acceptance.project_id if acceptance else "")
    if await repository.open_claim(uscc, line.code, project_id):
        raise conflict("claim_exists", "A claim on this benefit for this project is already open")
    designations = {d.kind for d in await copies.designations(uscc)}
    facts = claim_facts(
        enterprise,
        acceptance,
        designations,
        [(i.category.value, i.amount_fen) for i in data.invoices],
        dict(data.loan_interest_fen),
    )
    result = quote_line(
        policy, line, facts, recipient_used_fen=await repository.approved_on_line(uscc, line.code)
    )
    if not result.eligible or result.amount_fen <= 0:
        raise conflict("not_entitled", f"Nothing is due on {line.code}: {result.explanation}")
    if data.claimed_fen > result.amount_fen:
        raise bad_request(
            "claim_exceeds_entitlement",
            f"At most {result.amount_fen} fen are due: {result.explanation}",
            [FieldError("claimed_fen", "exceeds_entitlement", result.explanation, "申报金额超过可补助额度")],
        )
    now = utcnow()
    claim = Claim(
        claim_id=str(uuid.uuid4()),
        uscc=uscc,
        county_code=enterprise.county_code,
        industry_code=enterprise.industry_code,
        policy_key=policy.key,
        policy_version=version.version,
        line_code=line.code,
        project_id=project_id,
        contract_id=data.contract_id,
        assessment_id=acceptance.assessment_id if acceptance else None,
        level=acceptance.level if acceptance else 0,
        accepted_at=acceptance.evaluated_at if acceptance else None,
        status=ClaimStatus.submitted.value,
        claimed_fen=data.claimed_fen,
        quoted_fen=result.amount_fen,
        explanation=result.explanation,
        audit_note="",
        approved_fen=0,
        paid_fen=0,
        recovered_fen=0,
        review_note="",
        submitted_at=now,
        updated_at=now,
    )
    await repository.add(claim)
    await repository.add(
        *[
            ClaimInvoice(
                claim_id=claim.claim_id,
                number=number,
                amount_fen=invoice.amount_fen,
                issued_on=invoice.issued_on,
                payee_uscc=invoice.payee_uscc.upper(),
                payee_name=invoice.payee_name,
                category=invoice.category.value,
            )
            for number, invoice in zip(numbers, data.invoices, strict=True)
        ],
        *[
            ClaimAttachment(
                claim_id=claim.claim_id, sha256=a.sha256, filename=a.filename, size_bytes=a.size_bytes
            )
            for a in {a.sha256: a for a in data.attachments}.values()
        ],
    )
    await outbox.add(
        session, claim_events.claim_submitted(claim), aggregate_type="claim", aggregate_id=claim.claim_id
    )
    await audit_log.append(
        session,
        actor=principal,
        action="claim.submitted",
        entity_type="claim",
        entity_id=claim.claim_id,
        data={
            "uscc": uscc,
            "line": line.code,
            "claimed_fen": data.claimed_fen,
            "quoted_fen": result.amount_fen,
        },
    )
    return claim


async def review(session: AsyncSession, principal: Principal, claim_id: str, data: ReviewIn) -> Claim:
    county_step = data.step == "county"
    if county_step:
        auth.require(principal.role is Role.county_admin, "The county reviews first")
    else:
        auth.require(auth.is_city(principal), "The city reviews second")
    claim = await visible_claim(session, principal, claim_id, for_update=True)
    if county_step:
        # visible_claim already hides other counties' claims; kept as the scope check of record.
        auth.require(principal.county == claim.county_code, "The county reviews its own claims")
        action = Action.county_approve if data.decision == "approve" else Action.county_reject
    else:
        action = Action.city_approve if data.decision == "approve" else Action.city_reject
    _transition(claim, action)
    claim.review_note = data.note
    await audit_log.append(
        session,
        actor=principal,
        action=f"claim.{action.value}",
        entity_type="claim",
        entity_id=claim.claim_id,
        data={"note": data.note},
    )
    return claim


async def record_audit(session: AsyncSession, principal: Principal, claim_id: str, data: AuditIn) -> Claim:
    auth.require(auth.can_audit(principal), "Audit results are recorded by auditors or the city")
    claim = await visible_claim(session, principal, claim_id, for_update=True)
    audited = claim.claimed_fen if data.audited_fen is None else data.audited_fen
    if audited > claim.claimed_fen:
        raise bad_request(
            "audited_exceeds_claim",
            "The audit cannot confirm more than was claimed",
            [FieldError("audited_fen", "exceeds_claim", "At most the claimed amount")],
        )
    _transition(claim, Action.audit_pass if data.result == "passed" else Action.audit_fail)
    claim.audit_result, claim.audited_fen, claim.audit_note = data.result, audited, data.note
    await audit_log.append(
        session,
        actor=principal,
        action=f"claim.audit_{data.result}",
        entity_type="claim",
        entity_id=claim.claim_id,
        data={"audited_fen": audited, "note": data.note},
    )
    return claim


def _source_for(sources: list[FundingSource], level: str, county_code: str) -> FundingSource | None:
    for source in sources:
        if source.level == level and (level != "county" or source.county_code == county_code):
            return source
    return None


def plan_sources(
    policy: PolicyDocument,
    line: BenefitLine,
    claim: Claim,
    amount: int,
    sources: Sequence[FundingSource],
    left: dict[str, int],
) -> list[tuple[FundingSource, int]]:
    """Which source pays how much, given what each has available: the policy's shares, or its order.
    When central money is first-come-first-served and has run out, the local sources carry the rest in
    their order."""
    levels, order, candidates = _candidates(policy, line, claim, sources)
    left = dict(left)
    planned: dict[str, int] = defaultdict(int)
    ordered = policy.funding.mode == "ordered"
    fcfs = policy.funding.central_first_come_first_served
    remainder = amount if ordered else 0
    for level, part in [] if ordered else split_by_source(policy, line, amount):
        source = candidates.get(level)
        if source is None:
            remainder += part
            continue
        take = min(part, left[source.source_id]) if level == "central" and fcfs else part
        planned[source.source_id] += take
        left[source.source_id] -= take
        remainder += part - take
    if remainder and (ordered or fcfs):
        for level in levels if ordered else order:
            source = candidates.get(level)
            if source is None or (level == "central" and not ordered):
                continue
            take = min(remainder, max(left[source.source_id], 0))
            planned[source.source_id] += take
            left[source.source_id] -= take
            remainder -= take
    if remainder:
        raise conflict(
            "source_exhausted",
            f"The funding sources of {policy.key} cannot cover {remainder} fen of this claim",
            [FieldError("sources", "source_exhausted", "Allocate more money first", "资金来源余额不足")],
        )
    by_id = {s.source_id: s for s in sources}
    return [(by_id[source_id], fen) for source_id, fen in sorted(planned.items()) if fen > 0]


def _candidates(
    policy: PolicyDocument, line: BenefitLine, claim: Claim, sources: Sequence[FundingSource]
) -> tuple[list[str], list[str], dict[str, FundingSource | None]]:
    levels = source_levels(policy, line)
    order = list(dict.fromkeys([*levels, *(o.value for o in policy.funding.order)]))
    return levels, order, {level: _source_for(list(sources), level, claim.county_code) for level in order}


@dataclass(frozen=True)
class CapUsage:
    """What the caps already hold: approved to the enterprise on the line, committed on the line, and
    committed programme-wide (net of releases)."""

    recipient_fen: int = 0
    line_fen: int = 0
    programme_fen: int = 0


def approvable_fen(
    claim: Claim, line: BenefitLine, policy: PolicyDocument, usage: CapUsage = CapUsage()
) -> int:
    """The amount an approval commits: the claimed, quoted and audited amounts, within what the caps
    leave (≤ 0: nothing left)."""
    amount = min(claim.claimed_fen, claim.quoted_fen, claim.audited_fen or 0)
    if line.caps.per_recipient_fen is not None:
        amount = min(amount, line.caps.per_recipient_fen - usage.recipient_fen)
    if line.caps.line_total_fen is not None:
        amount = min(amount, line.caps.line_total_fen - usage.line_fen)
    if policy.programme_total_fen is not None:
        amount = min(amount, policy.programme_total_fen - usage.programme_fen)
    return amount


def _lock_key(name: str) -> int:
    return int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True)


def cap_lock_keys(policy: PolicyDocument, line: BenefitLine, uscc: str) -> list[int]:
    """One lock per cap the approval reads, named as the cap's total is summed: the enterprise's approvals
    on the line (of any policy), the line's and the programme's commitments (of the policy's sources)."""
    names = []
    if line.caps.per_recipient_fen is not None:
        names.append(f"funding:cap:recipient:{uscc}:{line.code}")
    if line.caps.line_total_fen is not None:
        names.append(f"funding:cap:line:{policy.key}:{line.code}")
    if policy.programme_total_fen is not None:
        names.append(f"funding:cap:programme:{policy.key}")
    return sorted(_lock_key(name) for name in names)


@dataclass
class Approval:
    """An approval decided: the claim (its ORM object shows the decision) and the allocation and payment
    rows it wrote."""

    claim: Claim
    allocations: list[dict[str, Any]]
    payments: list[dict[str, Any]]


@dataclass
class _Asked:
    index: int
    principal: Principal
    claim: Claim
    policy: PolicyDocument
    line: BenefitLine
    sources: list[FundingSource]  # the sources the policy could draw on for this claim


async def approve(session: AsyncSession, principal: Principal, claim_id: str) -> Claim:
    """Commits the approved amount on the funding sources (see `approve_many`)."""
    (outcome,) = await approve_many(session, [(principal, claim_id)])
    if isinstance(outcome, ProblemError):
        raise outcome
    return outcome.claim


async def approve_many(
    session: AsyncSession, asked: Sequence[tuple[Principal, str]]
) -> list[Approval | ProblemError]:
    """Decides several approvals in one transaction, in the order asked: each one's approval, or the
    refusal to answer it with (a refusal writes nothing). Every approval of a source waits on its lock, so
    one batch takes the locks once, decides each approval in turn on the locked balances and caps, and
    writes all of them with one statement per kind of row. Locks in a fixed order, so that two batches
    never wait on each other crosswise: the claims, the caps, the sources, then the ledger and money audit
    chains, each in key order."""
    outcomes: list[Approval | ProblemError | None] = [None] * len(asked)
    repository = ClaimRepository(session)
    ledger_repository = LedgerRepository(session)
    found = await repository.get_for_approval(sorted({claim_id for _, claim_id in asked}))
    pending: list[_Asked] = []
    policy_sources: dict[str, list[FundingSource]] = {}
    for index, (principal, claim_id) in enumerate(asked):
        hit = found.get(claim_id)
        try:
            auth.require(auth.is_city(principal), "Only the city approves claims")
            if hit is None or not auth.can_read(principal, hit[0].county_code, hit[0].uscc):
                raise not_found("claim_not_found", f"No claim {claim_id} visible to you")
            claim, digest = hit
            policy = await policy_service.pinned_by_digest(
                session, claim.policy_key, claim.policy_version, digest
            )
        except ProblemError as error:
            outcomes[index] = error
            continue
        line = policy.line(claim.line_code)
        assert line is not None  # a pinned version never changes
        if policy.key not in policy_sources:
            # Their balances are read under the lock, the only place the batch needs them.
            policy_sources[policy.key] = list(await ledger_repository.list_sources(policy.key))
        _, _, candidates = _candidates(policy, line, claim, policy_sources[policy.key])
        wanted = [source for source in candidates.values() if source is not None]
        pending.append(_Asked(index, principal, claim, policy, line, wanted))
    if not pending:
        return outcomes  # type: ignore[return-value]
    # The critical section: from here to the commit, every approval under the same caps and on these
    # sources waits, and every money move waits on the chains.
    await repository.lock_caps([k for a in pending for k in cap_lock_keys(a.policy, a.line, a.claim.uscc)])
    locked = await ledger_repository.lock_loaded_sources(
        list({s.source_id: s for a in pending for s in a.sources}.values())
    )
    await repository.lock_keys([CHAIN_LOCK, audit_log.lock_key(MONEY_CHAIN)])
    state = await repository.locked_state(sorted(locked), audit_chain=MONEY_CHAIN)
    held = await repository.caps_held(
        [a.claim.uscc for a in pending if a.line.caps.per_recipient_fen is not None],
        [
            s.source_id
            for a in pending
            if a.line.caps.line_total_fen is not None or a.policy.programme_total_fen is not None
            for s in policy_sources[a.policy.key]
        ],
    )
    left, recipient, committed = (
        dict(state.available),
        defaultdict(int, held.recipient),
        defaultdict(int, held.committed),
    )
    decided: list[tuple[_Asked, Approval, list[tuple[FundingSource, int]]]] = []
    for asked_one in pending:
        try:
            approval, parts = _decide(asked_one, locked, left, recipient, committed, policy_sources)
        except ProblemError as error:
            outcomes[asked_one.index] = error
            continue
        outcomes[asked_one.index] = approval
        decided.append((asked_one, approval, parts))
    if decided:
        await _write_approvals(session, decided, state)
    return outcomes  # type: ignore[return-value]


def _decide(
    asked: _Asked,
    locked: dict[str, FundingSource],
    left: dict[str, int],
    recipient: dict[tuple[str, str], int],
    committed: dict[tuple[str, str | None], int],
    policy_sources: dict[str, list[FundingSource]],
) -> tuple[Approval, list[tuple[FundingSource, int]]]:
    """One approval on the balances and caps as the batch's earlier approvals left them (which it updates)."""
    claim, policy, line = asked.claim, asked.policy, asked.line
    approved = next_status(ClaimStatus(claim.status), Action.approve)
    if approved is None:
        raise conflict("claim_wrong_state", f"A claim in state {claim.status} cannot be approved")
    own = [s.source_id for s in policy_sources[policy.key]]
    usage = CapUsage(
        recipient[(claim.uscc, line.code)],
        sum(committed[(s, line.code)] for s in own),
        sum(fen for (s, _), fen in committed.items() if s in own),
    )
    amount = approvable_fen(claim, line, policy, usage)
    if amount <= 0:
        raise conflict("nothing_to_approve", "Nothing is left to approve on this claim")
    parts = plan_sources(policy, line, claim, amount, [locked[s.source_id] for s in asked.sources], left)
    ledger.check_available(left, {source.source_id: fen for source, fen in parts})
    for source, fen in parts:
        left[source.source_id] -= fen
        committed[(source.source_id, line.code)] += fen
    recipient[(claim.uscc, line.code)] += amount
    now = utcnow()
    _show_decision(claim, (approved.value, amount, now))
    allocations = [
        {
            "claim_id": claim.claim_id,
            "source_id": source.source_id,
            "level": source.level,
            "amount_fen": fen,
            "paid_fen": 0,
        }
        for source, fen in parts
    ]
    payments = [
        _payment_row(claim, source.source_id, fen, payment_id, utcnow())
        for (source, fen), payment_id in zip(parts, uuid4_strings(len(parts)), strict=True)
    ]
    return Approval(claim, allocations, payments), parts


async def _write_approvals(
    session: AsyncSession,
    decided: list[tuple[_Asked, Approval, list[tuple[FundingSource, int]]]],
    state: LockedState,
) -> None:
    """The decided approvals' rows, events, ledger entries and money audit records, one statement each."""
    events = outbox.rows(
        [
            (
                claim_events.claim_approved(
                    approval.claim, [(s.source_id, s.level, fen) for s, fen in parts]
                ),
                approval.claim.claim_id,
            )
            for _, approval, parts in decided
        ],
        aggregate_type="claim",
    )
    await ClaimRepository(session).write_decisions(
        [(approval.claim.claim_id, _decision(approval.claim)) for _, approval, _ in decided],
        [row for _, approval, _ in decided for row in approval.allocations],
        [row for _, approval, _ in decided for row in approval.payments],
        events,
    )
    year = utcnow().year
    entries = await ledger.post_many(
        session,
        [
            (
                asked.principal.subject,
                [
                    ledger.Posting(
                        EntryType.commitment,
                        source.source_id,
                        year,
                        fen,
                        claim_id=approval.claim.claim_id,
                        uscc=approval.claim.uscc,
                        county_code=approval.claim.county_code,
                        industry_code=approval.claim.industry_code,
                        line_code=approval.claim.line_code,
                    )
                    for source, fen in parts
                ],
            )
            for asked, approval, parts in decided
        ],
        head=state.ledger_head,
    )
    await audit_log.append_many(
        session,
        [
            AuditRecord(
                asked.principal,
                "claim.approved",
                "claim",
                approval.claim.claim_id,
                {"approved_fen": approval.claim.approved_fen, "ledger_seqs": [e.seq for e in posted]},
            )
            for (asked, approval, _), posted in zip(decided, entries, strict=True)
        ],
        chain=MONEY_CHAIN,
        head=state.audit_head,
    )


def _decision(claim: Claim) -> tuple[str, int, datetime]:
    return claim.status, claim.approved_fen, claim.updated_at


def _show_decision(claim: Claim, decision: tuple[str, int, datetime]) -> None:
    """The approval writes the claim in Core (`write_decisions`): its ORM object shows the values as
    decided, as if loaded, so that no flush writes them again."""
    for name, value in zip(("status", "approved_fen", "updated_at"), decision, strict=True):
        set_committed_value(claim, name, value)


def _payment_row(claim: Claim, source_id: str, amount: int, payment_id: str, now: datetime) -> dict[str, Any]:
    return {
        "payment_id": payment_id,
        "claim_id": claim.claim_id,
        "uscc": claim.uscc,
        "source_id": source_id,
        "amount_fen": amount,
        "batch_id": None,
        "status": "queued",
        "bank_reference": "",
        "failure_reason": "",
        "queued_at": now,
        "settled_at": None,
    }


def _payment(claim: Claim, source_id: str, amount: int) -> Payment:
    return Payment(**_payment_row(claim, source_id, amount, str(uuid.uuid4()), utcnow()))


async def create_batch(
    session: AsyncSession, principal: Principal, data: BatchCreate
) -> tuple[DisbursementBatch, list[Payment]]:
    auth.require(auth.is_city(principal), "Only the city disburses")
    if await LedgerRepository(session).get_source(data.source_id) is None:
        raise not_found("source_not_found", f"No funding source {data.source_id}")
    repository = ClaimRepository(session)
    payments = list(await repository.queue(data.source_id, data.max_payments))
    if not payments:
        raise conflict("queue_empty", "No payments are waiting on this source")
    batch = DisbursementBatch(
        batch_id=str(uuid.uuid4()),
        source_id=data.source_id,
        status="sent",
        payments_count=len(payments),
        total_fen=sum(p.amount_fen for p in payments),
        created_at=utcnow(),
        created_by=principal.subject,
    )
    await repository.add(batch)
    for payment in payments:
        payment.batch_id, payment.status = batch.batch_id, "in_batch"
    await session.flush()
    await audit_log.append(
        session,
        actor=principal,
        action="disbursement.batch_created",
        entity_type="disbursement_batch",
        entity_id=batch.batch_id,
        data={
            "source_id": data.source_id,
            "payments": [p.payment_id for p in payments],
            "total_fen": batch.total_fen,
        },
        chain="money",
    )
    return batch, payments


async def batch_with_payments(
    session: AsyncSession, principal: Principal, batch_id: str
) -> tuple[DisbursementBatch, list[Payment]]:
    auth.require(principal.role in (Role.city_admin, Role.auditor), "Batches are for the city and auditors")
    repository = ClaimRepository(session)
    batch = await repository.batch(batch_id)
    if batch is None:
        raise not_found("batch_not_found", f"No disbursement batch {batch_id}")
    return batch, list(await repository.payments(batch_id=batch_id))


async def reconcile(
    session: AsyncSession, principal: Principal, batch_id: str, lines: list[ReconciliationLine]
) -> tuple[DisbursementBatch, int, int, list[str]]:
    auth.require(auth.is_city(principal), "Only the city imports bank results")
    repository = ClaimRepository(session)
    batch = await repository.batch(batch_id, for_update=True)
    if batch is None:
        raise not_found("batch_not_found", f"No disbursement batch {batch_id}")
    payments = {p.payment_id: p for p in await repository.payments(batch_id=batch_id)}
    errors = []
    for i, line in enumerate(lines):
        payment = payments.get(line.payment_id)
        if payment is None:
            errors.append(FieldError(f"lines.{i}.payment_id", "not_in_batch", "Not a payment of this batch"))
        elif payment.status != "in_batch" and payment.status != line.status:
            errors.append(FieldError(f"lines.{i}.status", "already_settled", f"Already {payment.status}"))
    if errors:
        raise bad_request("reconciliation_invalid", "Some lines do not match the batch", errors)
    paid = failed = 0
    requeued: list[str] = []
    for line in lines:
        payment = payments[line.payment_id]
        if payment.status != "in_batch":
            continue  # the same result imported again
        if line.status == "paid":
            await _settle_paid(session, principal, payment, line.bank_reference)
            paid += 1
        else:
            retry = await _settle_failed(session, principal, payment, line.reason or "failed")
            failed += 1
            if retry is not None:
                requeued.append(retry.payment_id)
    if all(p.status != "in_batch" for p in payments.values()):
        batch.status = "reconciled"
    await session.flush()
    return batch, paid, failed, requeued


async def _settle_paid(session: AsyncSession, principal: Principal, payment: Payment, reference: str) -> None:
    repository = ClaimRepository(session)
    claim = await repository.get(payment.claim_id, for_update=True)
    assert claim is not None
    allocation = await repository.allocation(claim.claim_id, payment.source_id)
    assert allocation is not None
    await ledger.post(
        session,
        principal.subject,
        [
            _posting(
                EntryType.payment, claim, payment.source_id, payment.amount_fen, payment_id=payment.payment_id
            )
        ],
    )
    payment.status, payment.bank_reference, payment.settled_at = "paid", reference, utcnow()
    allocation.paid_fen += payment.amount_fen
    claim.paid_fen += payment.amount_fen
    await _add_paid_to_enterprise(session, claim.uscc, payment.amount_fen)
    await outbox.add(
        session, claim_events.payment_disbursed(payment), aggregate_type="claim", aggregate_id=claim.claim_id
    )
    if claim.status == ClaimStatus.approved.value and claim.paid_fen == claim.approved_fen:
        _transition(claim, Action.settle)
    elif claim.status == ClaimStatus.clawed_back.value:
        # Paid by the bank after the claim was clawed back: recover it at once.
        await _raise_recovery(
            session, principal, claim, payment.source_id, payment.amount_fen, "pilot_status_revoked", ""
        )
    await audit_log.append(
        session,
        actor=principal,
        action="payment.paid",
        entity_type="payment",
        entity_id=payment.payment_id,
        data={"claim_id": claim.claim_id, "amount_fen": payment.amount_fen, "bank_reference": reference},
        chain="money",
    )


async def _settle_failed(
    session: AsyncSession, principal: Principal, payment: Payment, reason: str
) -> Payment | None:
    """A failed transfer goes back to the queue (a new payment), unless the claim was clawed back."""
    repository = ClaimRepository(session)
    claim = await repository.get(payment.claim_id, for_update=True)
    assert claim is not None
    payment.status, payment.failure_reason, payment.settled_at = "failed", reason, utcnow()
    await outbox.add(
        session, claim_events.payment_failed(payment), aggregate_type="claim", aggregate_id=claim.claim_id
    )
    retry = None
    if claim.status == ClaimStatus.clawed_back.value:
        await ledger.post(
            session,
            principal.subject,
            [_posting(EntryType.release, claim, payment.source_id, payment.amount_fen)],
        )
    else:
        retry = _payment(claim, payment.source_id, payment.amount_fen)
        await repository.add(retry)
    await audit_log.append(
        session,
        actor=principal,
        action="payment.failed",
        entity_type="payment",
        entity_id=payment.payment_id,
        data={"reason": reason, "requeued_as": retry.payment_id if retry else None},
        chain="money",
    )
    return retry


def _posting(
    entry_type: EntryType,
    claim: Claim,
    source_id: str,
    amount: int,
    *,
    payment_id: str | None = None,
    recovery_id: str | None = None,
) -> ledger.Posting:
    return ledger.Posting(
        entry_type,
        source_id,
        utcnow().year,
        amount,
        claim_id=claim.claim_id,
        payment_id=payment_id,
        recovery_id=recovery_id,
        uscc=claim.uscc,
        county_code=claim.county_code,
        industry_code=claim.industry_code,
        line_code=claim.line_code,
    )


async def _add_paid_to_enterprise(session: AsyncSession, uscc: str, delta: int) -> None:
    enterprise = await EnterpriseCopyRepository(session).get_for_update(uscc)
    if enterprise is not None:
        enterprise.paid_fen += delta


async def _raise_recovery(
    session: AsyncSession,
    principal: Principal,
    claim: Claim,
    source_id: str,
    amount: int,
    reason: str,
    cause: str,
) -> Recovery:
    recovery = Recovery(
        recovery_id=str(uuid.uuid4()),
        claim_id=claim.claim_id,
        uscc=claim.uscc,
        source_id=source_id,
        amount_fen=amount,
        repaid_fen=0,
        reason=reason,
        cause_event_id=cause,
        status="open",
        raised_at=utcnow(),
    )
    await ClaimRepository(session).add(recovery)
    await ledger.post(
        session,
        principal.subject,
        [_posting(EntryType.recovery_raised, claim, source_id, amount, recovery_id=recovery.recovery_id)],
    )
    await outbox.add(
        session, claim_events.recovery_raised(recovery), aggregate_type="claim", aggregate_id=claim.claim_id
    )
    return recovery


async def claw_back(
    session: AsyncSession, principal: Principal, claim: Claim, reason: str, cause: str, note: str = ""
) -> tuple[int, list[Recovery]]:
    """Queued payments are cancelled and their commitment released; what was paid becomes receivable."""
    _transition(claim, Action.claw_back)
    repository = ClaimRepository(session)
    released = 0
    postings = []
    for payment in await repository.payments_of_claim(claim.claim_id):
        if payment.status == "queued":
            payment.status = "cancelled"
            released += payment.amount_fen
            postings.append(_posting(EntryType.release, claim, payment.source_id, payment.amount_fen))
    if postings:
        await ledger.post(session, principal.subject, postings)
    recoveries = [
        await _raise_recovery(
            session, principal, claim, allocation.source_id, allocation.paid_fen, reason, cause
        )
        for allocation in await repository.allocations_for_update(claim.claim_id)
        if allocation.paid_fen > 0
    ]
    await audit_log.append(
        session,
        actor=principal,
        action="claim.clawed_back",
        entity_type="claim",
        entity_id=claim.claim_id,
        data={
            "reason": reason,
            "note": note,
            "released_fen": released,
            "recoveries": [(r.recovery_id, r.amount_fen) for r in recoveries],
        },
        chain="money",
    )
    return released, recoveries


async def claw_back_claim(
    session: AsyncSession, principal: Principal, claim_id: str, reason: str, note: str
) -> tuple[Claim, int, list[Recovery]]:
    auth.require(auth.is_city(principal), "Only the city claws back")
    claim = await visible_claim(session, principal, claim_id, for_update=True)
    released, recoveries = await claw_back(session, principal, claim, reason, "", note)
    return claim, released, recoveries


async def repay(session: AsyncSession, principal: Principal, recovery_id: str, amount: int) -> Recovery:
    auth.require(auth.is_city(principal), "Only the city records repayments")
    repository = ClaimRepository(session)
    recovery = await repository.recovery(recovery_id, for_update=True)
    if recovery is None:
        raise not_found("recovery_not_found", f"No recovery {recovery_id}")
    outstanding = recovery.amount_fen - recovery.repaid_fen
    if amount > outstanding:
        raise bad_request(
            "repayment_exceeds_outstanding",
            f"Only {outstanding} fen are outstanding",
            [FieldError("amount_fen", "exceeds_outstanding", f"At most {outstanding}")],
        )
    claim = await repository.get(recovery.claim_id, for_update=True)
    assert claim is not None
    await ledger.post(
        session,
        principal.subject,
        [_posting(EntryType.recovery_repaid, claim, recovery.source_id, amount, recovery_id=recovery_id)],
    )
    recovery.repaid_fen += amount
    recovery.status = "repaid" if recovery.repaid_fen == recovery.amount_fen else "partly_repaid"
    claim.recovered_fen += amount
    await _add_paid_to_enterprise(session, claim.uscc, -amount)
    await audit_log.append(
        session,
        actor=principal,
        action="recovery.repaid",
        entity_type="recovery",
        entity_id=recovery_id,
        data={"amount_fen": amount, "outstanding_fen": outstanding - amount},
        chain="money",
    )
    return recovery


async def apply_pilot_status_revoked(session: AsyncSession, event: Event) -> None:
    """回头看 revoked the pilot status: open claims are withdrawn, approved ones clawed back."""
    payload = event.payload
    assert isinstance(payload, PilotStatusRevoked)
    copies = EnterpriseCopyRepository(session)
    enterprise = await copies.get_for_update(payload.uscc)
    if enterprise is not None and enterprise.revoked_at is None:
        enterprise.revoked_at = utcnow()
    for claim in await ClaimRepository(session).claims_of(payload.uscc):
        status = ClaimStatus(claim.status)
        if next_status(status, Action.claw_back):
            await claw_back(session, SYSTEM, claim, "pilot_status_revoked", event.event_id, payload.finding)
        elif next_status(status, Action.withdraw_on_revocation):
            _transition(claim, Action.withdraw_on_revocation)
            claim.review_note = f"pilot status revoked: {payload.finding}"
