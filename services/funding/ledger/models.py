from datetime import datetime

from sqlalchemy import BigInteger, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.funding.db import Base
from szcore.types import BigIntPK, UTCDateTime


class FundingSource(Base):
    """A budget (central, provincial, city or a county's). Its row is the lock that serialises spending
    from it; its balances are never stored, always derived from ledger entries."""

    __tablename__ = "funding_source"

    source_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    county_code: Mapped[str | None] = mapped_column(String(12), nullable=True)
    policy_key: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LedgerEntry(Base):
    """One double-entry posting (debit one account, credit another, same amount), append-only and
    hash-chained: each entry carries the hash of the one before it."""

    __tablename__ = "ledger_entry"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    entry_type: Mapped[str] = mapped_column(String(24))
    source_id: Mapped[str] = mapped_column(String(64), index=True)
    fiscal_year: Mapped[int] = mapped_column(Integer)
    debit_account: Mapped[str] = mapped_column(String(100), index=True)
    credit_account: Mapped[str] = mapped_column(String(100), index=True)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    claim_id: Mapped[str | None] = mapped_column(String(36), index=True, nullable=True)
    payment_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    recovery_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    uscc: Mapped[str | None] = mapped_column(String(18), index=True, nullable=True)
    county_code: Mapped[str | None] = mapped_column(String(12), nullable=True)
    industry_code: Mapped[str | None] = mapped_column(String(10), nullable=True)
    line_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    memo: Mapped[str] = mapped_column(String(300), default="")
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_subject: Mapped[str] = mapped_column(String(100))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
