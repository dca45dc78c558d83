from enum import StrEnum

from pydantic import BaseModel, Field


class Mode(StrEnum):
    partial = "partial"
    all_or_nothing = "all_or_nothing"


class RecordError(BaseModel):
    row: int = Field(description="JSON: 1-based record number; CSV/XLSX: sheet row (the header is row 1)")
    uscc: str | None = None
    field: str
    code: str
    message: str
    message_zh: str = ""


class Links(BaseModel):
    self: str
    errors: str
    errors_xlsx: str


class Progress(BaseModel):
    total: int | None = Field(description="Records received (null until the body has been read)")
    done: int = Field(description="Records validated so far")
    errors: int = Field(description="Records with at least one error so far")


class PushSummary(BaseModel):
    outcome: str = Field(description="applied, replayed, dry_run or rejected (all_or_nothing with errors)")
    mode: Mode
    total: int
    valid: int
    created: int
    updated: int
    unchanged: int
    rejected: int = Field(description="Records with at least one error")
    ignored_columns: list[str] = []


class PushResult(PushSummary):
    """The answer to a push: its id (the Idempotency-Key), the counts and every per-record error."""

    id: str
    status: str = Field(description="completed")
    errors: list[RecordError]
    links: Links


class PushStatus(BaseModel):
    id: str
    status: str = Field(description="processing, completed or failed")
    phase: str = Field(description="received, validating, writing, committing, completed or failed")
    progress: Progress
    result: PushSummary | None = Field(default=None, description="Counts once the push is finished")
    failure: dict[str, object] | None = Field(default=None, description="Why a failed push stopped")
    links: Links


class ErrorList(BaseModel):
    id: str
    total: int = Field(description="Number of errors")
    errors: list[RecordError]
