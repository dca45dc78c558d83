from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.enrollment.application.models import ObjectionStatus
from services.enrollment.application.workflow import Decision, Status

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Ref = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ApplicationCreate(Body):
    uscc: Annotated[str, StringConstraints(strip_whitespace=True, to_upper=True, min_length=1, max_length=32)]
    programme_id: Ref
    batch_id: Ref = Field(description="Batch (第N批) applied for")
    declarations: dict[str, bool] = Field(
        description="The programme's declarations (一把手 commitment, stable operations, digital base, ...)"
    )


class ReviewCreate(Body):
    decision: Decision = Field(description="approved, rejected or returned (for amendment)")
    comment: str | None = Field(default=None, max_length=2000)
    step: str | None = Field(
        default=None,
        max_length=50,
        description="The step being decided (current_step); once it is closed: 409 step_already_decided",
    )


class ReasonBody(Body):
    reason: Reason


class OptionalComment(Body):
    comment: str | None = Field(default=None, max_length=2000)


class TransferCreate(Body):
    to_batch_id: Ref
    reason: Reason


class ReplaceCreate(Body):
    replacement_application_id: Ref = Field(description="An application of the same programme ready to admit")
    reason: Reason


class ObjectionCreate(Body):
    content: Reason


class ObjectionResolve(Body):
    upheld: bool = Field(description="True: the objection stands and the application is rejected")
    resolution: Reason


class ActionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    action: str
    step: str | None
    decision: str | None
    from_status: str
    to_status: str
    actor_subject: str
    actor_role: str
    comment: str | None
    occurred_at: datetime


class ObjectionRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    content: str
    raised_by: str
    raised_role: str
    raised_at: datetime
    status: ObjectionStatus
    resolution: str | None
    resolved_by: str | None
    resolved_at: datetime | None


class ApplicationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    uscc: str
    programme_id: str
    batch_id: str
    county_code: str
    status: Status
    current_step: str | None = Field(default=None, description="Review step waiting for a decision")
    declarations: dict[str, bool]
    submitted_by: str
    submitted_by_county: bool
    submitted_at: datetime
    updated_at: datetime
    notice_ends_at: datetime | None
    admitted_at: datetime | None
    reason: str | None
    replaced_by: str | None
    replaces: str | None


class ApplicationDetail(ApplicationRead):
    actions: list[ActionRead]
    objections: list[ObjectionRead]


class ApplicationsOfEnterprises(BaseModel):
    """Applications of several enterprises at once (batch read for the gateway's DataLoaders)."""

    items: list[ApplicationRead]


class ApplicationList(BaseModel):
    items: list[ApplicationRead]
    total: int
    next_cursor: str | None


class FunnelRow(BaseModel):
    batch_id: str
    county_code: str
    submitted: int = Field(description="Applications ever submitted (every status)")
    by_status: dict[Status, int] = Field(description="Applications now in each status")
    passed_review: int = Field(description="Approved, on notice or admitted")
    admitted: int


class Funnel(BaseModel):
    programme_id: str
    rows: list[FunnelRow] = Field(description="One row per batch and county")
    totals: FunnelRow = Field(description="All batches and counties (batch_id and county_code are '*')")
