from enum import StrEnum

from pydantic import BaseModel, Field


class Mode(StrEnum):
    partial = "partial"  # apply the valid records
    all_or_nothing = "all_or_nothing"


class Outcome(StrEnum):
    applied = "applied"
    rejected = "rejected"  # all-or-nothing with errors: nothing applied
    dry_run = "dry_run"
    replayed = "replayed"  # the same request id again: the stored answer, nothing changed


class RecordError(BaseModel):
    row: int = Field(description="Record number (JSON: 1-based index; CSV/XLSX: sheet row, header is row 1)")
    uscc: str | None
    field: str
    code: str
    message: str
    message_zh: str


class PushReport(BaseModel):
    request_id: str
    outcome: Outcome
    mode: Mode
    total: int = Field(description="Records received")
    valid: int
    created: int
    updated: int
    unchanged: int
    rejected: int = Field(description="Records with at least one error")
    errors: list[RecordError]
    ignored_columns: list[str] = []
