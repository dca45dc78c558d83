from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, model_validator

from services.matching.need.models import NeedSource, NeedStatus
from services.matching.rules.schemas import CommonNeedItem


class NeedCreate(BaseModel):
    """Adopt a common need (common_code) or state an individual one (scenario_code + title)."""

    common_code: str | None = Field(default=None, description="Code from the industry's common list (N)")
    scenario_code: str | None = Field(default=None, description="Scenario of an individual need (X)")
    title: str | None = Field(default=None, max_length=300)

    @model_validator(mode="after")
    def one_kind(self) -> "NeedCreate":
        if (self.common_code is None) == (self.scenario_code is None):
            raise ValueError("give either common_code or scenario_code")
        if self.scenario_code is not None and not self.title:
            raise ValueError("an individual need has a title")
        return self


class NeedRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    need_id: str
    uscc: str
    source: NeedSource
    scenario_code: str
    title: str
    common_code: str | None
    from_level: int | None
    to_level: int | None
    assessment_id: str | None
    status: NeedStatus
    created_at: datetime


class CommonNeedList(BaseModel):
    industry_code: str
    version: int
    items: list[CommonNeedItem]


class NeedPage(BaseModel):
    items: list[NeedRead]
    total: int
    next_cursor: str | None


class NeedsOfEnterprises(BaseModel):
    """Needs of several enterprises at once (batch read for the gateway's DataLoaders)."""

    items: list[NeedRead]
