from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class Mode(StrEnum):
    partial = "partial"  # apply the valid records
    all_or_nothing = "all_or_nothing"


class OtherCounty(StrEnum):
    report = "report"  # a record of another county is a per-record error
    refuse = "refuse"  # it refuses the whole push (403), nothing written


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


class PushStatus(BaseModel):
    request_id: str
    status: str = Field(description="processing, completed or failed")
    phase: str = Field(description="received, validating, writing, committing, completed or failed")
    total: int | None = Field(description="Records received (unknown until the body is read)")
    done: int = Field(description="Records validated so far")
    errors: int = Field(description="Records with errors so far")
    report: PushReport | None = Field(default=None, description="The push's answer once it is finished")
    failure: dict[str, Any] | None = Field(default=None, description="The problem that stopped a failed push")
