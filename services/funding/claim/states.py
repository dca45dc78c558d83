"""The claim state machine (pure): which action may move a claim from which state, by whom."""

from enum import StrEnum


class ClaimStatus(StrEnum):
    submitted = "submitted"
    county_approved = "county_approved"
    city_approved = "city_approved"
    audited = "audited"
    approved = "approved"  # amount committed on the ledger
    paid = "paid"
    rejected = "rejected"
    clawed_back = "clawed_back"


class Action(StrEnum):
    county_approve = "county_approve"
    county_reject = "county_reject"
    city_approve = "city_approve"
    city_reject = "city_reject"
    audit_pass = "audit_pass"
    audit_fail = "audit_fail"
    approve = "approve"
    settle = "settle"  # the last payment arrived
    claw_back = "claw_back"
    withdraw_on_revocation = "withdraw_on_revocation"


TRANSITIONS: dict[tuple[ClaimStatus, Action], ClaimStatus] = {
    (ClaimStatus.submitted, Action.county_approve): ClaimStatus.county_approved,
    (ClaimStatus.submitted, Action.county_reject): ClaimStatus.rejected,
    (ClaimStatus.county_approved, Action.city_approve): ClaimStatus.city_approved,
    (ClaimStatus.county_approved, Action.city_reject): ClaimStatus.rejected,
    (ClaimStatus.city_approved, Action.audit_pass): ClaimStatus.audited,
    (ClaimStatus.city_approved, Action.audit_fail): ClaimStatus.rejected,
    (ClaimStatus.audited, Action.approve): ClaimStatus.approved,
    (ClaimStatus.approved, Action.settle): ClaimStatus.paid,
    (ClaimStatus.approved, Action.claw_back): ClaimStatus.clawed_back,
    (ClaimStatus.paid, Action.claw_back): ClaimStatus.clawed_back,
    **{
        (status, Action.withdraw_on_revocation): ClaimStatus.rejected
        for status in (
            ClaimStatus.submitted,
            ClaimStatus.county_approved,
            ClaimStatus.city_approved,
            ClaimStatus.audited,
        )
    },
}

# States whose invoices stay taken (a rejected claim frees its invoices for a corrected claim).
HOLDS_INVOICES = frozenset(s for s in ClaimStatus if s is not ClaimStatus.rejected)


def next_status(current: ClaimStatus, action: Action) -> ClaimStatus | None:
    return TRANSITIONS.get((current, action))
