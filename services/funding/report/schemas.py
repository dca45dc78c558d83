from pydantic import BaseModel, Field

from services.funding.claim.schemas import ClaimRead, PaymentRead, RecoveryRead


class FundsRow(BaseModel):
    key: str = Field(description="The source id, year, county code or industry code of this row")
    allocated_fen: int = Field(description="已下达 (only by source and year: allocations have no county)")
    committed_fen: int = Field(description="已承诺 approved, net of releases")
    paid_fen: int = Field(description="已拨付")
    recovery_raised_fen: int = Field(description="应收回")
    recovered_fen: int = Field(description="已收回")


class FundsReport(BaseModel):
    group_by: str
    rows: list[FundsRow]
    totals: FundsRow


class EnterpriseStatement(BaseModel):
    uscc: str
    name: str
    county_code: str
    approved_fen: int
    paid_fen: int = Field(description="Paid net of recoveries repaid, as on the enterprise profile")
    outstanding_recovery_fen: int
    claims: list[ClaimRead]
    payments: list[PaymentRead]
    recoveries: list[RecoveryRead]


class PerformanceReport(BaseModel):
    """Figures the seeds' 绩效 sections ask for: how much of the money reached enterprises, how fast."""

    claims_by_status: dict[str, int]
    enterprises_paid: int
    approved_fen: int
    paid_fen: int
    recovered_fen: int
    allocated_fen: int
    execution_rate_bp: int = Field(description="Paid ÷ allocated, basis points (资金执行率)")
