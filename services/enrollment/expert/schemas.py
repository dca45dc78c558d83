from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
FieldName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]


class ExpertCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.@-]{1,100}$")] = Field(
        description="The expert's login subject"
    )
    name: Text
    employer: Text = Field(description="工作单位")
    employer_uscc: Annotated[str, StringConstraints(to_upper=True, pattern=r"^[0-9A-Z]{18}$")] | None = None
    fields: list[FieldName] = Field(
        min_length=1, description="专业领域: 智能制造, 工业互联网, 工业软件, 数据, ..."
    )


class ExpertRead(ExpertCreate):
    model_config = ConfigDict(from_attributes=True)

    active: bool
    created_at: datetime
    links: list["LinkRead"] = []


class LinkCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    party_type: Literal["enterprise", "provider"]
    party_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)] = Field(
        description="USCC of the enterprise or the provider id"
    )
    relation: Text = Field(description="e.g. 任职, 顾问, 持股, 亲属")


class LinkRead(LinkCreate):
    model_config = ConfigDict(from_attributes=True)


class ExpertList(BaseModel):
    items: list[ExpertRead]
    # Set only when the pool is read a page at a time (`limit` or `cursor` given).
    total: int | None = None
    next_cursor: str | None = None


class DrawCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    fields: list[FieldName] = Field(default=[], description="Fields to draw from (empty: any)")
    count: int = Field(ge=1, le=20)
    provider_ids: list[str] = Field(default=[], description="Providers involved, also avoided")
    recent_days: int = Field(default=365, ge=0, le=3650, description="Avoid experts who reviewed it lately")


class DrawRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    application_id: str
    uscc: str
    fields: list[str]
    count: int
    seed: str = Field(description="Random seed: sample(eligible, count) with it gives `selected` again")
    eligible: list[str]
    excluded: dict[str, str]
    selected: list[str]
    drawn_by: str
    drawn_at: datetime
