"""Accounts, entry types and the hash of a ledger entry (pure)."""

import hashlib
from enum import StrEnum
from typing import Any

from szcore.audit import canonical_json

GENESIS = "0" * 64


class AccountKind(StrEnum):
    budget = "budget"  # what the treasury granted (the counter-account of allocations)
    available = "available"
    committed = "committed"
    paid = "paid"
    receivable = "receivable"


class EntryType(StrEnum):
    allocation = "allocation"
    commitment = "commitment"
    release = "release"
    payment = "payment"
    recovery_raised = "recovery_raised"
    recovery_repaid = "recovery_repaid"


# entry type → (account debited, account credited)
POSTING_RULES: dict[EntryType, tuple[AccountKind, AccountKind]] = {
    EntryType.allocation: (AccountKind.available, AccountKind.budget),
    EntryType.commitment: (AccountKind.committed, AccountKind.available),
    EntryType.release: (AccountKind.available, AccountKind.committed),
    EntryType.payment: (AccountKind.paid, AccountKind.committed),
    EntryType.recovery_raised: (AccountKind.receivable, AccountKind.paid),
    EntryType.recovery_repaid: (AccountKind.available, AccountKind.receivable),
}


def account(kind: AccountKind, source_id: str) -> str:
    return f"{kind.value}:{source_id}"


HASHED_FIELDS = (
    "seq",
    "entry_type",
    "source_id",
    "fiscal_year",
    "debit_account",
    "credit_account",
    "amount_fen",
    "claim_id",
    "payment_id",
    "recovery_id",
    "uscc",
    "county_code",
    "industry_code",
    "line_code",
    "memo",
    "occurred_at",
    "actor_subject",
    "prev_hash",
)


def entry_hash(values: dict[str, Any]) -> str:
    material = [values.get(name) for name in HASHED_FIELDS]
    material[HASHED_FIELDS.index("occurred_at")] = values["occurred_at"].isoformat()
    return hashlib.sha256(canonical_json(material).encode()).hexdigest()
