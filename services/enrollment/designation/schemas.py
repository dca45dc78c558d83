from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from services.enrollment.designation.models import DesignationKind

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class DesignationCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: DesignationKind = Field(
        description="样板, 标杆, 智能工厂, 数字化车间, 链主, 链式/集群式 case member, 数字领航, ..."
    )
    awarded_on: date
    level: Literal["national", "provincial", "city", "county"] = Field(
        description="Who recognised it: its level"
    )
    source: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] = Field(
        description="Recognising body or document, e.g. 浙江省经信厅 2025年数字化车间名单"
    )
    evidence: Text = Field(description="Evidence: document number, URL or file reference")
    case_id: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] = Field(
        default="", description="Chain or cluster case the enterprise belongs to"
    )


class DesignationRead(DesignationCreate):
    model_config = ConfigDict(from_attributes=True)

    id: str
    uscc: str
    recorded_by: str
    recorded_at: datetime


class DesignationList(BaseModel):
    items: list[DesignationRead]
