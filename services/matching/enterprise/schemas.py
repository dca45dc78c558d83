from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class EnterpriseProfile(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    uscc: str
    county_code: str
    known_since: datetime = Field(validation_alias="copied_at")
    open_engagements: int = Field(description="进行中的服务对接 engagements still open")


class EnterpriseProfileList(BaseModel):
    items: list[EnterpriseProfile]
