from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class EnterpriseProfile(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    uscc: str
    county_code: str
    known_since: datetime = Field(validation_alias="copied_at")
    paid_fen: int = Field(description="已拨付奖补 paid so far, in fen (分)")


class EnterpriseProfileList(BaseModel):
    items: list[EnterpriseProfile]
