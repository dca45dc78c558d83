from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

from services.matching.activity.models import ActivityKind, ActivityStatus


class ActivityCreate(BaseModel):
    programme: str = Field(default="default", pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    kind: ActivityKind = Field(description="供需对接会 matchmaking / 培训 training / 观摩 site visit")
    title: str = Field(min_length=1, max_length=200)
    county_code: str | None = Field(default=None, description="Organising county; empty = city-wide")
    industry_code: str | None = None
    starts_at: AwareDatetime
    location: str = Field(default="", max_length=300)
    capacity: int = Field(ge=1, le=100000)


class ActivityRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    activity_id: str
    programme: str
    kind: ActivityKind
    title: str
    county_code: str | None
    industry_code: str | None
    starts_at: datetime
    location: str
    capacity: int
    status: ActivityStatus
    contacts_made: int
    outcome_notes: str
    registered: int = 0
    attended: int = 0


class ActivityPage(BaseModel):
    items: list[ActivityRead]
    total: int
    next_cursor: str | None


class RegistrationCreate(BaseModel):
    """Enterprises and providers sign themselves up; officials may sign up anyone, or a named person."""

    uscc: str | None = None
    provider_id: str | None = None
    person_name: str | None = Field(default=None, max_length=100)
    trainee_role: str | None = Field(
        default=None, max_length=60, description="Role counted by training targets, e.g. diagnosis_consultant"
    )

    @model_validator(mode="after")
    def one_participant(self) -> "RegistrationCreate":
        if sum(v is not None for v in (self.uscc, self.provider_id, self.person_name)) > 1:
            raise ValueError("name at most one of uscc, provider_id, person_name")
        return self


class RegistrationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    activity_id: str
    uscc: str | None
    provider_id: str | None
    person_name: str | None
    trainee_role: str | None
    attended: bool
    registered_at: datetime


class AttendanceRecord(BaseModel):
    registration_ids: list[int] = Field(min_length=1, max_length=5000, description="Who attended")


class OutcomeRecord(BaseModel):
    contacts_made: int = Field(ge=0, le=100000, description="Supply-demand contacts made / 对接意向数")
    notes: str = Field(default="", max_length=5000)


class KindStats(BaseModel):
    kind: ActivityKind
    held: int
    attendees: int
    contacts_made: int
    trained_by_role: dict[str, int]
    engagements_followed: int = Field(description="Engagements attending enterprises opened after the event")


class ActivityStats(BaseModel):
    programme: str
    kinds: list[KindStats]


class RegistrationPage(BaseModel):
    items: list[RegistrationRead]
    total: int
    next_cursor: str | None
