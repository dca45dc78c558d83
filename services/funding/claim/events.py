from shuzhuan.events.v1.funding_pb2 import (
    ClaimApproved,
    ClaimSubmitted,
    PaymentDisbursed,
    PaymentFailed,
    RecoveryRaised,
    SourceAmount,
)

from services.funding.claim.models import Claim, Payment, Recovery
from szcore.events import to_timestamp
from szcore.types import utcnow


def claim_submitted(claim: Claim) -> ClaimSubmitted:
    return ClaimSubmitted(
        claim_id=claim.claim_id,
        uscc=claim.uscc,
        policy_id=f"{claim.policy_key}@{claim.policy_version}",
        claimed_fen=claim.claimed_fen,
        submitted_at=to_timestamp(claim.submitted_at),
    )


def claim_approved(claim: Claim, parts: list[tuple[str, str, int]]) -> ClaimApproved:
    return ClaimApproved(
        claim_id=claim.claim_id,
        uscc=claim.uscc,
        approved_fen=claim.approved_fen,
        by_source=[SourceAmount(source_id=s, level=level, amount_fen=fen) for s, level, fen in parts],
        approved_at=to_timestamp(claim.updated_at),
    )


def payment_disbursed(payment: Payment) -> PaymentDisbursed:
    return PaymentDisbursed(
        payment_id=payment.payment_id,
        claim_id=payment.claim_id,
        uscc=payment.uscc,
        amount_fen=payment.amount_fen,
        source_id=payment.source_id,
        bank_reference=payment.bank_reference,
        paid_at=to_timestamp(payment.settled_at or utcnow()),
    )


def payment_failed(payment: Payment) -> PaymentFailed:
    return PaymentFailed(
        payment_id=payment.payment_id,
        claim_id=payment.claim_id,
        uscc=payment.uscc,
        amount_fen=payment.amount_fen,
        reason=payment.failure_reason,
        failed_at=to_timestamp(payment.settled_at or utcnow()),
    )


def recovery_raised(recovery: Recovery) -> RecoveryRaised:
    return RecoveryRaised(
        recovery_id=recovery.recovery_id,
        uscc=recovery.uscc,
        amount_fen=recovery.amount_fen,
        reason=recovery.reason,
        cause_event_id=recovery.cause_event_id,
        raised_at=to_timestamp(recovery.raised_at),
    )
