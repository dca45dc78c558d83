from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Finding = Literal["ok", "minor_issues", "systems_stopped", "data_falsified"]
REVOKING = ("systems_stopped", "data_falsified")


class DrawRequest(BaseModel):
    label: str = Field(min_length=1, max_length=120, description="e.g. 2026年第一季度回头看")
    sample_size: int | None = Field(default=None, ge=1, le=10_000, description="Enterprises to draw")
    sample_percent: int | None = Field(default=None, ge=1, le=100, description="Or a share of the population")
    seed: str | None = Field(
        default=None, min_length=1, max_length=64, description="Recorded; generated if absent"
    )
    batch_id: str | None = Field(default=None, max_length=64, description="Only enterprises of this batch")
    county_code: str | None = Field(default=None, max_length=12)

    @model_validator(mode="after")
    def _one_size(self) -> "DrawRequest":
        if (self.sample_size is None) == (self.sample_percent is None):
            raise ValueError("give exactly one of sample_size and sample_percent")
        return self


class RevisitOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    draw_id: str
    uscc: str
    county_code: str
    status: str = Field(description="pending or recorded")
    finding: str | None
    detail: str
    revoked: bool = Field(description="The finding revoked the pilot status")
    recorded_by: str | None
    recorded_at: datetime | None


class DrawOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    label: str
    seed: str
    sample_size: int
    batch_id: str | None
    county_code: str | None
    population: list[str] = Field(description="Accepted enterprises the sample was drawn from")
    drawn: list[str]
    drawn_by: str
    drawn_at: datetime
    revisits: list[RevisitOut] = Field(default_factory=list)
    reproducible: bool = Field(default=True, description="Re-drawing with the seed gives the same sample")


class DrawList(BaseModel):
    items: list[DrawOut]
    # Set only when read a page at a time (`limit` or `cursor` given).
    total: int | None = None
    next_cursor: str | None = None


class FindingIn(BaseModel):
    finding: Finding = Field(
        description="ok, minor_issues, systems_stopped (系统停用), data_falsified (数据造假)"
    )
    detail: str = Field(default="", max_length=8000)
