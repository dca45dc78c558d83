"""Every model of the service, imported so that the metadata is complete (Alembic, tests)."""

from services.funding.claim.models import (
    Claim,
    ClaimAllocation,
    ClaimAttachment,
    ClaimInvoice,
    DisbursementBatch,
    IdempotencyRecord,
    Payment,
    Recovery,
)
from services.funding.db import Base, infra
from services.funding.enterprise.models import (
    AcceptanceCopy,
    ContractCopy,
    DesignationCopy,
    EnterpriseCopy,
    ProviderCopy,
)
from services.funding.ledger.models import FundingSource, LedgerEntry
from services.funding.policy.models import PolicyVersion

__all__ = [
    "AcceptanceCopy",
    "Base",
    "Claim",
    "ClaimAllocation",
    "ClaimAttachment",
    "ClaimInvoice",
    "ContractCopy",
    "DesignationCopy",
    "DisbursementBatch",
    "EnterpriseCopy",
    "FundingSource",
    "IdempotencyRecord",
    "LedgerEntry",
    "Payment",
    "PolicyVersion",
    "ProviderCopy",
    "Recovery",
    "infra",
]
